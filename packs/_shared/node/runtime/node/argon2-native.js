// The `argon2` package's N-API binding (node-argon2 0.40 and later: argon2.cpp's `hash`), over
// fabricks:node-crypto's compiled Argon2 (RustCrypto's argon2 crate): the addon can't load in
// a component, so the package's own JavaScript (options, salts, PHC strings, verify) gets this
// in its place (kernels.mjs). A hash made while the app's top level runs at build time, before
// the composition, is computed by @noble/hashes in JavaScript.
import { argon2 as compiled } from 'fabricks:node-crypto/hashes@0.1.0';
import { Buffer } from 'buffer';
import { isBuilding } from './build-time.js';

const NAMES = ['argon2d', 'argon2i', 'argon2id'];
const U32 = 2 ** 32 - 1;

/** argon2's validate_inputs() (src/core.c), in its order and with its messages, for the
 *  parameters a caller chooses; null when they pass. */
function refused({ hashLength, salt, secret, data, m, t, p, type }) {
  if (hashLength < 4) return 'Output is too short';
  if (hashLength > U32) return 'Output is too long';
  if (salt.length < 8) return 'Salt is too short';
  if (secret.length > U32) return 'Secret is too long';
  if (data.length > U32) return 'Associated data is too long';
  if (m < 8) return 'Memory cost is too small';
  if (m > U32) return 'Memory cost is too large';
  if (m < 8 * p) return 'Memory cost is too small';
  if (t < 1) return 'Time cost is too small';
  if (t > U32) return 'Time cost is too large';
  if (p < 1) return 'Too few lanes';
  if (p > 2 ** 24 - 1) return 'Too many lanes';
  if (!(type in NAMES)) return 'There is no such version of Argon2';
  return null;
}

function bytes(buffer) {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

let noble; // @noble/hashes/argon2, for build time
function hashAtBuildTime({ hashLength, password, salt, secret, data, m, t, p, type, version }) {
  noble ??= require('npm:@noble/hashes/argon2.js');
  return noble[NAMES[type]](bytes(password), bytes(salt), {
    t, m, p, dkLen: hashLength, version, ...(secret.length ? { key: bytes(secret) } : {}),
    ...(data.length ? { personalization: bytes(data) } : {}),
  });
}

function hashNow(args) {
  const params = {
    password: args.password, salt: args.salt, secret: args.secret, data: args.data,
    hashLength: Number(args.hashLength), m: Number(args.m), t: Number(args.t), p: Number(args.p),
    type: Number(args.type), version: Number(args.version),
  };
  const message = refused(params);
  if (message) throw new Error(message);
  if (isBuilding()) return Buffer.from(hashAtBuildTime(params));
  const { password, salt, secret, data, hashLength, m, t, p, type, version } = params;
  try {
    return Buffer.from(compiled(type, version, m, t, p, hashLength, bytes(password), bytes(salt), bytes(secret), bytes(data)));
  } catch (error) {
    // What the compiled crate refuses beyond argon2's own checks: associated data over 32
    // bytes, an unknown version.
    throw new Error(String(error.payload ?? error.message ?? error));
  }
}

/** The binding: `hash({password, salt, secret, data: Buffer, hashLength, m, t, p, type,
 *  version: number})` -> Promise<Buffer>, settled on a later turn as the addon's worker is. */
export const binding = {
  hash(args) {
    if (arguments.length !== 1 || !Buffer.isBuffer(args?.password)) {
      // argon2 before 0.40 called its binding as hash(plain, salt, options, callback).
      throw new TypeError('this version of the argon2 package calls a binding Fabricks does not stand in for: use argon2 0.40 or later');
    }
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        try {
          resolve(hashNow(args));
        } catch (error) {
          reject(error);
        }
      }, 0);
    });
  },
};
