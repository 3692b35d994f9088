// node:crypto's light half, what most apps use (the build gives a module this file instead of
// crypto.js when the only members of node:crypto it touches are ones this file exports;
// node-compat.mjs decides): hashes, HMACs, pbkdf2 and scrypt compiled to wasm (crypto-native.js)
// for MD5, SHA-1, SHA-2, SHA-3 and RIPEMD-160; at build time crypto-browserify's create-hash and
// create-hmac (streaming) and @noble/hashes' pbkdf2, scrypt and hkdf; random bytes from the
// host (wasi:random); WebCrypto is the engine's. StarlingMonkey compiles
// every function of the bundle at pre-initialization, so the half an app never calls would
// still cost its component about 11 MB.
import browserHash from 'npm:create-hash/browser.js';
import browserHmac from 'npm:create-hmac/browser.js';
import { pbkdf2 as noblePbkdf2 } from 'npm:@noble/hashes/pbkdf2.js';
import { scrypt as nobleScrypt } from 'npm:@noble/hashes/scrypt.js';
import { hkdf as nobleHkdf } from 'npm:@noble/hashes/hkdf.js';
import { md5, ripemd160, sha1 } from 'npm:@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512, sha512_224, sha512_256 } from 'npm:@noble/hashes/sha2.js';
import { sha3_224, sha3_256, sha3_384, sha3_512 } from 'npm:@noble/hashes/sha3.js';
import { Buffer } from 'buffer';
import { bytes, codeError, digestName, KeyObject, timingSafeEqual } from './crypto-common.js';
import { nativeDigest, NativeHash, NativeHmac, nativePbkdf2, nativeReady, nativeScrypt } from './crypto-native.js';

const web = globalThis.crypto;

export { KeyObject, timingSafeEqual };

/** Node's createHash(algorithm, [options]): a Hash (a Transform stream) of an OpenSSL digest name. */
export function createHash(algorithm, options) {
  const digest = digestName(algorithm);
  return nativeDigest(digest) ? new NativeHash(digest) : browserHash(algorithm, options);
}

/** Node's createHmac(algorithm, key, [options]); the key a string (UTF-8), bytes or a secret KeyObject. */
export function createHmac(algorithm, key, options) {
  const digest = digestName(algorithm);
  if (nativeDigest(digest)) return new NativeHmac(digest, bytes(key, 'utf8', 'key'));
  return browserHmac(algorithm, key instanceof KeyObject ? key._secret : key, options);
}
export const webcrypto = web;
export const subtle = web?.subtle;

// ---------------------------------------------------------------- random

/** Random bytes from the host. Called before the build's snapshot, it would bake one value
 *  into every instance: the engine refuses randomness then, which is the right failure. */
export function randomBytes(size, callback) {
  const out = randomFillSync(Buffer.alloc(size));
  if (callback) {
    queueMicrotask(() => callback(null, out));
    return undefined;
  }
  return out;
}

export const pseudoRandomBytes = randomBytes;
export const prng = randomBytes;
export const rng = randomBytes;

/** Fill ``buffer`` (a TypedArray, DataView or ArrayBuffer) from the host's random source, at
 *  most 65536 bytes per getRandomValues() call (the Web Crypto limit). */
export function randomFillSync(buffer, offset = 0, size = buffer.byteLength - offset) {
  const view = new Uint8Array(buffer.buffer ?? buffer, (buffer.byteOffset ?? 0) + offset, size);
  for (let at = 0; at < size; at += 65536) web.getRandomValues(view.subarray(at, Math.min(size, at + 65536)));
  return buffer;
}

/** randomFillSync with Node's callback forms (buffer, [offset, [size,]] callback). */
export function randomFill(buffer, offset, size, callback) {
  const done = [offset, size, callback].find((a) => typeof a === 'function');
  const start = typeof offset === 'number' ? offset : 0;
  const length = typeof size === 'number' ? size : undefined;
  randomFillSync(buffer, start, length);
  queueMicrotask(() => done(null, buffer));
}

/** A random version-4 UUID (the engine's own randomUUID, from the host's random source). */
export function randomUUID() {
  return web.randomUUID();
}

/** A uniform random integer in [min, max) without modulo bias, as Node draws it. */
export function randomInt(min, max, callback) {
  if (max === undefined || typeof max === 'function') {
    callback = max;
    max = min;
    min = 0;
  }
  const range = max - min;
  if (!(range > 0) || range > 2 ** 48) throw new RangeError('randomInt: max - min must be in (0, 2^48]');
  const limit = 2 ** 48 - (2 ** 48 % range);
  let value;
  do {
    value = randomBytes(6).readUIntBE(0, 6);
  } while (value >= limit);
  const result = min + (value % range);
  if (callback) {
    queueMicrotask(() => callback(null, result));
    return undefined;
  }
  return result;
}

export function getRandomValues(array) {
  return web.getRandomValues(array);
}

// ---------------------------------------------------------------- key derivation

const NOBLE_HASHES = {
  md5, ripemd160, rmd160: ripemd160, sha1, sha224, sha256, sha384, sha512, 'sha512-224': sha512_224,
  'sha512-256': sha512_256, 'sha3-224': sha3_224, 'sha3-256': sha3_256, 'sha3-384': sha3_384, 'sha3-512': sha3_512,
};

function nobleHash(name) {
  const hash = NOBLE_HASHES[digestName(name)];
  if (!hash) throw codeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${name}`);
  return hash;
}

function checkInteger(value, name, min = 0, max = 2 ** 31 - 1) {
  if (typeof value !== 'number') {
    throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type number. Received ${typeof value}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw codeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be >= ${min} && <= ${max}. Received ${value}`);
  }
}

/** PBKDF2 as Node computes it (any digest OpenSSL names that apps use). */
export function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  checkInteger(iterations, 'iterations', 1);
  checkInteger(keylen, 'keylen');
  const hash = nobleHash(digest);
  if (keylen === 0) return Buffer.alloc(0);
  const name = digestName(digest);
  if (nativeDigest(name)) return nativePbkdf2(name, bytes(password, 'utf8', 'password'), bytes(salt, 'utf8', 'salt'), iterations, keylen);
  const out = noblePbkdf2(hash, bytes(password, 'utf8', 'password'), bytes(salt, 'utf8', 'salt'), { c: iterations, dkLen: keylen });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** pbkdf2Sync with a callback, called after the current job as Node's threadpool would. */
export function pbkdf2(password, salt, iterations, keylen, digest, callback) {
  if (typeof callback !== 'function') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "callback" argument must be of type function');
  const result = pbkdf2Sync(password, salt, iterations, keylen, digest);
  setTimeout(() => callback(null, result), 0);
}

function scryptParams(options = {}) {
  const N = options.N ?? options.cost ?? 16384;
  const r = options.r ?? options.blockSize ?? 8;
  const p = options.p ?? options.parallelization ?? 1;
  const maxmem = options.maxmem ?? 32 * 1024 * 1024;
  if (N < 2 || (N & (N - 1)) !== 0) throw codeError(RangeError, 'ERR_CRYPTO_INVALID_SCRYPT_PARAMS', 'Invalid scrypt params: N must be a power of 2 greater than 1');
  // OpenSSL's memory check, which Node applies: 128 * N * r bytes (plus the p blocks).
  if (128 * N * r + 128 * r * p > maxmem) {
    throw codeError(RangeError, 'ERR_CRYPTO_INVALID_SCRYPT_PARAMS', 'Invalid scrypt params: memory limit exceeded');
  }
  return { N, r, p };
}

/** scrypt as Node computes it (N/cost, r/blockSize, p/parallelization, maxmem). */
export function scryptSync(password, salt, keylen, options) {
  checkInteger(keylen, 'keylen');
  const { N, r, p } = scryptParams(options);
  if (keylen === 0) return Buffer.alloc(0);
  if (nativeReady()) return nativeScrypt(bytes(password, 'utf8', 'password'), bytes(salt, 'utf8', 'salt'), N, r, p, keylen);
  const out = nobleScrypt(bytes(password, 'utf8', 'password'), bytes(salt, 'utf8', 'salt'), { N, r, p, dkLen: keylen, maxmem: 2 ** 32 });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** scryptSync with Node's callback forms (…, keylen, [options,] callback). */
export function scrypt(password, salt, keylen, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  if (typeof callback !== 'function') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "callback" argument must be of type function');
  const result = scryptSync(password, salt, keylen, options);
  setTimeout(() => callback(null, result), 0);
}

/** HKDF (RFC 5869) as Node's hkdfSync: an ArrayBuffer of `keylen` bytes. */
export function hkdfSync(digest, ikm, salt, info, keylen) {
  const hash = nobleHash(digest);
  checkInteger(keylen, 'keylen');
  if (keylen > 255 * hash.outputLen) throw codeError(RangeError, 'ERR_CRYPTO_INVALID_KEYLEN', 'Invalid key length');
  const out = nobleHkdf(hash, bytes(ikm, 'utf8', 'ikm'), bytes(salt, 'utf8', 'salt'), bytes(info, 'utf8', 'info'), keylen);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
}

export function hkdf(digest, ikm, salt, info, keylen, callback) {
  const result = hkdfSync(digest, ikm, salt, info, keylen);
  setTimeout(() => callback(null, result), 0);
}

export function getHashes() {
  return ['md5', 'ripemd160', 'rmd160', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
}

/** Node's createSecretKey: an HMAC or cipher key as a KeyObject. */
export function createSecretKey(key, encoding) {
  return new KeyObject('secret', { _secret: Buffer.from(bytes(key, encoding, 'key')) });
}

/** Node's generateKeySync('hmac' | 'aes', { length }) (length in bits). */
export function generateKeySync(type, { length }) {
  return createSecretKey(randomBytes(length / 8));
}

export function generateKey(type, options, callback) {
  const key = generateKeySync(type, options);
  setTimeout(() => callback(null, key), 0);
}

export const constants = {
  RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_AUTO: -2, RSA_PSS_SALTLEN_MAX_SIGN: -2,
  POINT_CONVERSION_COMPRESSED: 2, POINT_CONVERSION_UNCOMPRESSED: 4, POINT_CONVERSION_HYBRID: 6,
};

function unavailable(name, why) {
  return () => {
    throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `crypto.${name}() is not available in a Fabricks component (${why})`);
  };
}

export const createDiffieHellman = unavailable('createDiffieHellman', 'finite-field Diffie-Hellman; use createECDH');
export const getDiffieHellman = unavailable('getDiffieHellman', 'finite-field Diffie-Hellman; use createECDH');
export const createCipher = unavailable('createCipher', 'removed from Node 22; use createCipheriv');
export const createDecipher = unavailable('createDecipher', 'removed from Node 22; use createDecipheriv');
export const X509Certificate = class X509Certificate {
  constructor() {
    unavailable('X509Certificate', 'no certificate parsing')();
  }
};

export function getFips() {
  return 0;
}

export default {
  createHash, createHmac, webcrypto, subtle, randomBytes, pseudoRandomBytes, prng, rng, randomFillSync, randomFill,
  randomUUID, randomInt, getRandomValues, timingSafeEqual, pbkdf2, pbkdf2Sync, scrypt, scryptSync, hkdf, hkdfSync,
  getHashes, KeyObject, createSecretKey, generateKey, generateKeySync, constants, createDiffieHellman,
  getDiffieHellman, createCipher, createDecipher, X509Certificate, getFips,
};
