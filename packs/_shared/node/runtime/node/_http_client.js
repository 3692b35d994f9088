// node:http's client (http.request, http.get; https likewise) in a component: the host makes
// the request (wasi:http/outgoing-handler, ../wasi-http.js sendOutgoing), TLS included. Not
// through the engine's fetch: its fetch aborts the whole instance when a connection is
// refused, where Node's client emits 'error' (ECONNREFUSED) and the service serves on. Node's
// API as Node 22 has it (lib/_http_client.js): a ClientRequest that is a Writable of the body,
// 'response' with an IncomingMessage-like Readable (statusCode, headers, rawHeaders, body
// streamed as read), 'error' with Node's error codes (ECONNREFUSED, ENOTFOUND, ETIMEDOUT,
// ECONNRESET), 'timeout', abort()/destroy(). The body is sent once end() is called.
import { Readable, Writable } from 'stream';
import { Buffer } from 'buffer';
import { sendOutgoing } from '../wasi-http.js';
import { STATUS_CODES } from './http.js'; // (a cycle: read per response, after both load)
import { HOST_SET } from '../http-rules.js';

function nodeError(code, message) {
  return Object.assign(new Error(message), { code });
}

/** Node's error for the wasi:http error-code the host reported. */
function connectionError(error, host, port) {
  const code = error?.wasiCode ?? '';
  const where = `${host}:${port}`;
  if (code === 'not-granted') return Object.assign(nodeError('EACCES', error.message), { syscall: 'connect', address: host, port });
  if (code === 'connection-refused') return Object.assign(nodeError('ECONNREFUSED', `connect ECONNREFUSED ${where}`), { errno: -111, syscall: 'connect', address: host, port });
  if (/^DNS-|destination-not-found/.test(code)) return Object.assign(nodeError('ENOTFOUND', `getaddrinfo ENOTFOUND ${host}`), { errno: -3008, syscall: 'getaddrinfo', hostname: host });
  if (/timeout/.test(code)) return Object.assign(nodeError('ETIMEDOUT', `connect ETIMEDOUT ${where}`), { syscall: 'connect' });
  return Object.assign(nodeError('ECONNRESET', `${error?.message ?? error} (${where})`), { cause: error });
}

/** Node's argument forms: (url[, options][, callback]) or (options[, callback]). */
function normalize(defaultProtocol, input, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, undefined];
  let opts;
  if (typeof input === 'string' || input instanceof URL) {
    const url = new URL(input);
    opts = { protocol: url.protocol, hostname: url.hostname, port: url.port, path: url.pathname + url.search,
      auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined, ...options };
  } else {
    if (typeof input === 'function') [callback, input] = [input, {}];
    opts = { ...input };
  }
  const protocol = opts.protocol ?? defaultProtocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw Object.assign(new TypeError(`Protocol "${protocol}" not supported. Expected "${defaultProtocol}"`), { code: 'ERR_INVALID_PROTOCOL' });
  }
  const hostname = (opts.hostname ?? opts.host ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = Number(opts.port || opts.defaultPort || (protocol === 'https:' ? 443 : 80));
  return { opts: { ...opts, protocol, hostname, port, method: (opts.method ?? 'GET').toUpperCase(), path: opts.path ?? '/' }, callback };
}

/** The response (an IncomingMessage as Node's client gives it): a Readable of the body,
 *  read from the host as the app consumes it. */
class ClientResponse extends Readable {
  constructor(answer, socket) {
    super();
    this.socket = socket;
    this.statusCode = answer.status;
    this.statusMessage = STATUS_CODES[answer.status] ?? '';
    this.httpVersion = '1.1';
    this.httpVersionMajor = 1;
    this.httpVersionMinor = 1;
    this.rawHeaders = answer.rawHeaders;
    this.headers = {};
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      const name = answer.rawHeaders[i].toLowerCase();
      const value = answer.rawHeaders[i + 1];
      if (name === 'set-cookie') (this.headers[name] ??= []).push(value);
      else this.headers[name] = name in this.headers ? `${this.headers[name]}, ${value}` : value;
    }
    this.trailers = {};
    this.rawTrailers = [];
    this.complete = false;
    this._reader = answer.body;
  }

  _read() {
    let chunk;
    try {
      chunk = this._reader.read();
    } catch (error) {
      this.destroy(nodeError('ECONNRESET', `the response body broke off: ${error?.message ?? error}`));
      return;
    }
    if (chunk === null) {
      this.complete = true;
      this.push(null);
    } else {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  }

  _destroy(error, callback) {
    this._reader.close(); // read to its end or not, its handles are dropped now
    callback(error);
  }

  setTimeout(ms, callback) {
    if (callback) this.once('timeout', callback);
    return this;
  }
}

/** Node's ClientRequest: headers until end(), a Writable of the body; the request goes out on end(). */
export class ClientRequest extends Writable {
  constructor(defaultProtocol, input, options, callback) {
    super({ autoDestroy: false }); // as Node's: still usable (destroy, 'error') after 'finish'

    const { opts, callback: cb } = normalize(defaultProtocol, input, options, callback);
    this._opts = opts;
    this.method = opts.method;
    this.path = opts.path;
    this.host = opts.hostname;
    this.protocol = opts.protocol;
    this.aborted = false;
    this.reusedSocket = false;
    this._headers = new Map();
    this._chunks = [];
    this._timeout = opts.timeout;
    for (const [name, value] of Object.entries(opts.headers ?? {})) this.setHeader(name, value);
    if (opts.auth && !this.hasHeader('authorization')) {
      this.setHeader('Authorization', `Basic ${Buffer.from(opts.auth).toString('base64')}`);
    }
    this.socket = { remoteAddress: opts.hostname, remotePort: opts.port, setTimeout() {}, setNoDelay() {}, setKeepAlive() {} };
    if (cb) this.once('response', cb);
    if (opts.signal) opts.signal.addEventListener('abort', () => this.destroy(nodeError('ABORT_ERR', 'The operation was aborted')), { once: true });
  }

  setHeader(name, value) {
    this._headers.set(String(name).toLowerCase(), [String(name), value]);
    return this;
  }

  getHeader(name) {
    return this._headers.get(String(name).toLowerCase())?.[1];
  }

  hasHeader(name) {
    return this._headers.has(String(name).toLowerCase());
  }

  removeHeader(name) {
    this._headers.delete(String(name).toLowerCase());
  }

  getHeaders() {
    return Object.fromEntries([...this._headers].map(([key, [, value]]) => [key, value]));
  }

  getRawHeaderNames() {
    return [...this._headers.values()].map(([name]) => name);
  }

  flushHeaders() {}

  setNoDelay() {}

  setSocketKeepAlive() {}

  setTimeout(ms, callback) {
    this._timeout = ms;
    if (callback) this.once('timeout', callback);
    return this;
  }

  abort() {
    this.aborted = true;
    this.destroy();
  }

  _write(chunk, encoding, done) {
    this._chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
    done();
  }

  _final(done) {
    const { protocol, hostname, port, method, path } = this._opts;
    const headers = [];
    for (const [key, [name, value]] of this._headers) {
      if (HOST_SET.has(key)) continue; // the host frames the message and names the authority itself
      for (const one of Array.isArray(value) ? value : [value]) headers.push([name, String(one)]);
    }
    const body = this._chunks.length ? Buffer.concat(this._chunks) : undefined;
    // The whole body is known: say its length, as Node does for end(data), rather than let the
    // host send it chunked (servers that read Content-Length only would see none).
    if (body) headers.push(['Content-Length', String(body.length)]);
    const host = hostname.includes(':') ? `[${hostname}]` : hostname;
    const defaultPort = protocol === 'https:' ? 443 : 80;
    done(); // the request is written: 'finish' comes before 'response', as in Node
    // The host is asked on the next turn, so handlers attached after end() see 'response'.
    Promise.resolve().then(() => {
      if (this.destroyed) return;
      let answer;
      try {
        answer = sendOutgoing({ method, scheme: protocol.slice(0, -1), authority: port === defaultPort ? host : `${host}:${port}`,
          pathWithQuery: path, headers, body, timeoutMs: this._timeout });
      } catch (error) {
        if (error?.wasiCode && /timeout/.test(error.wasiCode)) this.emit('timeout');
        this.destroy(connectionError(error, hostname, port));
        return;
      }
      const response = new ClientResponse(answer, this.socket);
      if (!this.emit('response', response)) response.resume(); // Node drains an unheard response
    });
  }
}

/** http.request / https.request for a default protocol. */
export function requester(defaultProtocol) {
  return function request(input, options, callback) {
    return new ClientRequest(defaultProtocol, input, options, callback);
  };
}

/** http.get / https.get: a request ended at once. */
export function getter(defaultProtocol) {
  const request = requester(defaultProtocol);
  return function get(input, options, callback) {
    const req = request(input, options, callback);
    req.end();
    return req;
  };
}
