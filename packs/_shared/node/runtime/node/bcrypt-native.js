// bcrypt for JavaScript components, over fabricks:node-crypto's compiled EksBlowfish
// (packs/_shared/node/native-crypto). Two packages apps log users in with reach it:
//
// - `bcrypt` (node.bcrypt.js): its C++ addon can't load in a component, so the package's own
//   JavaScript (argument checks, promises, random salts) gets `binding` below in its place,
//   which does what src/bcrypt_node.cc and src/bcrypt.cc do, byte for byte;
// - `bcryptjs`: pure JavaScript, but its key schedule in the engine's interpreter takes
//   seconds at cost 10; kernels.mjs makes its internal _crypt() ask bcryptjsCrypt() first.
//
// While the app's top level runs at build time the component is not composed yet, so a hash
// made then (a seeded user) is computed in JavaScript: bcryptjs's own code, or for the binding
// bcryptjs from the toolchain.
import { bcrypt as eksBlowfish } from 'fabricks:node-crypto/hashes@0.1.0';
import { Buffer } from 'buffer';
import { isBuilding } from './build-time.js';

const CODE = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const INDEX = new Map([...CODE].map((char, value) => [char, value]));
const SALT_BYTES = 16;
const HASH_BYTES = 23; // of the 24 EksBlowfish gives, as every implementation keeps
const INVALID_SALT = 'Invalid salt. Salt must be in the form of: $Vers$log2(NumRounds)$saltvalue';

/** bcrypt's base64 (its own alphabet, no padding) of the first `length` bytes. */
function encode(bytes, length) {
  let out = '';
  for (let i = 0; i < length;) {
    let c1 = bytes[i++];
    out += CODE[c1 >> 2];
    c1 = (c1 & 0x03) << 4;
    if (i >= length) return out + CODE[c1];
    let c2 = bytes[i++];
    out += CODE[c1 | (c2 >> 4)];
    c1 = (c2 & 0x0f) << 2;
    if (i >= length) return out + CODE[c1];
    c2 = bytes[i++];
    out += CODE[c1 | (c2 >> 6)] + CODE[c2 & 0x3f];
  }
  return out;
}

/** `length` bytes from bcrypt's base64 in `text`; decoding stops at a character outside the
 *  alphabet, as bcrypt.c's does (the bytes after it stay zero here, unset there). */
function decode(text, length) {
  const out = new Uint8Array(length);
  const at = (i) => INDEX.get(text[i]) ?? -1;
  for (let p = 0, o = 0; o < length; p += 4) {
    const c1 = at(p);
    const c2 = at(p + 1);
    if (c1 < 0 || c2 < 0) break;
    out[o++] = (c1 << 2) | ((c2 & 0x30) >> 4);
    const c3 = at(p + 2);
    if (o >= length || c3 < 0) break;
    out[o++] = ((c2 & 0x0f) << 4) | (c3 >> 2);
    const c4 = at(p + 3);
    if (o >= length || c4 < 0) break;
    out[o++] = ((c3 & 0x03) << 6) | c4;
  }
  return out;
}

/** C's atoi over a short field: leading blanks and a sign, then digits; 0 when none. */
function atoi(text) {
  const n = parseInt(text, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** A setting (`$2b$10$` + 22 salt characters, or a whole hash) taken apart as bcrypt.c's
 *  bcrypt() reads it, or null where ValidateSalt() (bcrypt_node.cc) refuses it. */
function parseSetting(setting) {
  if (typeof setting !== 'string' || setting[0] !== '$' || !(setting[1] <= '2')) return null;
  let rest = setting.slice(2);
  let minor = '';
  if (rest[0] !== '$') {
    if (rest[0] !== 'a' && rest[0] !== 'b') return null;
    minor = rest[0];
    rest = rest.slice(1);
  }
  rest = rest.slice(1);
  if (rest[2] !== '$') return null;
  const logRounds = atoi(rest.slice(0, 2));
  if (logRounds > 31 || logRounds < 4) return null;
  rest = rest.slice(3);
  const end = rest.indexOf('\0'); // a C string ends there
  if (Math.floor((end < 0 ? rest.length : end) * 3 / 4) < SALT_BYTES) return null;
  return { minor, logRounds, salt: decode(rest, SALT_BYTES) };
}

/** The key EksBlowfish cycles through, as bcrypt.c makes it of the password's bytes: with the
 *  C string's NUL for $2a$ (its length kept in a byte, the 2a bug) and $2b$ (at most 72 bytes
 *  before it); without for $2$. A key C would read as empty reads its first byte over and over. */
function keyOf(bytes, minor) {
  const withNul = new Uint8Array(bytes.length + 1);
  withNul.set(bytes);
  let length = bytes.length;
  if (minor === 'a') length = (length + 1) & 0xff;
  else if (minor === 'b') length = Math.min(length, 72) + 1;
  return length === 0 ? withNul.subarray(0, 1) : withNul.subarray(0, Math.min(length, 72));
}

function bytesOf(data) {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

let fallback; // bcryptjs, for hashes made at build time
function hashAtBuildTime(data, setting) {
  fallback ??= require('npm:bcryptjs');
  return fallback.hashSync(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'), setting);
}

/** bcrypt.c's bcrypt(): the hash string of `data` (string or Buffer) under `setting`. */
function crypt(data, setting, parsed) {
  if (isBuilding()) return hashAtBuildTime(data, setting);
  const { minor, logRounds, salt } = parsed;
  const sum = eksBlowfish(keyOf(bytesOf(data), minor), salt, logRounds);
  return `$2${minor}$${String(logRounds).padStart(2, '0')}$${encode(salt, SALT_BYTES)}${encode(sum, HASH_BYTES)}`;
}

function expect(count, args, what) {
  if (args.length < count) throw new TypeError(what);
}

function later(callback, ...args) {
  setTimeout(() => callback(...args), 0);
}

function genSaltSync(minor, rounds, seed) {
  if (typeof minor !== 'string') throw new TypeError('First argument must be a string');
  if (!Buffer.isBuffer(seed) || seed.length !== SALT_BYTES) throw new TypeError('Third argument must be a 16 byte Buffer');
  // bcrypt_gensalt() takes the rounds as a byte and clamps them to 4-31.
  const logRounds = Math.min(Math.max((Number(rounds) | 0) & 0xff, 4), 31);
  return `$2${minor[0]}$${String(logRounds).padStart(2, '0')}$${encode(seed, SALT_BYTES)}`;
}

function encryptSync(data, salt) {
  const parsed = parseSetting(String(salt));
  if (!parsed) throw new Error(INVALID_SALT);
  return crypt(data, String(salt), parsed);
}

function compareSync(data, hash) {
  const parsed = parseSetting(String(hash));
  return parsed !== null && crypt(data, String(hash), parsed) === String(hash);
}

function getRounds(hash) {
  // bcrypt_get_rounds(): "$", a version character, an optional minor, "$", then atoi.
  const text = String(hash);
  if (text[0] !== '$' || text.length < 2) throw new Error('invalid hash provided');
  let i = 2;
  if (text[i] !== undefined && text[i] !== '$') i++;
  if (text[i] !== '$') throw new Error('invalid hash provided');
  const rounds = atoi(text.slice(i + 1)) >>> 0;
  if (!rounds) throw new Error('invalid hash provided');
  return rounds;
}

/** The `bcrypt` package's N-API binding (node.bcrypt.js src/bcrypt_node.cc), as its
 *  bcrypt.js calls it; the callback forms answer on a later turn, as the addon's workers do. */
export const binding = {
  gen_salt_sync(...args) {
    expect(3, args, '3 arguments expected');
    return genSaltSync(...args);
  },
  gen_salt(...args) {
    expect(4, args, '4 arguments expected');
    const salt = genSaltSync(args[0], args[1], args[2]);
    later(args[3], undefined, salt);
  },
  encrypt_sync(...args) {
    expect(2, args, '2 arguments expected');
    return encryptSync(args[0], args[1]);
  },
  encrypt(...args) {
    expect(3, args, '3 arguments expected');
    const [data, salt, callback] = args;
    later(() => {
      let hash;
      try {
        hash = encryptSync(data, salt);
      } catch (error) {
        callback(error);
        return;
      }
      callback(undefined, hash);
    });
  },
  compare_sync(...args) {
    expect(2, args, '2 arguments expected');
    return compareSync(args[0], args[1]);
  },
  compare(...args) {
    expect(3, args, '3 arguments expected');
    const [data, hash, callback] = args;
    later(() => callback(undefined, compareSync(data, hash)));
  },
  get_rounds(...args) {
    expect(1, args, '1 argument expected');
    return getRounds(args[0]);
  },
};

/** bcryptjs's _crypt(bytes, salt, rounds) computed natively: the 24 bytes as an array, or
 *  null for bcryptjs's own code to go on (at build time, or arguments it rejects itself). */
export function bcryptjsCrypt(bytes, salt, logRounds) {
  if (isBuilding() || !(logRounds >= 4 && logRounds <= 31) || salt.length !== SALT_BYTES || bytes.length === 0) return null;
  const key = Uint8Array.from(bytes.length > 72 ? bytes.slice(0, 72) : bytes);
  return Array.from(eksBlowfish(key, Uint8Array.from(salt), logRounds));
}
