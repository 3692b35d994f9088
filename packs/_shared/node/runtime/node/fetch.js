// fetch() for http(s) URLs through the host's wasi:http outgoing-handler (../wasi-http.js
// sendOutgoing), in place of the engine's: StarlingMonkey's fetch aborts the whole instance when
// a connection is refused ("event loop error, but no exception is pending"), where Node's
// rejects with `TypeError: fetch failed` (its `cause` carrying ECONNREFUSED, ENOTFOUND, ...)
// and the service serves on. The Fetch standard's request and response objects are the
// engine's own; redirects are followed as `redirect: 'follow'` says (at most 20, RFC 9110
// 15.4: 303, and 301/302 after a POST, become GET). Each call waits for its response head
// before the next starts (one instance serves one request at a time).
import { sendOutgoing } from '../wasi-http.js';
import { HOST_SET, NULL_BODY_STATUS } from '../http-rules.js';

const engineFetch = globalThis.fetch;
const CODES = { 'not-granted': 'EACCES', 'connection-refused': 'ECONNREFUSED', 'DNS-error': 'ENOTFOUND', 'DNS-timeout': 'ENOTFOUND',
  'destination-not-found': 'ENOTFOUND', 'connection-timeout': 'ETIMEDOUT', 'connection-read-timeout': 'ETIMEDOUT',
  'connection-write-timeout': 'ETIMEDOUT', 'HTTP-response-timeout': 'ETIMEDOUT' };

/** Node's (undici's) failure: a TypeError whose cause names the system error. */
function fetchFailed(error, url) {
  const code = CODES[error?.wasiCode] ?? 'ECONNRESET';
  const cause = Object.assign(new Error(code === 'EACCES' ? error.message : `${code} ${url.host}`),
    { code, hostname: url.hostname, port: url.port });
  return new TypeError('fetch failed', { cause });
}

/** One exchange through the host: the engine's Response, its body streamed as read. */
function exchange(method, url, headers, body) {
  const pairs = [];
  for (const [name, value] of headers) if (!HOST_SET.has(name)) pairs.push([name, value]);
  if (body) pairs.push(['content-length', String(body.length)]);
  let answer;
  try {
    answer = sendOutgoing({ method, scheme: url.protocol.slice(0, -1), authority: url.host,
      pathWithQuery: url.pathname + url.search, headers: pairs, body });
  } catch (error) {
    throw fetchFailed(error, url);
  }
  const responseHeaders = new Headers();
  for (let i = 0; i < answer.rawHeaders.length; i += 2) responseHeaders.append(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
  const stream = NULL_BODY_STATUS.has(answer.status) || method === 'HEAD' ? null : new ReadableStream({
    pull(controller) {
      const chunk = answer.body.read();
      if (chunk === null) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      answer.body.close();
    },
  });
  if (stream === null) answer.body.close();
  return new Response(stream, { status: answer.status, headers: responseHeaders });
}

/** fetch(input, init) as the Fetch standard defines it, for http: and https: URLs. */
export async function fetch(input, init = undefined) {
  const request = new Request(input, init);
  let url = new URL(request.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return engineFetch(input, init);
  if (request.signal?.aborted) throw request.signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
  let method = request.method;
  let body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const headers = [...request.headers];
  for (let redirects = 0; ; redirects++) {
    const response = exchange(method, url, headers, body);
    const location = response.headers.get('location');
    if (request.redirect === 'manual' || response.status < 300 || response.status > 399 || !location) {
      if (redirects) Object.defineProperty(response, 'redirected', { value: true });
      Object.defineProperty(response, 'url', { value: url.href });
      return response;
    }
    if (request.redirect === 'error') throw new TypeError('fetch failed: redirect mode is "error"');
    if (redirects === 20) throw new TypeError('fetch failed: too many redirects');
    await response.body?.cancel();
    url = new URL(location, url);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
}
