// node:http inside a component. WASI gives a component no socket: the host (wasmtime serve)
// owns the accept loop and calls wasi:http/incoming-handler once per request. So
// `http.createServer(listener).listen(port)` registers the listener instead of binding, and
// each incoming-request becomes (in the node-express pack's bridge, serve-node.js) an
// IncomingMessage/ServerResponse pair that behaves as Node's (v22 `node:http`): headers and rawHeaders, a readable body read as the app asks
// for it, `writeHead`/`setHeader` (arrays kept: several Set-Cookie), `write`/`end` streamed
// to the client chunk by chunk, 'finish' and 'close' events. Outgoing requests (http.request,
// http.get) go through the host: _http_client.js. docs/node-express.md lists what differs from Node.
import { EventEmitter } from 'events';
import { Readable, Stream } from 'stream';
import { Buffer } from 'buffer';
import { describe } from '../wasi-http.js';
import { HOP_BY_HOP, bodyless } from '../http-rules.js';
import { ClientRequest, getter, requester } from './_http_client.js';
import { isBuilding } from './build-time.js';

export const METHODS = [
  'ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
  'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH',
  'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK',
  'UNLOCK', 'UNSUBSCRIBE',
];

export const STATUS_CODES = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked',
  424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended',
  511: 'Network Authentication Required',
};

export const maxHeaderSize = 16384;

// Node keeps the first of these when a request repeats them (_http_incoming.js matchKnownFields).
const SINGLE = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

// Connection-level fields belong to the host's HTTP connection; wasi:http refuses them.

const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function nodeError(code, message, Type = Error) {
  const error = new Type(message);
  error.code = code;
  return error;
}

/** req.headers as Node builds it from rawHeaders: lower-case names; set-cookie an array;
 *  the single-valued fields keep their first value; cookie joined with "; "; others ", ". */
export function headersObject(rawHeaders) {
  const headers = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    if (!(name in headers)) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (name === 'set-cookie') headers[name].push(value);
    else if (SINGLE.has(name)) continue;
    else headers[name] += name === 'cookie' ? `; ${value}` : `, ${value}`;
  }
  return headers;
}

/** The connection the request came on, as far as a component knows it: the host does not
 *  tell the client's address (remoteAddress is undefined), only whether it was HTTPS. */
export class Socket extends EventEmitter {
  constructor(encrypted) {
    super();
    this.encrypted = encrypted || undefined;
    this.remoteAddress = undefined;
    this.remotePort = undefined;
    this.remoteFamily = undefined;
    this.localAddress = undefined;
    this.localPort = undefined;
    this.readable = true;
    this.writable = true;
    this.destroyed = false;
    this.bytesRead = 0;
    this.bytesWritten = 0;
  }

  address() {
    return {};
  }

  setTimeout(ms, callback) {
    if (callback) this.once('timeout', callback);
    return this;
  }

  setNoDelay() { return this; }

  setKeepAlive() { return this; }

  ref() { return this; }

  unref() { return this; }

  cork() {}

  uncork() {}

  end() { return this; }

  destroy() {
    this.destroyed = true;
    return this;
  }
}

/** The request (node:http IncomingMessage): a Readable of the body, read from the host as
 *  the app consumes it. */
export class IncomingMessage extends Readable {
  constructor(socket) {
    super();
    this.socket = socket;
    this.httpVersionMajor = 1;
    this.httpVersionMinor = 1;
    this.httpVersion = '1.1';
    this.complete = false;
    this.aborted = false;
    this.upgrade = false;
    this.url = '';
    this.method = null;
    this.statusCode = null;
    this.statusMessage = null;
    this.rawHeaders = [];
    this.headers = {};
    this.rawTrailers = [];
    this.trailers = {};
    this._reader = null;
  }

  get connection() {
    return this.socket;
  }

  get headersDistinct() {
    const out = Object.create(null);
    for (let i = 0; i < this.rawHeaders.length; i += 2) {
      const name = this.rawHeaders[i].toLowerCase();
      (out[name] ??= []).push(this.rawHeaders[i + 1]);
    }
    return out;
  }

  get trailersDistinct() {
    return Object.create(null);
  }

  _read() {
    let chunk;
    try {
      chunk = this._reader ? this._reader.read() : null;
    } catch (error) {
      this.aborted = true;
      this.emit('aborted');
      this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET', cause: error }));
      return;
    }
    if (chunk === null) {
      this.complete = true;
      this.push(null);
    } else {
      this.socket.bytesRead += chunk.length;
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  }

  setTimeout(ms, callback) {
    if (callback) this.once('timeout', callback);
    return this;
  }
}

function toBytes(chunk, encoding) {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8');
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw nodeError('ERR_INVALID_ARG_TYPE', 'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array', TypeError);
}

/** Node's OutgoingMessage: the header store of a message being written. */
export class OutgoingMessage extends Stream {
  constructor() {
    super();
    this._fields = new Map(); // lower-case name -> [name as set, value (string | string[])]
    this._header = null; // the header list once fixed (writeHead, or the first write)
    this.finished = false;
    this.writable = true;
    this.writableEnded = false;
    this.writableFinished = false;
    this.writableCorked = 0;
    this.writableHighWaterMark = 16384;
    this.writableLength = 0;
    this.writableObjectMode = false;
    this.writableNeedDrain = false;
    this.destroyed = false;
    this.sendDate = true;
    this.chunkedEncoding = false;
    this.useChunkedEncodingByDefault = true;
    this.shouldKeepAlive = true;
    this.strictContentLength = false;
  }

  setHeader(name, value) {
    this._notSent('set');
    validateHeader(name, value);
    this._fields.set(String(name).toLowerCase(), [String(name), Array.isArray(value) ? value.map(String) : String(value)]);
    return this;
  }

  setHeaders(headers) {
    for (const [name, value] of headers instanceof Map || headers instanceof Headers ? headers : Object.entries(headers)) {
      this.setHeader(name, value);
    }
    return this;
  }

  appendHeader(name, value) {
    this._notSent('append');
    validateHeader(name, value);
    const key = String(name).toLowerCase();
    const existing = this._fields.get(key);
    const added = Array.isArray(value) ? value.map(String) : [String(value)];
    if (!existing) this._fields.set(key, [String(name), added.length === 1 ? added[0] : added]);
    else existing[1] = [].concat(existing[1], added);
    return this;
  }

  getHeader(name) {
    return this._fields.get(String(name).toLowerCase())?.[1];
  }

  getHeaders() {
    const out = Object.create(null);
    for (const [key, [, value]] of this._fields) out[key] = value;
    return out;
  }

  getHeaderNames() {
    return [...this._fields.keys()];
  }

  getRawHeaderNames() {
    return [...this._fields.values()].map(([name]) => name);
  }

  hasHeader(name) {
    return this._fields.has(String(name).toLowerCase());
  }

  removeHeader(name) {
    this._notSent('remove');
    this._fields.delete(String(name).toLowerCase());
  }

  /** @throws {Error} ERR_HTTP_HEADERS_SENT once the headers are fixed. */
  _notSent(verb) {
    if (this._header) throw nodeError('ERR_HTTP_HEADERS_SENT', `Cannot ${verb} headers after they are sent to the client`);
  }

  /** Node's getter: the headers are fixed (writeHead() or the first write). */
  get headersSent() {
    return this._header !== null;
  }

  addTrailers() {}

  cork() {
    this.writableCorked++;
  }

  uncork() {
    if (this.writableCorked > 0) this.writableCorked--;
  }

  setTimeout(ms, callback) {
    if (callback) this.once('timeout', callback);
    return this;
  }

  get connection() {
    return this.socket;
  }
}

/** Node's http.validateHeaderName. @throws {TypeError} ERR_INVALID_HTTP_TOKEN */
export function validateHeaderName(name) {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw nodeError('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`, TypeError);
  }
}

/** Node's http.validateHeaderValue (a value or an array of them).
 *  @throws {TypeError} ERR_HTTP_INVALID_HEADER_VALUE, ERR_INVALID_CHAR */
export function validateHeaderValue(name, value) {
  if (value === undefined) {
    throw nodeError('ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value "undefined" for header "${name}"`, TypeError);
  }
  for (const one of Array.isArray(value) ? value : [value]) {
    if (INVALID_VALUE.test(String(one))) {
      throw nodeError('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`, TypeError);
    }
  }
}

function validateHeader(name, value) {
  validateHeaderName(name);
  validateHeaderValue(name, value);
}

/**
 * The response (node:http ServerResponse), written to the wasi:http response-outparam.
 * Headers are fixed by writeHead() or the first write()/end() and reach the host when the
 * first byte is written, or at end(); each write() then goes out at once (no buffering).
 * A body given whole to end() before the headers gets a Content-Length, as in Node.
 */
export class ServerResponse extends OutgoingMessage {
  constructor(req, writer) {
    super();
    this.req = req;
    this.socket = req.socket;
    this.statusCode = 200;
    this.statusMessage = undefined;
    this._writer = writer;
    this._contentLength = null;
    this._done = null; // called once the response is complete or failed
  }

  writeHead(statusCode, reason, headers) {
    this._notSent('write');
    if (typeof reason !== 'string') {
      headers = reason;
      reason = undefined;
    }
    const code = Number(statusCode);
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw nodeError('ERR_HTTP_INVALID_STATUS_CODE', `Invalid status code: ${statusCode}`, RangeError);
    }
    this.statusCode = code;
    this.statusMessage = reason ?? this.statusMessage ?? STATUS_CODES[code] ?? 'unknown';
    if (Array.isArray(headers)) {
      // As Node: after setHeader() only a flat [name, value, ...] list is taken, each pair
      // set over what was there; otherwise [[name, value], ...] or flat, each value kept.
      const progressive = this._fields.size > 0;
      if ((progressive || !Array.isArray(headers[0])) && headers.length % 2 !== 0) {
        throw nodeError('ERR_INVALID_ARG_VALUE', "The argument 'headers' is invalid", TypeError);
      }
      const pairs = !progressive && Array.isArray(headers[0]) ? headers
        : headers.flatMap((_, i) => (i % 2 ? [] : [[headers[i], headers[i + 1]]]));
      for (const [name, value] of pairs) {
        if (progressive) this.setHeader(name, value);
        else this.appendHeader(name, value);
      }
    } else if (headers) {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value);
    }
    this._storeHeader();
    return this;
  }

  _implicitHeader() {
    this.writeHead(this.statusCode);
  }

  _storeHeader() {
    const list = [];
    let hasLength = false;
    for (const [key, [name, value]] of this._fields) {
      if (HOP_BY_HOP.has(key)) continue;
      if (key === 'content-length') hasLength = true;
      for (const one of Array.isArray(value) ? value : [value]) list.push([name, one]);
    }
    const hasBody = !bodyless(this.statusCode, this.req.method);
    if (!hasLength && hasBody && this._contentLength !== null) list.push(['Content-Length', String(this._contentLength)]);
    this._header = list;
  }

  flushHeaders() {
    if (!this._header) this._implicitHeader();
    this._start();
  }

  _start() {
    if (!this._writer.started) this._writer.start(this.statusCode, this._header);
  }

  write(chunk, encoding, callback) {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (this.writableEnded) {
      const error = nodeError('ERR_STREAM_WRITE_AFTER_END', 'write after end');
      queueMicrotask(() => {
        callback?.(error);
        this.emit('error', error);
      });
      return false;
    }
    if (chunk === null) throw nodeError('ERR_STREAM_NULL_VALUES', 'May not write null values to stream', TypeError);
    const bytes = toBytes(chunk, encoding);
    if (!this._header) this._implicitHeader();
    this._send(bytes);
    if (callback) queueMicrotask(() => callback());
    return true;
  }

  _send(bytes) {
    if (this.destroyed) return;
    this._start();
    if (bytes.length) {
      if (!this._writer.write(bytes)) {
        this._lost();
        return;
      }
      this.socket.bytesWritten += bytes.length;
    }
  }

  /**
   * The connection was lost (ResponseWriter.write): as in Node no exception reaches the app;
   * the response ends ('close'), what it writes later is dropped, the instance serves on.
   */
  _lost() {
    this.destroyed = true;
    queueMicrotask(() => {
      this._complete();
      this.emit('close');
    });
  }

  end(chunk, encoding, callback) {
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (this.writableEnded) {
      if (callback) queueMicrotask(() => callback());
      return this;
    }
    const bytes = chunk === undefined || chunk === null ? null : toBytes(chunk, encoding);
    if (!this._header) {
      this._contentLength = bytes ? bytes.length : 0;
      this._implicitHeader();
    }
    if (this.destroyed) return this;
    try {
      this._send(bytes ?? new Uint8Array(0));
      // What is left of the request body is dropped first, as Node drops it: finishing the
      // response is then the last host call (the host may give the client's next request to
      // another instance until this one returns).
      if (!this.destroyed) {
        this.req._reader?.close();
        this._writer.finish();
      }
    } finally {
      this.writableEnded = true;
      this.finished = true;
      this.writable = false;
    }
    if (this.destroyed) return this; // the connection was lost: 'close' is on its way
    queueMicrotask(() => {
      this.writableFinished = true;
      this.emit('prefinish');
      this.emit('finish');
      callback?.();
      this._complete();
      this.emit('close');
    });
    return this;
  }

  /** Ends the response abnormally: a 500 if nothing was sent yet, else a truncated body. */
  destroy(error) {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableFinished) {
      try {
        this._writer.fail();
      } catch (failure) {
        console.error(`could not end the response: ${describe(failure)}`);
      }
    }
    queueMicrotask(() => {
      if (error) this.emit('error', error);
      this._complete();
      this.emit('close');
    });
    return this;
  }

  _complete() {
    const done = this._done;
    this._done = null;
    done?.();
  }

  writeContinue() {}

  writeProcessing() {}

  writeEarlyHints(hints, callback) {
    callback?.();
  }

  assignSocket(socket) {
    this.socket = socket;
  }

  detachSocket() {}
}

/** An http.Server that never binds: listen() makes it the one that answers the host's
 *  requests (the last one to listen wins, as one port would). 'listening' and the listen
 *  callback come once the instance serves its first request. */
export class Server extends EventEmitter {
  constructor(options, requestListener) {
    super();
    if (typeof options === 'function') requestListener = options;
    if (requestListener) this.on('request', requestListener);
    this.listening = false;
    this.timeout = 0;
    this.keepAliveTimeout = 5000;
    this.headersTimeout = 60000;
    this.requestTimeout = 300000;
    this.maxHeadersCount = null;
    this.maxRequestsPerSocket = 0;
    this._port = 0;
    this._listened = null; // resolves whenListening()
    created.push(this);
  }

  /** Settles when listen() is called (the entry waits for an app that listens once ready). */
  whenListening() {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this._listened = resolve;
    });
  }

  listen(...args) {
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    const first = args[0];
    const options = typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
    this._port = Number(options.port) || 0;
    this._host = options.host;
    this.listening = true;
    if (callback) this.once('listening', callback);
    listening = this;
    pendingListening.push(this);
    this._listened?.();
    return this;
  }

  address() {
    if (!this.listening) return null;
    const address = this._host && this._host !== 'localhost' ? this._host : '::';
    return { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: this._port };
  }

  close(callback) {
    this.listening = false;
    if (listening === this) listening = null;
    queueMicrotask(() => {
      this.emit('close');
      callback?.();
    });
    return this;
  }

  closeAllConnections() {}

  closeIdleConnections() {}

  setTimeout(ms, callback) {
    if (callback) this.on('timeout', callback);
    return this;
  }

  ref() { return this; }

  unref() { return this; }

  [Symbol.asyncDispose]() {
    return new Promise((resolve) => this.close(resolve));
  }
}

let listening = null; // the Server that listen() was last called on
const pendingListening = []; // Servers whose 'listening' is still to come
const created = []; // every Server made, in order

/** The server an app's top level started with listen(), if any. */
export function listeningServer() {
  return listening;
}

/** The last server made that has not listened (yet), if any. */
export function pendingServer() {
  return created.findLast((server) => !server.listening && server.listenerCount('request') > 0) ?? null;
}

export function createServer(options, requestListener) {
  return new Server(options, requestListener);
}

export const request = requester('http:');
export const get = getter('http:');
export { ClientRequest };

export class Agent {
  constructor(options) {
    this.options = options ?? {};
  }

  destroy() {}
}

export const globalAgent = new Agent();

export function setMaxIdleHTTPParsers() {}

/** Emits 'listening' on the servers that listened since the last call: the instance now serves. */
export function announceListening() {
  // Not for a build-time warm-up request: the app's "listening" log line belongs to each instance.
  if (isBuilding()) return;
  for (const server of pendingListening.splice(0)) server.emit('listening');
}

export default {
  METHODS, STATUS_CODES, maxHeaderSize, IncomingMessage, OutgoingMessage, ServerResponse, Server, Agent, globalAgent,
  createServer, request, get, ClientRequest, validateHeaderName, validateHeaderValue, setMaxIdleHTTPParsers,
};
