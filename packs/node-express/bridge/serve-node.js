// The node-express pack's bridge: one wasi:http request (WIT: wasi:http/incoming-handler.handle)
// served by a node:http server, through the IncomingMessage and ServerResponse of Node's API
// as the language library has it (../runtime/node/http.js), which write to the host through
// ../runtime/wasi-http.js.
import { BodyReader, ResponseWriter, describe, requestParts } from '../runtime/wasi-http.js';
import { IncomingMessage, ServerResponse, Socket, announceListening, headersObject } from '../runtime/node/http.js';
import { describeError, reportUncaught, trackRequest } from '../runtime/node/uncaught.js';
import { resetStores } from '../runtime/node/async_hooks.js';

/**
 * A service that fabricks-host mounts at a route (`[serve] route = "/api"`) gets the full path
 * and the route in `x-forwarded-prefix` (the host removes any the client sent). As an app
 * mounted with Express's `app.use('/api', app)`, it sees the path under its mount in `req.url`,
 * the whole one in `req.originalUrl` and the mount in `req.baseUrl` (Express keeps a baseUrl
 * it finds set: router.handle starts from it).
 * @param {IncomingMessage} req
 */
function mount(req) {
  const prefix = String(req.headers['x-forwarded-prefix'] ?? '').replace(/\/+$/, '');
  const path = req.url.split('?', 1)[0];
  if (!prefix.startsWith('/') || !(path === prefix || path.startsWith(prefix + '/'))) return;
  req.originalUrl = req.url;
  req.baseUrl = prefix;
  const rest = req.url.slice(prefix.length);
  req.url = rest.startsWith('/') ? rest : '/' + rest;
}

/**
 * Serve one wasi:http request (WIT: wasi:http/incoming-handler.handle) with a node:http
 * server: emits 'request' with an IncomingMessage and a ServerResponse.
 * @param {Server | ((req: IncomingMessage, res: ServerResponse) => void)} target
 * @returns {Promise<void>} settles once the response has ended (or failed). Never rejects:
 *   an exception thrown by the listener gives a 500 (or truncates a started body), is logged
 *   to stderr, and the instance goes on serving.
 */
export function serveNode(target, incoming, responseOut) {
  announceListening();
  const parts = requestParts(incoming);
  const where = `${parts.method} ${parts.pathWithQuery}`;
  const writer = new ResponseWriter(responseOut, parts.method, where);
  const reader = new BodyReader(incoming);
  const socket = new Socket(parts.scheme === 'https');
  const req = new IncomingMessage(socket);
  req.method = parts.method;
  req.url = parts.pathWithQuery;
  req.rawHeaders = parts.rawHeaders;
  req.headers = headersObject(parts.rawHeaders);
  mount(req);
  if (!('host' in req.headers)) {
    req.headers.host = parts.authority;
    req.rawHeaders.push('Host', parts.authority);
  }
  req._reader = reader;
  const res = new ServerResponse(req, writer);
  let untrack = null;
  return new Promise((resolve) => {
    res._done = resolve;
    res.on('error', (error) => console.error(`Error writing the response to ${where}: ${describe(error)}`));
    resetStores(); // AsyncLocalStorage: nothing carries over from the previous request
    // An error nobody catches while this request runs fails it (uncaught.js).
    untrack = trackRequest({ where, done: () => res._done === null, fail: () => res.destroy() });
    try {
      const returned = typeof target === 'function' ? target(req, res) : target.emit('request', req, res);
      // node:http ignores what a listener returns: an async listener's rejection is unhandled.
      if (returned && typeof returned.then === 'function') {
        returned.then(null, (error) => reportUncaught(error, 'unhandledRejection', returned));
      }
    } catch (error) {
      console.error(`Error handling ${where}: ${describeError(error)}`);
      res.destroy();
    }
  }).finally(() => {
    untrack?.();
    reader.close();
  });
}
