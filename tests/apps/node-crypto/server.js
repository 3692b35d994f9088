// node:crypto as an app uses it, answered by the component and by Node for the same inputs:
// deterministic results are compared byte for byte; randomized ones (ECDSA, generated keys)
// are checked by the app itself. The keys in keys/ are test keys, made for this app only.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { promisify } = require('util');

const key = (name) => fs.readFileSync(path.join(__dirname, 'keys', name), 'utf8');
const hex = (b) => Buffer.from(b).toString('hex');
let count = 0;

function seal(algorithm, keyBytes, iv, text, options) {
  const cipher = crypto.createCipheriv(algorithm, keyBytes, iv, options);
  if (/gcm|poly1305/.test(algorithm)) cipher.setAAD(Buffer.from('header'));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  const tag = /gcm|poly1305/.test(algorithm) ? cipher.getAuthTag() : Buffer.alloc(0);
  const decipher = crypto.createDecipheriv(algorithm, keyBytes, iv, options);
  if (tag.length) {
    decipher.setAAD(Buffer.from('header'));
    decipher.setAuthTag(tag);
  }
  const back = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  return { body: hex(body), tag: hex(tag), back };
}

const routes = {
  async '/kdf'() {
    return {
      pbkdf2: hex(crypto.pbkdf2Sync('correct horse', 'salt', 2000, 32, 'sha256')),
      pbkdf2Async: hex(await promisify(crypto.pbkdf2)('password', Buffer.from('NaCl'), 1000, 64, 'sha512')),
      scrypt: hex(crypto.scryptSync('password', 'salt', 32, { N: 1024 })),
      scryptAsync: hex(await promisify(crypto.scrypt)('pw', 'pepper', 16, { cost: 512, blockSize: 8, parallelization: 1 })),
      hkdf: hex(crypto.hkdfSync('sha256', 'input key', 'salt', 'info', 42)),
    };
  },
  // Hashes and HMACs of every digest the component computes compiled, in each way apps feed
  // them; and a login's PBKDF2 at a realistic work factor (100,000 iterations: minutes in the
  // engine's interpreter).
  '/hashes'() {
    const text = 'caf\u00e9 '.repeat(700);
    const out = {};
    for (const name of ['md5', 'sha1', 'SHA224', 'sha256', 'RSA-SHA384', 'sha512', 'sha512-224', 'sha512-256', 'ripemd160', 'sha3-256']) {
      out[name] = [crypto.createHash(name).update(text).digest('hex'),
        crypto.createHmac(name, 'k'.repeat(200)).update(text, 'latin1').digest('base64')];
    }
    const reused = Buffer.from('first');
    const h = crypto.createHash('sha256').update(reused);
    reused.write('later');
    const parts = crypto.createHash('sha1').update('a').update(Buffer.from('b')).update(new Uint16Array([1, 2]));
    const copy = parts.copy().update('c');
    let error = null;
    try {
      parts.digest();
      parts.update('x');
    } catch (e) {
      error = e.code;
    }
    return {
      ...out,
      reused: h.digest('base64url'),
      parts: [copy.digest('hex'), parts.copy ? 'copy' : null],
      finalized: error,
      empty: crypto.createHash('md5').digest('hex'),
      latin1: crypto.createHmac('sha512', Buffer.alloc(0)).digest('latin1'),
      login: hex(crypto.pbkdf2Sync('correct horse battery staple', 'per-user salt', 100000, 32, 'sha256')),
      scryptDefault: hex(crypto.scryptSync('password', 'salt', 64)),
    };
  },
  async '/hash-stream'() {
    const hash = crypto.createHash('sha256');
    const done = new Promise((resolve) => hash.on('readable', () => resolve(hash.read())));
    hash.write('streamed ');
    hash.end('body');
    return { streamed: hex(await done), keyed: hex(crypto.createHmac('md5', 'k').update('x').digest()) };
  },
  '/ciphers'() {
    const k = crypto.createHash('sha256').update('key').digest();
    const iv = Buffer.alloc(16, 7);
    return {
      gcm: seal('aes-256-gcm', k, iv.subarray(0, 12), 'attack at dawn'),
      cbc: seal('aes-128-cbc', k.subarray(0, 16), iv, 'a message longer than one AES block'),
      ctr: seal('aes-256-ctr', k, iv, 'counter mode'),
      chacha: seal('chacha20-poly1305', k, iv.subarray(0, 12), 'chacha', { authTagLength: 16 }),
    };
  },
  '/signatures'() {
    const rsa = crypto.createPrivateKey(key('rsa.pem'));
    const ec = key('ec.pem');
    const ed = crypto.createPrivateKey(key('ed25519.pem'));
    const ecdsa = crypto.createSign('SHA256').update('some data').sign(ec);
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const edPair = crypto.generateKeyPairSync('ed25519');
    return {
      rsa: crypto.createSign('RSA-SHA256').update('some ').update('data').sign(rsa, 'base64'),
      rsaVerifies: crypto.verify('sha256', Buffer.from('some data'), crypto.createPublicKey(rsa), crypto.sign('sha256', Buffer.from('some data'), rsa)),
      rsaPublic: crypto.createPublicKey(rsa).export({ type: 'spki', format: 'pem' }),
      ecdsaVerifies: crypto.createVerify('SHA256').update('some data').verify(crypto.createPublicKey(ec), ecdsa),
      ecdsaRejects: crypto.verify('sha256', Buffer.from('other data'), crypto.createPublicKey(ec), ecdsa),
      ecPublic: crypto.createPublicKey(ec).export({ type: 'spki', format: 'pem' }),
      ed25519: crypto.sign(null, Buffer.from('some data'), ed).toString('base64'),
      edPublic: crypto.createPublicKey(ed).export({ type: 'spki', format: 'der' }).toString('base64'),
      generated: crypto.verify('sha256', Buffer.from('x'), pair.publicKey, crypto.sign('sha256', Buffer.from('x'), pair.privateKey)),
      generatedEd: crypto.verify(null, Buffer.from('x'), edPair.publicKey, crypto.sign(null, Buffer.from('x'), edPair.privateKey)),
      types: [pair.privateKey.type, pair.publicKey.asymmetricKeyType, edPair.privateKey.asymmetricKeyType],
    };
  },
  '/misc'() {
    const alice = crypto.createECDH('prime256v1');
    alice.setPrivateKey(crypto.createHash('sha256').update('alice').digest());
    const bob = crypto.createECDH('prime256v1');
    bob.setPrivateKey(crypto.createHash('sha256').update('bob').digest());
    return {
      ecdh: alice.computeSecret(bob.getPublicKey()).toString('hex'),
      ecdhPublic: alice.getPublicKey('base64', 'compressed'),
      equal: [crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abd'))],
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
      secret: crypto.createHmac('sha256', crypto.createSecretKey(Buffer.from('k'))).update('x').digest('hex'),
      md5: crypto.createHash('md5').update('x').digest('hex'),
    };
  },
  async '/webcrypto'() {
    const digest = await crypto.webcrypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
    return { digest: hex(new Uint8Array(digest)) };
  },
};

module.exports = async (req, res) => {
  count += 1;
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/count') {
    res.end(String(count));
    return;
  }
  const route = routes[url.pathname];
  if (!route) {
    res.statusCode = 404;
    res.end('not found\n');
    return;
  }
  try {
    const body = JSON.stringify(await route());
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  } catch (error) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`${error.code ?? ''} ${error.message}\n`);
  }
};
