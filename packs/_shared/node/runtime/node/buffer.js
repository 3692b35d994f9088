// node:buffer inside a component: the npm `buffer` package, with its UTF-8 paths sent to the
// engine's native TextEncoder/TextDecoder. The package converts strings byte by byte in
// JavaScript, which an interpreter (no JIT inside a component) makes the slowest part of
// sending a large body: 4 MB took seconds (bench/README.md).
import * as npmBuffer from 'npm:buffer/';

const { Buffer } = npmBuffer;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');
const UTF8 = new Set([undefined, 'utf8', 'utf-8', 'UTF8', 'UTF-8']);

const from = Buffer.from;
Buffer.from = function fastFrom(value, encodingOrOffset, length) {
  if (typeof value === 'string' && UTF8.has(encodingOrOffset)) {
    const bytes = encoder.encode(value);
    return from.call(this, bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return from.call(this, value, encodingOrOffset, length);
};

const byteLength = Buffer.byteLength;
Buffer.byteLength = function fastByteLength(value, encoding) {
  if (typeof value === 'string' && UTF8.has(encoding) && value.length > 64) return encoder.encode(value).byteLength;
  return byteLength.call(this, value, encoding);
};

// Base64 through the engine's btoa (the package's is a loop per three bytes); hex by table.
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function latin1(bytes) {
  let text = '';
  for (let at = 0; at < bytes.length; at += 8192) text += String.fromCharCode.apply(null, bytes.subarray(at, at + 8192));
  return text;
}

const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function fastToString(encoding, start, end) {
  const utf8 = UTF8.has(encoding);
  if (!utf8 && encoding !== 'base64' && encoding !== 'base64url' && encoding !== 'hex') {
    return toString.call(this, encoding, start, end);
  }
  const from = Math.max(0, start ?? 0);
  const to = Math.min(this.length, end ?? this.length);
  if (to <= from) return '';
  const bytes = this.subarray(from, to);
  if (utf8) return decoder.decode(bytes);
  if (encoding === 'hex') {
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += HEX[bytes[i]];
    return text;
  }
  const text = btoa(latin1(bytes));
  return encoding === 'base64' ? text : text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const write = Buffer.prototype.write;
Buffer.prototype.write = function fastWrite(string, offset, length, encoding) {
  if (typeof offset === 'string') {
    encoding = offset;
    offset = 0;
    length = this.length;
  } else if (typeof length === 'string') {
    encoding = length;
    length = this.length - (offset ?? 0);
  }
  if (!UTF8.has(encoding) || typeof string !== 'string') return write.call(this, string, offset, length, encoding);
  const start = offset ?? 0;
  const room = Math.min(this.length - start, length ?? this.length - start);
  return encoder.encodeInto(string, this.subarray(start, start + room)).written;
};

export * from 'npm:buffer/';
export { Buffer };
export default npmBuffer;
