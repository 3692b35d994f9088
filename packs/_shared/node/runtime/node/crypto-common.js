// What the two halves of node:crypto share: crypto-core.js, the light half (hashes, HMACs,
// random bytes, key derivation), and crypto.js, the whole API (ciphers, signatures, key
// pairs, RSA encryption), which re-exports the light half. KeyObject lives here so that both
// halves see one class.
import { Buffer } from 'buffer';

/** A Node-shaped error with its `code`, as node:crypto throws them. */
export function codeError(Type, code, message) {
  return Object.assign(new Type(message), { code });
}

/** A string (in `encoding`, UTF-8 by default), Buffer, TypedArray, DataView or ArrayBuffer as a Buffer. */
export function bytes(value, encoding, name = 'data') {
  if (typeof value === 'string') return Buffer.from(value, encoding ?? 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof KeyObject && value.type === 'secret') return value._secret;
  throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE',
    `The "${name}" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
}

/** Constant-time comparison (node:crypto timingSafeEqual). @throws {RangeError} on unequal lengths. */
export function timingSafeEqual(a, b) {
  if (a.byteLength !== b.byteLength) {
    throw codeError(RangeError, 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH', 'Input buffers must have the same byte length');
  }
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/** The digest Node (OpenSSL) means by `name`: sha256, SHA256, SHA-256, RSA-SHA256. */
export function digestName(name) {
  let found = digestNames.get(name);
  if (found === undefined) {
    const lower = String(name).toLowerCase().replace(/^rsa-/, '');
    found = lower.replace(/^sha-(\d)/, 'sha$1').replace(/^sha2-(\d)/, 'sha$1').replace(/^sha512\/(\d+)$/, 'sha512-$1');
    if (typeof name === 'string' && digestNames.size < 64) digestNames.set(name, found);
  }
  return found;
}
// The names apps pass, a handful, each per request (three regular expressions in an interpreter).
const digestNames = new Map();

export function pem(label, derBytes) {
  const b64 = derBytes.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function unpem(text) {
  const found = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!found) return null;
  const body = found[2].split('\n').filter((l) => !l.includes(':')).join('');
  return { label: found[1], der: Buffer.from(body.replace(/\s+/g, ''), 'base64') };
}

export const DER_LABELS = { pkcs8: 'PRIVATE KEY', spki: 'PUBLIC KEY', pkcs1: null, sec1: 'EC PRIVATE KEY' };
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');

// An RSA key's details need its ASN.1 parsed: crypto.js, which makes RSA keys, provides that.
let rsaDetails = () => ({});

/** Install how RSA keys' asymmetricKeyDetails are read ((key: KeyObject) => { modulusLength, publicExponent }). */
export function setRsaDetails(read) {
  rsaDetails = read;
}

/** Node's KeyObject: a secret, public or private key. Asymmetric keys keep their PEM form,
 *  which browserify-sign and public-encrypt take; Ed25519 keys their raw 32 bytes. */
export class KeyObject {
  constructor(type, handle) {
    if (!['secret', 'public', 'private'].includes(type)) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'type' is invalid. Received '${type}'`);
    this._type = type;
    Object.assign(this, handle);
  }

  get type() {
    return this._type;
  }

  get asymmetricKeyType() {
    return this._type === 'secret' ? undefined : this._kind;
  }

  get symmetricKeySize() {
    return this._type === 'secret' ? this._secret.length : undefined;
  }

  get asymmetricKeyDetails() {
    if (this._kind === 'ec') return { namedCurve: this._curve };
    if (this._kind === 'rsa') return rsaDetails(this);
    return this._type === 'secret' ? undefined : {};
  }

  /** The key as Node exports it: secret keys as bytes; asymmetric keys as PEM or DER in
   *  pkcs8/spki (and the pkcs1/sec1 form they were given in). */
  export(options = {}) {
    if (this._type === 'secret') return Buffer.from(this._secret);
    const format = options.format ?? 'pem';
    const type = options.type ?? (this._type === 'public' ? 'spki' : 'pkcs8');
    if (format === 'jwk') throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', 'JWK export is not available in a Fabricks component');
    let derBytes;
    let label;
    if (this._kind === 'ed25519') {
      derBytes = Buffer.concat([this._type === 'public' ? ED25519_SPKI : ED25519_PKCS8, this._raw]);
      label = this._type === 'public' ? 'PUBLIC KEY' : 'PRIVATE KEY';
    } else {
      const have = unpem(this._pem);
      const wanted = type === 'pkcs1' ? `RSA ${this._type === 'public' ? 'PUBLIC' : 'PRIVATE'} KEY` : DER_LABELS[type];
      if (have.label !== wanted) {
        throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
          `exporting a ${have.label} as ${type} is not available in a Fabricks component (it exports keys in the form they were made or imported in)`);
      }
      derBytes = have.der;
      label = wanted;
    }
    if (options.cipher) throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', 'encrypting an exported key is not available in a Fabricks component');
    return format === 'der' ? derBytes : pem(label, derBytes);
  }

  equals(other) {
    if (!(other instanceof KeyObject) || other._type !== this._type) return false;
    const a = this._type === 'secret' ? this._secret : this.export({ format: 'der' });
    const b = other._type === 'secret' ? other._secret : other.export({ format: 'der' });
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
