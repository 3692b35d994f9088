// Password hashing as a login uses it, answered by the component and by Node for the same
// inputs: hashes under fixed salts compared byte for byte, random salts by their shape and by
// verifying. `?lib=` picks the bcrypt package: bcrypt (6.x), bcrypt5, bcryptjs (3.x),
// bcryptjs2; /argon2 is the argon2 package's.
const http = require('http');

const libs = {
  bcrypt: () => require('bcrypt'),
  bcrypt5: () => require('bcrypt5'),
  bcryptjs: () => require('bcryptjs'),
  bcryptjs2: () => require('bcryptjs2'),
};

// Users seeded at the top level, as demo apps do: hashed while the component is built.
const seeded = {
  bcrypt: require('bcrypt').hashSync('seed password', 4),
  bcryptjs: require('bcryptjs').hashSync('seed password', 4),
};

const salt22 = 'CCCCCCCCCCCCCCCCCCCCC.';
const long = 'x'.repeat(71) + 'yz'; // 73 bytes: the 73rd is cut
const SETTINGS = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.'],
  ['U*U', `$2a$05$${salt22}`],
  ['U*U', `$2b$05$${salt22}`],
  ['correct horse battery staple', '$2b$10$abcdefghijklmnopqrstuu'],
  ['p\u00e4ssw\u00f6rd \u{1F511}', '$2b$04$N9qo8uLOickgx2ZMRZoMye'],
  [long, `$2b$04$${salt22}`],
  [long.slice(0, 72), `$2b$04$${salt22}`],
  ['0123456789'.repeat(30), `$2a$04$${salt22}`], // $2a$ keeps the length in a byte
  ['0123456789'.repeat(30), `$2b$04$${salt22}`],
  ['no minor', `$2$04$${salt22}`],
  ['y variant', `$2y$04$${salt22}`],
  ['odd last char', '$2b$04$......................'],
  ['salt too short', '$2b$04$abc'],
  ['bad rounds', `$2b$03$${salt22}`],
  ['bad rounds', `$2b$32$${salt22}`],
  ['bad version', `$3b$04$${salt22}`],
  ['bad minor', `$2c$04$${salt22}`],
  ['nonsense', 'nonsense'],
];
const KNOWN = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ['0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored',
    '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui'],
  ['wrong', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ['U*U', 'nonsense'],
];

function attempt(fn) {
  try {
    return { ok: fn() };
  } catch (error) {
    return { error: error.message };
  }
}

async function settle(promise) {
  try {
    return { ok: await promise };
  } catch (error) {
    return { error: error.message };
  }
}

const salt16 = Buffer.from('0123456789abcdef');
const ARGON2 = [
  ['correct horse', { salt: salt16 }], // the package's defaults: argon2id, 64 MiB, 3 passes, 4 lanes
  ['p\u00e4ss', { salt: salt16, type: 0, memoryCost: 1024, timeCost: 2, parallelism: 1, hashLength: 16 }],
  ['p\u00e4ss', { salt: salt16, type: 1, memoryCost: 2048, timeCost: 1, parallelism: 2 }],
  ['secret', { salt: salt16, memoryCost: 4096, timeCost: 2, parallelism: 1, secret: Buffer.from('pepper'), associatedData: Buffer.from('ad') }],
  ['old', { salt: salt16, memoryCost: 1024, timeCost: 1, parallelism: 1, version: 0x10 }],
  ['raw', { salt: salt16, memoryCost: 1024, timeCost: 1, parallelism: 1, raw: true }],
  ['short salt', { salt: Buffer.from('1234'), memoryCost: 1024, timeCost: 1, parallelism: 1 }],
  ['little memory', { salt: salt16, memoryCost: 16, timeCost: 1, parallelism: 4 }],
  ['no passes', { salt: salt16, memoryCost: 1024, timeCost: 0, parallelism: 1 }],
  ['short output', { salt: salt16, memoryCost: 1024, timeCost: 1, parallelism: 1, hashLength: 2 }],
];

const routes = {
  async '/argon2'() {
    const argon2 = require('argon2');
    const hashes = [];
    for (const [password, options] of ARGON2) {
      const answer = await settle(argon2.hash(password, options));
      hashes.push(answer.ok instanceof Uint8Array ? { raw: Buffer.from(answer.ok).toString('hex') } : answer);
    }
    const fresh = await argon2.hash('correct horse');
    return {
      hashes,
      verify: [await argon2.verify(hashes[0].ok, 'correct horse'), await argon2.verify(hashes[0].ok, 'correct horse!'),
        await argon2.verify(hashes[3].ok, 'secret', { secret: Buffer.from('pepper') }), await argon2.verify(hashes[4].ok, 'old')],
      fresh: [fresh.slice(0, 31), fresh.length, await argon2.verify(fresh, 'correct horse'), argon2.needsRehash(fresh, { timeCost: 4 })],
    };
  },
  '/vectors'(lib) {
    return {
      hashes: SETTINGS.map(([password, setting]) => attempt(() => lib.hashSync(password, setting))),
      buffer: attempt(() => lib.hashSync(Buffer.from([0xff, 0, 0x61]), `$2b$04$${salt22}`)),
      known: KNOWN.map(([password, hash]) => attempt(() => lib.compareSync(password, hash))),
      rounds: ['$2b$12$abcdefghijklmnopqrstuu', '$2$07$x', 'nonsense', '$2b$xx$'].map((h) => attempt(() => lib.getRounds(h))),
      salts: [undefined, 4, 12, 31, 40, 'ten'].map((rounds) => attempt(() => {
        const salt = lib.genSaltSync(rounds);
        return [salt.length, salt.slice(0, 7), /^\$2[ab]\$\d\d\$[./A-Za-z0-9]{22}$/.test(salt)];
      })),
    };
  },
  async '/async'(lib) {
    const hash = await lib.hash('async password', `$2b$05$${salt22}`);
    const callback = await new Promise((resolve) => lib.hash('callback password', `$2b$04$${salt22}`,
      (error, value) => resolve(error ? { error: error.message } : { ok: value })));
    const badSalt = await new Promise((resolve) => lib.hash('x', '$2b$04$short',
      (error, value) => resolve(error ? { error: error.message } : { ok: value })));
    const salt = await lib.genSalt(6);
    const fresh = await lib.hash('fresh', salt);
    return {
      hash, callback, badSalt: badSalt.error !== undefined,
      rejected: await settle(lib.hash('x', 'nonsense')),
      compare: [await lib.compare('async password', hash), await lib.compare('other', hash)],
      salt: [salt.length, salt.slice(3, 7)],
      fresh: [fresh.slice(0, 29) === salt, await lib.compare('fresh', fresh), await lib.compare('Fresh', fresh)],
    };
  },
  // A sign-up and a login at the work factor apps use (10): seconds a hash in the engine's
  // interpreter, tens of milliseconds compiled.
  async '/login'(lib) {
    const hash = await lib.hash('correct horse', 10);
    return {
      prefix: hash.slice(3, 7), length: hash.length, rounds: lib.getRounds(hash),
      ok: await lib.compare('correct horse', hash), wrong: await lib.compare('correct horse!', hash),
      sync: lib.compareSync('correct horse', hash),
    };
  },
  '/seeded'() {
    return Object.fromEntries(Object.entries(seeded).map(([name, hash]) =>
      [name, [hash.slice(0, 7), libs[name]().compareSync('seed password', hash), libs[name]().compareSync('seed', hash)]]));
  },
};

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const route = routes[url.pathname];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = JSON.stringify(await route(url.pathname === '/argon2' ? null : libs[url.searchParams.get('lib') ?? 'bcrypt']()));
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error.stack));
  }
}).listen(process.env.PORT ?? 3000);
