// The wasi:http@0.2.6 plumbing every Node pack shares: the incoming request's parts, its
// body as a blocking reader, and a response writer that streams.
// WIT: wasi:http/types (incoming-request, outgoing-response, outgoing-body, response-outparam).
import { Fields, IncomingBody, OutgoingBody, OutgoingRequest, OutgoingResponse, RequestOptions, ResponseOutparam } from 'wasi:http/types@0.2.6';
import { handle as handleOutgoing } from 'wasi:http/outgoing-handler@0.2.6';
import { bodyless, plainResponse } from './http-rules.js';
import { isBuilding } from './node/build-time.js';

// The resources a served request is answered with. The build-time warm-up (warmup.js) puts
// stand-ins here while it starts its requests: the host's can't be reached before the
// snapshot. A BodyReader or ResponseWriter keeps those it was made with.
const HOST = { Fields, IncomingBody, OutgoingBody, OutgoingResponse, ResponseOutparam };
let served = HOST;

/**
 * Call ``start()`` with ``standIns`` answering for the wasi:http/types classes of the request
 * it begins (``{Fields, IncomingBody, OutgoingBody, OutgoingResponse, ResponseOutparam}``):
 * the BodyReader and ResponseWriter made during the call use them. Returns what it returns.
 */
export function withStandIns(standIns, start) {
  served = standIns;
  try {
    return start();
  } finally {
    served = HOST;
  }
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextEncoder();

// wasi:io/streams allows at most 4096 bytes per blocking-write-and-flush.
const WRITE_CHUNK = 4096;
const READ_CHUNK = 64 * 1024;

/** An error as Node prints it: SpiderMonkey's ``stack`` leaves out the message. */
export function describe(error) {
  if (!(error instanceof Error)) return String(error);
  return `${error.name}: ${error.message}${error.stack ? '\n' + error.stack.trimEnd() : ''}`;
}

/** Whether ``error`` is a wasi:io/streams stream-error of a response body: ``closed`` (the
 *  client is gone) or ``last-operation-failed`` (the host refused the bytes). */
function connectionLost(error) {
  const tag = error?.payload?.tag;
  return tag === 'closed' || tag === 'last-operation-failed';
}

function methodName(method) {
  return method.tag === 'other' ? method.val : method.tag.toUpperCase();
}

/**
 * The parts of a wasi:http incoming-request.
 * @returns {{method: string, scheme: string, authority: string, pathWithQuery: string,
 *            rawHeaders: string[]}} rawHeaders alternates names and values, as Node's
 *            IncomingMessage.rawHeaders does; values are latin-1 strings (RFC 9110 5.5).
 */
export function requestParts(incoming) {
  const scheme = incoming.scheme();
  return {
    method: methodName(incoming.method()),
    scheme: scheme === undefined ? 'http' : scheme.tag === 'other' ? scheme.val : scheme.tag.toLowerCase(),
    authority: incoming.authority() ?? 'localhost',
    pathWithQuery: incoming.pathWithQuery() ?? '/',
    rawHeaders: rawHeadersOf(incoming),
  };
}

/** The header fields of an incoming request or response as Node's ``rawHeaders``. The fields
 *  resource is dropped at once: the engine never collects a handle nobody dropped, and an
 *  instance traps once it holds 100,000 of them (wasmtime's limit per store). */
function rawHeadersOf(incoming) {
  const fields = incoming.headers();
  try {
    const rawHeaders = [];
    for (const [name, value] of fields.entries()) rawHeaders.push(name, latin1.decode(value));
    return rawHeaders;
  } finally {
    fields[Symbol.dispose]();
  }
}

/** The request body, read as the app asks for it. ``read()`` blocks the instance, which
 *  serves one request at a time; it returns a Uint8Array, or null at the end. ``close()``
 *  drops the incoming request (or response) and every handle of its body. */
export class BodyReader {
  constructor(incoming) {
    this.io = served;
    this.incoming = incoming;
    this.body = null;
    this.stream = null;
    this.done = false;
  }

  read(max = READ_CHUNK) {
    if (this.done) return null;
    if (this.body === null) {
      this.body = this.incoming.consume();
      this.stream = this.body.stream();
    }
    for (;;) {
      let bytes;
      try {
        bytes = this.stream.blockingRead(BigInt(max));
      } catch (error) {
        if (error?.payload?.tag === 'closed') {
          this.close();
          return null;
        }
        throw error;
      }
      if (bytes.length > 0) return bytes;
    }
  }

  close() {
    if (this.done) return;
    this.done = true;
    if (this.stream) this.stream[Symbol.dispose]();
    if (this.body) this.io.IncomingBody.finish(this.body)[Symbol.dispose]();  // its future-trailers, unread
    this.incoming[Symbol.dispose]();
    this.stream = this.body = this.incoming = null;
  }
}

/**
 * Writes one response: ``start(status, headers)`` once, ``write(bytes)`` any number of times
 * (each chunk reaches the client as it is written), then ``finish()``. ``fail()`` turns what
 * is left into a 500 before the start, or a truncated body after it.
 * ``headers``: [name, value] pairs, repeats kept (several Set-Cookie). ``where`` names the
 * request in log lines (``GET /path``).
 */
export class ResponseWriter {
  constructor(responseOut, method, where = '') {
    this.io = served;
    this.responseOut = responseOut;
    this.method = method;
    this.where = where;
    this.started = false;
    this.finished = false;
    this.body = null;
    this.stream = null;
    this.written = 0;
  }

  start(status, headers) {
    if (this.started) throw new Error('response already started');
    const fields = this.io.Fields.fromList(headers.map(([name, value]) => [name, utf8.encode(String(value))]));
    const response = new this.io.OutgoingResponse(fields);
    response.setStatusCode(status);
    this.body = response.body();
    this.started = true;
    this.status = status;
    this.io.ResponseOutparam.set(this.responseOut, { tag: 'ok', val: response });
  }

  /** Returns false when the connection is lost (the client went away, or the host refused the
   *  bytes: more than the Content-Length); the body is then ended abnormally, and nothing is
   *  thrown: as in Node, that is no error of the app's. */
  write(bytes) {
    if (!this.started || this.finished) throw new Error('write outside a started response');
    if (typeof bytes === 'string') bytes = utf8.encode(bytes);
    if (bytes.length === 0 || bodyless(this.status, this.method)) return true;
    if (this.stream === null) this.stream = this.body.write();
    try {
      for (let offset = 0; offset < bytes.length; offset += WRITE_CHUNK) {
        this.stream.blockingWriteAndFlush(bytes.subarray(offset, offset + WRITE_CHUNK));
      }
    } catch (error) {
      if (!connectionLost(error)) throw error;
      if (error.payload.tag !== 'closed') console.error(`${this.where}: the response was cut off: ${describe(error)}`);
      this.fail();
      return false;
    }
    this.written += bytes.length;
    return true;
  }

  finish() {
    if (this.finished) return;
    this.finished = true;
    if (this.stream) this.stream[Symbol.dispose]();
    this.stream = null;
    try {
      this.io.OutgoingBody.finish(this.body, undefined);
    } catch (error) {
      // HEAD and 304 answers carry the Content-Length of a body they don't send: the host
      // counts the bytes and refuses. Nothing was written, so the answer is already right.
      if (this.written !== 0) throw error;
    }
  }

  fail() {
    if (this.finished) return;
    if (!this.started) {
      const { status, headers, body } = plainResponse(500, 'Internal Server Error\n', this.method);
      this.start(status, headers);
      this.write(body);
      this.finish();
      return;
    }
    // Dropping the body unfinished tells the host the response ended abnormally.
    this.finished = true;
    if (this.stream) this.stream[Symbol.dispose]();
    this.body[Symbol.dispose]?.();
  }
}

const METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch']);
const GRANTED = []; // the Fabrickfile's [capabilities] network.connect, set by the entry from its config

/** Record the build's outbound grants (``host:port``, ``*`` for a label or the port). */
export function grantOutgoing(grants) {
  GRANTED.splice(0, GRANTED.length, ...(grants ?? []));
}

function hostMatches(pattern, host) {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Whether ``host:port`` is granted: the build's grants, and the host's at run time
 *  (FABRICKS_NETWORK_CONNECT, services on one --network), as the Python packs check them. */
export function outgoingGranted(host, port) {
  const extra = (globalThis.process?.env?.FABRICKS_NETWORK_CONNECT ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  host = host.toLowerCase().replace(/^\[|\]$/g, '');
  return [...GRANTED, ...extra].some((entry) => {
    const at = entry.lastIndexOf(':');
    const [patternHost, patternPort] = [entry.slice(0, at).toLowerCase(), entry.slice(at + 1)];
    return (patternPort === '*' || patternPort === String(port)) && hostMatches(patternHost, host);
  });
}

/** The wasi:http error-code of a failed outgoing request, as an Error with its ``tag``. */
function outgoingError(code, url) {
  const tag = code?.tag ?? 'internal-error';
  return Object.assign(new Error(`${url}: ${tag}${code?.val !== undefined && typeof code.val !== 'object' ? ` (${code.val})` : ''}`), { wasiCode: tag });
}

/**
 * One outgoing request through the host (WIT: wasi:http/outgoing-handler.handle), blocking
 * the instance until the response head is in: ``{status, rawHeaders, body: BodyReader}``.
 * ``headers``: [name, value] pairs; ``body``: a Uint8Array or undefined; ``timeoutMs`` bounds
 * connecting, the first byte and each pause. Throws an Error whose ``wasiCode`` is the
 * error-code's tag (``connection-refused``, ``DNS-error``, ``connection-timeout``, ...), or
 * ``not-granted`` for a host the grants leave out (its message names the line to add).
 */
export function sendOutgoing({ method, scheme, authority, pathWithQuery, headers, body, timeoutMs }) {
  const url = `${scheme}://${authority}${pathWithQuery}`;
  if (isBuilding()) throw Object.assign(new Error(`${url}: no outgoing request can be made at build time (by the app's top level or a warm-up request)`), { wasiCode: 'internal-error' });
  const { hostname, port } = new URL(url);
  const effectivePort = Number(port) || (scheme === 'https' ? 443 : 80);
  if (!outgoingGranted(hostname, effectivePort)) {
    const where = `${hostname.replace(/^\[|\]$/g, '')}:${effectivePort}`;
    throw Object.assign(new Error(`${where} is not granted to this component: add it to the Fabrickfile, ` +
      `[capabilities] network.connect = ["${where}"]`), { wasiCode: 'not-granted' });
  }
  const request = new OutgoingRequest(Fields.fromList(headers.map(([name, value]) => [name, utf8.encode(String(value))])));
  const lower = method.toLowerCase();
  request.setMethod(METHODS.has(lower) ? { tag: lower } : { tag: 'other', val: method });
  request.setScheme({ tag: scheme === 'https' ? 'HTTPS' : 'HTTP' });
  request.setAuthority(authority);
  request.setPathWithQuery(pathWithQuery);
  const outgoing = request.body();
  let options;
  if (timeoutMs) {
    options = new RequestOptions();
    const ns = BigInt(Math.max(1, Math.round(timeoutMs))) * 1000000n;
    options.setConnectTimeout(ns);
    options.setFirstByteTimeout(ns);
    options.setBetweenBytesTimeout(ns);
  }
  let future;
  try {
    future = handleOutgoing(request, options);
  } catch (error) {
    throw outgoingError(error?.payload, url);
  }
  const stream = outgoing.write();
  try {
    for (let offset = 0; body && offset < body.length; offset += WRITE_CHUNK) {
      stream.blockingWriteAndFlush(body.subarray(offset, offset + WRITE_CHUNK));
    }
  } finally {
    stream[Symbol.dispose]();
  }
  OutgoingBody.finish(outgoing, undefined);
  const ready = future.subscribe();
  ready.block();
  ready[Symbol.dispose]();
  const result = future.get();
  future[Symbol.dispose]();
  if (result?.tag !== 'ok' || result.val?.tag !== 'ok') throw outgoingError(result?.val?.val, url);
  const incoming = result.val.val;
  return { status: incoming.status(), rawHeaders: rawHeadersOf(incoming), body: new BodyReader(incoming) };
}
