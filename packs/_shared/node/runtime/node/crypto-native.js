// node:crypto's Hash and Hmac objects, PBKDF2 and scrypt, computed by the component's
// fabricks:node-crypto/hashes (packs/_shared/node/native-crypto: RustCrypto compiled to wasm,
// composed into the component by build.mjs). The engine runs JavaScript in an interpreter,
// where one SHA-256 block costs about 0.3 ms: Express's ETag of a 2 KB page took 5 ms and
// PBKDF2 at 1,000 iterations 0.6 s, against microseconds compiled.
//
// While the app's top level runs at build time the component is not composed yet (the engine
// is snapshotted alone), so what is hashed then is hashed in JavaScript (crypto-core.js falls
// back); a Hash made then stays a JavaScript one.
import { hash, Hasher, pbkdf2, scrypt } from 'fabricks:node-crypto/hashes@0.1.0';
import { Buffer } from 'buffer';
import { Transform } from 'stream';
import { bytes, codeError } from './crypto-common.js';
import { isBuilding } from './build-time.js';

/** The digests (digestName() form) fabricks:node-crypto computes: those of OpenSSL's that apps
 *  name (Node's getHashes() lists more: SHAKE, BLAKE2, SM3, which stay unsupported). */
const DIGESTS = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha512-224', 'sha512-256',
  'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512', 'ripemd160', 'rmd160']);

/** Whether the compiled hashes can be called now: not while the top level runs at build time. */
export function nativeReady() {
  return !isBuilding();
}

/** Whether `digest` (a digestName()) is computed natively now. */
export function nativeDigest(digest) {
  return DIGESTS.has(digest) && nativeReady();
}

const EMPTY = new Uint8Array(0);

function buffer(array) {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Node's LazyTransform (lib/internal/streams/lazy_transform.js): a Transform whose stream
 *  state is made on first use, so that a hash used through update() and digest() alone, as
 *  almost every one is, never pays for a stream's state (readable-stream's constructors). */
function LazyTransform() {}
Object.setPrototypeOf(LazyTransform.prototype, Transform.prototype);
Object.setPrototypeOf(LazyTransform, Transform);
for (const name of ['_readableState', '_writableState']) {
  Object.defineProperty(LazyTransform.prototype, name, {
    get() {
      Transform.call(this);
      this._writableState.decodeStrings = false;
      return this[name];
    },
    set(value) {
      Object.defineProperty(this, name, { value, enumerable: true, configurable: true, writable: true });
    },
    configurable: true,
    enumerable: true,
  });
}

/** What a native Hash and Hmac share: update(data, [inputEncoding]) -> this,
 *  digest([outputEncoding]) -> Buffer or string, each as Node checks them; a Transform stream
 *  (written data is hashed, the digest is read). Each call into the hashes component costs
 *  about 10 us here, so the first chunk waits: a message given in one update() (an ETag, a
 *  cookie's signature) is hashed by one call. */
class NativeDigest extends LazyTransform {
  constructor(digest, key, hasher) {
    super();
    this._digestName = digest;
    this._key = key;
    this._hasher = hasher;
    this._pending = null;
    this._finalized = false;
  }

  update(data, encoding) {
    if (this._finalized) throw codeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    const chunk = bytes(data, encoding, 'data');
    if (this._hasher === undefined && this._pending === null) {
      this._pending = typeof data === 'string' ? chunk : new Uint8Array(chunk); // the caller may reuse its buffer
      return this;
    }
    this._running().update(chunk);
    return this;
  }

  digest(encoding) {
    if (this._finalized) throw codeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    this._finalized = true;
    const out = buffer(this._hasher === undefined
      ? hash(this._digestName, this._key, this._pending ?? EMPTY)
      : this._running().digest());
    this._pending = null;
    return encoding && encoding !== 'buffer' ? out.toString(encoding) : out;
  }

  /** The component's hasher, made (and given the waiting chunk) on first need. */
  _running() {
    if (this._hasher === undefined) {
      this._hasher = new Hasher(this._digestName, this._key);
      if (this._pending !== null) this._hasher.update(this._pending);
      this._pending = null;
    }
    return this._hasher;
  }

  _transform(chunk, encoding, callback) {
    this.update(chunk, encoding === 'buffer' ? undefined : encoding);
    callback();
  }

  _flush(callback) {
    this.push(this.digest());
    callback();
  }
}

/** A node:crypto Hash of `digest` (one nativeDigest() accepts), with copy(). */
export class NativeHash extends NativeDigest {
  constructor(digest, hasher) {
    super(digest, undefined, hasher);
  }

  /** Node's hash.copy(): an independent Hash with the state so far. */
  copy() {
    if (this._finalized) throw codeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    return new NativeHash(this._digestName, this._running().clone());
  }
}

/** A node:crypto Hmac of `digest` keyed with `key` (bytes). */
export class NativeHmac extends NativeDigest {
  constructor(digest, key) {
    super(digest, key, undefined);
  }
}

/** PBKDF2-HMAC-`digest` (a native one), `keylen` bytes, as a Buffer. */
export function nativePbkdf2(digest, password, salt, iterations, keylen) {
  return buffer(pbkdf2(digest, password, salt, iterations, keylen));
}

/** scrypt with N a power of two, as a Buffer; parameters the algorithm refuses throw as Node's. */
export function nativeScrypt(password, salt, N, r, p, keylen) {
  try {
    return buffer(scrypt(password, salt, Math.log2(N), r, p, keylen));
  } catch (error) {
    throw codeError(RangeError, 'ERR_CRYPTO_INVALID_SCRYPT_PARAMS', `Invalid scrypt params: ${error.payload ?? error.message ?? error}`);
  }
}
