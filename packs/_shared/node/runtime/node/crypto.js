// node:crypto inside a component: the synchronous hashes and HMACs frameworks use (etag's
// sha1, cookie-signature's sha256 HMAC) from crypto-browserify's create-hash/create-hmac,
// random bytes from the host (wasi:random through the engine's crypto.getRandomValues),
// and WebCrypto as `webcrypto`/`subtle`. Ciphers, key pairs and signing are not here:
// calling one fails naming it (docs/node-express.md).
import createHash from 'npm:create-hash/browser.js';
import createHmac from 'npm:create-hmac/browser.js';
import { Buffer } from 'buffer';

const web = globalThis.crypto;

export { createHash, createHmac };
export const webcrypto = web;
export const subtle = web?.subtle;

/** Random bytes from the host. Called before the build's snapshot, it would bake one value
 *  into every instance: the engine refuses randomness then, which is the right failure. */
export function randomBytes(size, callback) {
  const bytes = randomFillSync(Buffer.alloc(size));
  if (callback) {
    queueMicrotask(() => callback(null, bytes));
    return undefined;
  }
  return bytes;
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

export function randomFill(buffer, offset, size, callback) {
  const done = [offset, size, callback].find((a) => typeof a === 'function');
  const start = typeof offset === 'number' ? offset : 0;
  const length = typeof size === 'number' ? size : undefined;
  randomFillSync(buffer, start, length);
  queueMicrotask(() => done(null, buffer));
}

export function randomUUID() {
  return web.randomUUID();
}

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
    const bytes = randomBytes(6);
    value = bytes.readUIntBE(0, 6);
  } while (value >= limit);
  const result = min + (value % range);
  if (callback) {
    queueMicrotask(() => callback(null, result));
    return undefined;
  }
  return result;
}

/** Constant-time comparison (node:crypto timingSafeEqual). @throws {RangeError} on unequal lengths. */
export function timingSafeEqual(a, b) {
  if (a.byteLength !== b.byteLength) throw new RangeError('Input buffers must have the same byte length');
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

export function getHashes() {
  return ['md5', 'rmd160', 'ripemd160', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
}

export function getRandomValues(array) {
  return web.getRandomValues(array);
}

function unsupported(name) {
  return () => {
    throw new Error(`crypto.${name}() is not available in a Fabricks component (only hashes, HMACs, random bytes and WebCrypto are); use crypto.subtle, or a pure-JS library`);
  };
}

export const createCipheriv = unsupported('createCipheriv');
export const createDecipheriv = unsupported('createDecipheriv');
export const createSign = unsupported('createSign');
export const createVerify = unsupported('createVerify');
export const generateKeyPair = unsupported('generateKeyPair');
export const generateKeyPairSync = unsupported('generateKeyPairSync');
export const pbkdf2 = unsupported('pbkdf2');
export const pbkdf2Sync = unsupported('pbkdf2Sync');
export const scrypt = unsupported('scrypt');
export const scryptSync = unsupported('scryptSync');
export const createPublicKey = unsupported('createPublicKey');
export const createPrivateKey = unsupported('createPrivateKey');
export const createSecretKey = unsupported('createSecretKey');

export default {
  createHash, createHmac, webcrypto, subtle, randomBytes, pseudoRandomBytes, prng, rng, randomFillSync, randomFill,
  randomUUID, randomInt, timingSafeEqual, getHashes, getRandomValues, createCipheriv, createDecipheriv, createSign,
  createVerify, generateKeyPair, generateKeyPairSync, pbkdf2, pbkdf2Sync, scrypt, scryptSync, createPublicKey,
  createPrivateKey, createSecretKey,
};
