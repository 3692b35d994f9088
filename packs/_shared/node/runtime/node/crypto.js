// node:crypto inside a component, the whole API, from well-kept pure-JS libraries (StarlingMonkey
// has no OpenSSL): the light half (crypto-core.js: hashes, HMACs, random bytes, key
// derivation) and AES ciphers from browserify-cipher; RSA and ECDSA signatures from
// browserify-sign (PEM parsing, encrypted keys); ECDH from create-ecdh; RSA encryption from
// public-encrypt; ChaCha20-Poly1305 from @noble/ciphers; Ed25519 and EC key generation from
// @noble/curves. What is ours is only the glue that gives them Node's API: argument forms,
// digest names, KeyObject, DER encodings of generated keys.
import * as aes from 'npm:browserify-cipher/browser.js';
import * as browserSign from 'npm:browserify-sign/browser/index.js';
import createECDH from 'npm:create-ecdh/browser.js';
import * as rsaEncrypt from 'npm:public-encrypt/browser.js';
import parseKeys from 'npm:parse-asn1';
import { chacha20poly1305 } from 'npm:@noble/ciphers/chacha.js';
import { ed25519 } from 'npm:@noble/curves/ed25519.js';
import { p256, p384, p521 } from 'npm:@noble/curves/nist.js';
import { secp256k1 } from 'npm:@noble/curves/secp256k1.js';
import { Buffer } from 'buffer';
import { Writable } from 'stream';
import core from './crypto-core.js';
import { bytes, codeError, DER_LABELS, digestName, KeyObject, pem, setRsaDetails, unpem } from './crypto-common.js';

export * from './crypto-core.js';
export { createECDH };

setRsaDetails((key) => {
  const parsed = parseKeys(key._pem);
  return { modulusLength: parsed.modulus.bitLength(), publicExponent: BigInt(parsed.publicExponent.toString(10)) };
});

// ---------------------------------------------------------------- ciphers

/** Node's Cipher/Decipher for chacha20-poly1305 over @noble/ciphers, which works on whole
 *  messages: update() keeps the input and final() returns all the output (the concatenated
 *  bytes are Node's; what each update() call returns is not). */
class ChaChaPoly {
  constructor(decrypt, key, iv, options = {}) {
    this._decrypt = decrypt;
    this._key = bytes(key, 'utf8', 'key');
    this._iv = bytes(iv, 'utf8', 'iv');
    if (this._key.length !== 32) throw codeError(RangeError, 'ERR_CRYPTO_INVALID_KEYLEN', 'Invalid key length');
    if (this._iv.length !== 12) throw codeError(Error, 'ERR_CRYPTO_INVALID_IV', 'Invalid initialization vector');
    this._tagLength = options.authTagLength ?? 16;
    this._chunks = [];
    this._aad = Buffer.alloc(0);
  }

  setAAD(aad) {
    this._aad = bytes(aad);
    return this;
  }

  setAuthTag(tag) {
    this._tag = bytes(tag);
    return this;
  }

  getAuthTag() {
    if (!this._outTag) throw new Error('Invalid state for operation getAuthTag');
    return this._outTag;
  }

  setAutoPadding() {
    return this;
  }

  update(data, inputEncoding, outputEncoding) {
    this._chunks.push(bytes(data, inputEncoding));
    const none = Buffer.alloc(0);
    return outputEncoding && outputEncoding !== 'buffer' ? '' : none;
  }

  final(outputEncoding) {
    const input = Buffer.concat(this._chunks);
    const box = chacha20poly1305(this._key, this._iv, this._aad);
    let out;
    if (this._decrypt) {
      if (!this._tag) throw new Error('Unsupported state or unable to authenticate data');
      try {
        out = box.decrypt(Buffer.concat([input, this._tag]));
      } catch {
        throw new Error('Unsupported state or unable to authenticate data');
      }
    } else {
      const sealed = box.encrypt(input);
      out = sealed.subarray(0, sealed.length - 16);
      this._outTag = Buffer.from(sealed.subarray(sealed.length - 16, sealed.length - 16 + this._tagLength));
    }
    const result = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    return outputEncoding && outputEncoding !== 'buffer' ? result.toString(outputEncoding) : result;
  }
}

function cipherKey(key) {
  return key instanceof KeyObject ? key._secret : bytes(key, 'utf8', 'key');
}

/** Node's createCipheriv: AES in every mode browserify-aes has (GCM, CBC, CTR, ECB, CFB,
 *  OFB), DES, and ChaCha20-Poly1305. */
export function createCipheriv(algorithm, key, iv, options) {
  if (String(algorithm).toLowerCase() === 'chacha20-poly1305') return new ChaChaPoly(false, cipherKey(key), iv, options);
  return aes.createCipheriv(algorithm, cipherKey(key), iv == null ? Buffer.alloc(0) : bytes(iv, 'utf8', 'iv'));
}

/** Node's createDecipheriv (the algorithms of createCipheriv). */
export function createDecipheriv(algorithm, key, iv, options) {
  if (String(algorithm).toLowerCase() === 'chacha20-poly1305') return new ChaChaPoly(true, cipherKey(key), iv, options);
  return aes.createDecipheriv(algorithm, cipherKey(key), iv == null ? Buffer.alloc(0) : bytes(iv, 'utf8', 'iv'));
}

export function getCiphers() {
  return [...aes.getCiphers(), 'chacha20-poly1305'].sort();
}

export function getCurves() {
  return ['prime256v1', 'secp256k1', 'secp384r1', 'secp521r1'];
}

// ---------------------------------------------------------------- keys

// A small DER writer: what generated keys and derived public keys are made of.
function derLength(n) {
  if (n < 128) return [n];
  const out = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 255);
  return [128 | out.length, ...out];
}
const der = (tag, ...parts) => {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  return Buffer.concat([Buffer.from([tag, ...derLength(body.length)]), body]);
};
const seq = (...parts) => der(0x30, ...parts);
const derInt = (buf) => {
  let b = Buffer.from(buf);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  return der(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
};
const OID = {
  rsa: Buffer.from('06092a864886f70d010101', 'hex'),
  ec: Buffer.from('06072a8648ce3d0201', 'hex'),
  ed25519: Buffer.from('06032b6570', 'hex'),
};
// Node's curve names (and aliases) -> [noble curve, DER OID, parse-asn1's name].
const CURVES = {
  prime256v1: [p256, '06082a8648ce3d030107', 'p256'],
  secp384r1: [p384, '06052b81040022', 'p384'],
  secp521r1: [p521, '06052b81040023', 'p521'],
  secp256k1: [secp256k1, '06052b8104000a', 'secp256k1'],
};
const CURVE_ALIASES = { 'p-256': 'prime256v1', p256: 'prime256v1', 'p-384': 'secp384r1', p384: 'secp384r1', 'p-521': 'secp521r1', p521: 'secp521r1' };

function curveOf(name) {
  const key = CURVE_ALIASES[String(name).toLowerCase()] ?? name;
  const curve = CURVES[key];
  if (!curve) throw codeError(TypeError, 'ERR_CRYPTO_INVALID_CURVE', 'Invalid EC curve name');
  return [key, ...curve];
}


function isPrivateLabel(label) {
  return /PRIVATE KEY$/.test(label);
}

/** A KeyObject from what Node's createPrivateKey/createPublicKey take: a PEM string or
 *  Buffer, { key, format: 'pem' | 'der', type, passphrase }, or a KeyObject. */
function asymmetricKey(input, wantPrivate) {
  if (input instanceof KeyObject) return input;
  let options = typeof input === 'object' && !Buffer.isBuffer(input) && !ArrayBuffer.isView(input) ? input : { key: input };
  if (options.key instanceof KeyObject) return options.key;
  if (options.format === 'jwk') throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', 'JWK keys are not available in a Fabricks component');
  let text;
  if (options.format === 'der') {
    const label = options.type === 'pkcs1' ? `RSA ${wantPrivate ? 'PRIVATE' : 'PUBLIC'} KEY` : DER_LABELS[options.type];
    if (!label) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The property 'options.type' is invalid. Received '${options.type}'`);
    text = pem(label, bytes(options.key));
  } else {
    text = typeof options.key === 'string' ? options.key : bytes(options.key).toString('utf8');
  }
  const found = unpem(text);
  if (!found) throw codeError(Error, 'ERR_OSSL_UNSUPPORTED', 'error:1E08010C:DECODER routines::unsupported');
  const { label, der: body } = found;
  const priv = isPrivateLabel(label);
  const head = body.subarray(0, 32);
  if (head.includes(OID.ed25519) && body.length <= 64) {
    const raw = Buffer.from(body.subarray(body.length - 32));
    return new KeyObject(priv ? 'private' : 'public', { _kind: 'ed25519', _raw: raw });
  }
  let kind;
  let curve;
  if (label.startsWith('RSA ') || head.includes(OID.rsa)) kind = 'rsa';
  else if (label.startsWith('EC ') || head.includes(OID.ec)) kind = 'ec';
  let keyText = text;
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    // parse-asn1 decrypts; the key is kept decrypted, as Node's KeyObject holds it.
    const parsed = parseKeys({ key: text, passphrase: options.passphrase });
    return rebuilt(parsed);
  }
  if (kind === 'ec') curve = ecCurveName(parseKeys(keyText));
  if (!kind) throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `this key type is not available in a Fabricks component (RSA, EC and Ed25519 are)`);
  return new KeyObject(priv ? 'private' : 'public', { _kind: kind, _pem: keyText, _curve: curve });
}

function ecCurveName(parsed) {
  const oid = (parsed.curve ?? parsed.data?.algorithm?.curve ?? parsed.parameters?.value)?.join?.('.');
  return { '1.2.840.10045.3.1.7': 'prime256v1', '1.3.132.0.34': 'secp384r1', '1.3.132.0.35': 'secp521r1', '1.3.132.0.10': 'secp256k1' }[oid];
}

/** A decrypted key (parse-asn1's form) as an unencrypted PEM KeyObject. */
function rebuilt(parsed) {
  if (parsed.modulus) {
    const n = (bn) => bn.toArrayLike(Buffer);
    const body = seq(derInt([0]), derInt(n(parsed.modulus)), derInt(n(parsed.publicExponent)), derInt(n(parsed.privateExponent)),
      derInt(n(parsed.prime1)), derInt(n(parsed.prime2)), derInt(n(parsed.exponent1)), derInt(n(parsed.exponent2)), derInt(n(parsed.coefficient)));
    return new KeyObject('private', { _kind: 'rsa', _pem: pem('RSA PRIVATE KEY', body) });
  }
  if (parsed.curve) {
    const name = ecCurveName(parsed);
    return ecPrivateKey(name, ecSecret(parsed, name));
  }
  throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', 'this encrypted key type is not available in a Fabricks component');
}

/** The private scalar of parse-asn1's EC key (an OCTET STRING), at the curve's full width. */
function ecSecret(parsed, name) {
  const size = curveOf(name)[1].Point.Fn.BYTES;
  const raw = Buffer.from(parsed.privateKey);
  return raw.length >= size ? raw.subarray(raw.length - size) : Buffer.concat([Buffer.alloc(size - raw.length), raw]);
}

/** An EC private key as OpenSSL writes PKCS#8 (the public point in the inner ECPrivateKey). */
function ecPrivateKey(name, secret) {
  const [, curve, oidHex] = curveOf(name);
  const point = curve.getPublicKey(secret, false);
  const inner = seq(derInt([1]), der(0x04, secret), der(0xa1, der(0x03, [0], point)));
  const body = seq(derInt([0]), seq(OID.ec, Buffer.from(oidHex, 'hex')), der(0x04, inner));
  return new KeyObject('private', { _kind: 'ec', _pem: pem('PRIVATE KEY', body), _curve: name });
}

function ecPublicKey(name, point) {
  const [, , oidHex] = curveOf(name);
  const body = seq(seq(OID.ec, Buffer.from(oidHex, 'hex')), der(0x03, [0], point));
  return new KeyObject('public', { _kind: 'ec', _pem: pem('PUBLIC KEY', body), _curve: name });
}

/** Node's createPrivateKey (PEM or DER: PKCS#8, PKCS#1, SEC1, encrypted PKCS#8). */
export function createPrivateKey(key) {
  const made = asymmetricKey(key, true);
  if (made.type !== 'private') throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'Invalid key object type public, expected private.');
  return made;
}

/** Node's createPublicKey: from a public key, or the public half of a private one. */
export function createPublicKey(key) {
  const made = asymmetricKey(key, false);
  if (made.type === 'public') return made;
  if (made.type !== 'private') throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'Invalid key object type secret, expected private.');
  if (made._kind === 'ed25519') return new KeyObject('public', { _kind: 'ed25519', _raw: Buffer.from(ed25519.getPublicKey(made._raw)) });
  const parsed = parseKeys(made._pem);
  if (made._kind === 'rsa') {
    const n = (bn) => bn.toArrayLike(Buffer);
    const rsaPublic = seq(derInt(n(parsed.modulus)), derInt(n(parsed.publicExponent)));
    const body = seq(seq(OID.rsa, Buffer.from([5, 0])), der(0x03, [0], rsaPublic));
    return new KeyObject('public', { _kind: 'rsa', _pem: pem('PUBLIC KEY', body) });
  }
  const [, curve] = curveOf(made._curve);
  return ecPublicKey(made._curve, curve.getPublicKey(ecSecret(parsed, made._curve), false));
}


function exported(keyObject, encoding) {
  return encoding ? keyObject.export(encoding) : keyObject;
}

/** Node's generateKeyPairSync for 'ed25519' and 'ec' (namedCurve P-256, P-384, P-521,
 *  secp256k1). RSA key generation (a prime search) is not offered: under an interpreter it
 *  takes tens of seconds per key. */
export function generateKeyPairSync(type, options = {}) {
  let privateKey;
  if (type === 'ed25519') {
    privateKey = new KeyObject('private', { _kind: 'ed25519', _raw: Buffer.from(ed25519.utils.randomSecretKey()) });
  } else if (type === 'ec') {
    const [name, curve] = curveOf(options.namedCurve);
    privateKey = ecPrivateKey(name, Buffer.from(curve.utils.randomSecretKey()));
  } else {
    throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
      `crypto.generateKeyPair('${type}') is not available in a Fabricks component (ed25519 and ec are; generate RSA keys outside and load them with createPrivateKey)`);
  }
  const publicKey = createPublicKey(privateKey);
  return { publicKey: exported(publicKey, options.publicKeyEncoding), privateKey: exported(privateKey, options.privateKeyEncoding) };
}

export function generateKeyPair(type, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  let pair;
  try {
    pair = generateKeyPairSync(type, options);
  } catch (error) {
    setTimeout(() => callback(error), 0);
    return;
  }
  setTimeout(() => callback(null, pair.publicKey, pair.privateKey), 0);
}

// ---------------------------------------------------------------- signatures

// browserify-sign names a digest per key type: RSA-SHA256 for RSA, sha256 for ECDSA.
function signAlgorithm(digest, kind) {
  const name = digestName(digest ?? 'sha256');
  if (kind === 'ec') return name === 'sha1' ? 'ecdsa-with-SHA1' : name;
  return { sha1: 'RSA-SHA1', sha224: 'RSA-SHA224', sha256: 'RSA-SHA256', sha384: 'RSA-SHA384', sha512: 'RSA-SHA512', md5: 'RSA-MD5', ripemd160: 'RSA-RIPEMD160', rmd160: 'RSA-RIPEMD160' }[name] ?? name;
}

function keyOptions(key) {
  return typeof key === 'object' && key !== null && !(key instanceof KeyObject) && !Buffer.isBuffer(key) && !ArrayBuffer.isView(key) ? key : {};
}

// ECDSA signatures as r || s (Node's dsaEncoding 'ieee-p1363') and back to DER.
function derToP1363(sig, size) {
  const { r, s } = p256.Signature.fromBytes(sig, 'der');
  const hex = (v) => v.toString(16).padStart(size * 2, '0');
  return Buffer.from(hex(r) + hex(s), 'hex');
}

function p1363ToDer(sig) {
  const half = sig.length / 2;
  return seq(derInt(sig.subarray(0, half)), derInt(sig.subarray(half)));
}

function curveBytes(keyObject) {
  return curveOf(keyObject._curve)[1].Point.Fn.BYTES;
}

/** Sign `data` with `digest` (Node's crypto.sign): Ed25519 when the key is one (digest null),
 *  else RSA PKCS#1 v1.5 or ECDSA through browserify-sign. */
function signBytes(digest, data, key) {
  const keyObject = asymmetricKey(key, true);
  if (keyObject._kind === 'ed25519') return Buffer.from(ed25519.sign(data, keyObject._raw));
  if (keyOptions(key).padding !== undefined && keyOptions(key).padding !== 1) {
    throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', 'RSA-PSS padding is not available in a Fabricks component (PKCS#1 v1.5 is)');
  }
  const signer = browserSign.createSign(signAlgorithm(digest, keyObject._kind));
  signer.update(data);
  const sig = signer.sign(keyObject._pem);
  if (keyObject._kind === 'ec' && keyOptions(key).dsaEncoding === 'ieee-p1363') return derToP1363(sig, curveBytes(keyObject));
  return sig;
}

function verifyBytes(digest, data, key, signature) {
  let keyObject = asymmetricKey(key, false);
  if (keyObject.type === 'private') keyObject = createPublicKey(keyObject);
  if (keyObject._kind === 'ed25519') {
    try {
      return ed25519.verify(signature, data, keyObject._raw);
    } catch {
      return false;
    }
  }
  let sig = signature;
  if (keyObject._kind === 'ec' && keyOptions(key).dsaEncoding === 'ieee-p1363') sig = p1363ToDer(sig);
  const verifier = browserSign.createVerify(signAlgorithm(digest, keyObject._kind));
  verifier.update(data);
  try {
    return verifier.verify(keyObject._pem, sig);
  } catch {
    return false;
  }
}

/** Node's one-shot crypto.sign(algorithm, data, key[, callback]). */
export function sign(algorithm, data, key, callback) {
  const result = signBytes(algorithm, bytes(data), key);
  if (callback) {
    setTimeout(() => callback(null, result), 0);
    return undefined;
  }
  return result;
}

/** Node's one-shot crypto.verify(algorithm, data, key, signature[, callback]). */
export function verify(algorithm, data, key, signature, callback) {
  const result = verifyBytes(algorithm, bytes(data), key, bytes(signature));
  if (callback) {
    setTimeout(() => callback(null, result), 0);
    return undefined;
  }
  return result;
}

/** What Sign and Verify share: a Writable that gathers the data to sign or check. */
class Gathering extends Writable {
  constructor(algorithm) {
    super();
    this._algorithm = algorithm;
    this._chunks = [];
  }

  _write(chunk, encoding, done) {
    this._chunks.push(bytes(chunk, encoding));
    done();
  }

  update(data, encoding) {
    this._chunks.push(bytes(data, encoding));
    return this;
  }
}

/** Node's Sign: sign() signs the data written or updated. */
export class Sign extends Gathering {
  sign(key, outputEncoding) {
    const sig = signBytes(this._algorithm, Buffer.concat(this._chunks), key);
    return outputEncoding ? sig.toString(outputEncoding) : sig;
  }
}

/** Node's Verify: verify() checks a signature of the data written or updated. */
export class Verify extends Gathering {
  verify(key, signature, signatureEncoding) {
    return verifyBytes(this._algorithm, Buffer.concat(this._chunks), key, bytes(signature, signatureEncoding));
  }
}

export function createSign(algorithm) {
  return new Sign(algorithm);
}

export function createVerify(algorithm) {
  return new Verify(algorithm);
}

// ---------------------------------------------------------------- RSA encryption

function rsaKey(key, wantPrivate) {
  const keyObject = asymmetricKey(key, wantPrivate);
  const padding = keyOptions(key).padding;
  return { key: keyObject._pem, ...(padding !== undefined ? { padding } : {}) };
}

/** RSA encryption (public-encrypt: OAEP with SHA-1 by default, as Node; or PKCS#1 v1.5). */
export function publicEncrypt(key, buffer) {
  let keyObject = asymmetricKey(key, false);
  if (keyObject.type === 'private') keyObject = createPublicKey(keyObject);
  const padding = keyOptions(key).padding;
  return rsaEncrypt.publicEncrypt({ key: keyObject._pem, ...(padding !== undefined ? { padding } : {}) }, bytes(buffer));
}

export function privateDecrypt(key, buffer) {
  return rsaEncrypt.privateDecrypt(rsaKey(key, true), bytes(buffer));
}

export function privateEncrypt(key, buffer) {
  return rsaEncrypt.privateEncrypt(rsaKey(key, true), bytes(buffer));
}

export function publicDecrypt(key, buffer) {
  return rsaEncrypt.publicDecrypt(rsaKey(key, false), bytes(buffer));
}

export default {
  ...core, createECDH, createCipheriv, createDecipheriv, getCiphers, getCurves, createPrivateKey, createPublicKey,
  generateKeyPair, generateKeyPairSync, sign, verify, Sign, Verify, createSign, createVerify, publicEncrypt,
  privateDecrypt, privateEncrypt, publicDecrypt,
};
