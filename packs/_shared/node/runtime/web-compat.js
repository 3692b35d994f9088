// What StarlingMonkey's Fetch API lacks that frameworks use, filled in before the app loads.
//
// - Response.prototype.clone() is missing (Hono's etag middleware calls it). The global
//   Response becomes a subclass that remembers a body given whole (string, bytes, Blob,
//   FormData, URLSearchParams, null) and clones it by making a new Response from that same
//   source. A streamed body can't be re-read from its source: cloning one throws, naming why.
// - The engine adds a Content-Length to a Response made from a whole body, and frameworks copy
//   headers from one Response to the next (Hono's onError): `knownLength(response)` gives the
//   true length so the bridge can send the right one.
/** The engine's own Response: Response.json() and Response.redirect() still make these. */
export const BaseResponse = globalThis.Response;
const SOURCE = Symbol('fabricks.bodySource');
const encoder = new TextEncoder();

function wholeBody(body) {
  return body === null || body === undefined || typeof body === 'string' || body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) || body instanceof Blob || body instanceof URLSearchParams ||
    (typeof FormData !== 'undefined' && body instanceof FormData);
}

function copyOf(body) {
  if (body instanceof ArrayBuffer) return body.slice(0);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return body;
}

class Response extends BaseResponse {
  constructor(body = null, init = undefined) {
    super(body, init);
    // Kept by reference: Response has read it already, and clone() copies it then.
    Object.defineProperty(this, SOURCE, { value: wholeBody(body) ? { body } : null });
  }

  clone() {
    if (typeof BaseResponse.prototype.clone === 'function') return BaseResponse.prototype.clone.call(this);
    const source = this[SOURCE];
    if (!source) {
      throw new TypeError('Response.clone() of a streamed body is not supported in this WebAssembly component');
    }
    if (this.bodyUsed) throw new TypeError('Response.clone: body has already been consumed');
    return new Response(copyOf(source.body), { status: this.status, statusText: this.statusText, headers: new Headers(this.headers) });
  }
}

if (typeof BaseResponse.prototype.clone !== 'function') {
  globalThis.Response = Response;
}

/** The body's length in bytes when the Response was made from a string or bytes, else null. */
export function knownLength(response) {
  const source = response[SOURCE];
  if (!source) return null;
  const { body } = source;
  if (body === null || body === undefined) return 0;
  if (typeof body === 'string') return encoder.encode(body).length;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  return null;
}
