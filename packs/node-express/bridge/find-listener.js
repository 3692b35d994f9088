// Where a node:http app lives in its entry module. Shared by the component's entry and the
// tests' native baseline, so both serve the same app.
function isServer(value) {
  return value !== null && typeof value === 'object' && typeof value.emit === 'function' && typeof value.listen === 'function';
}

// An app object that owns its server and must be made ready first (a Fastify instance:
// `app.server` is its http.Server, `app.ready()` loads its plugins).
function isServerApp(value) {
  return value !== null && typeof value === 'object' && isServer(value.server) && typeof value.ready === 'function';
}

// A Koa application: an EventEmitter with listen(), but its request listener is the function
// `app.callback()` makes (composing the middleware the app has `use()`d), not a 'request' event.
function isKoaApp(value) {
  return value !== null && typeof value === 'object' && typeof value.callback === 'function' &&
    typeof value.use === 'function' && Array.isArray(value.middleware);
}

/**
 * The request target once the app is ready: a server app's ``ready()`` awaited and its
 * ``server`` taken; a server made but neither exported nor listening yet, once it listens;
 * a function or listening server as it is.
 * @returns {Promise<Function | import('node:http').Server>}
 */
export async function readyTarget(found) {
  if (found?.notListening) {
    // Made by the app, not exported and not listening yet: its listen() comes when its setup
    // is done. (An exported server is served as it is: the platform listens for it.)
    await found.notListening.whenListening?.();
    return found.notListening;
  }
  if (isServerApp(found)) {
    await found.ready();
    return found.server;
  }
  return found;
}

/**
 * The app's request target: the server its top level listen()ed on (``listening``), else the
 * export ``handler`` (also ``default.<handler>``), else the default export (a CommonJS
 * module's ``module.exports``), ``app``, ``default.app`` — the first that is a
 * ``(req, res)`` function (an Express app is one), an http.Server, a Koa app (its
 * ``callback()``), or an app object with ``server`` and ``ready()`` (Fastify; see readyTarget); else ``pending``, a server made but
 * not listening yet, as ``{notListening: server}``.
 * @returns {Function | import('node:http').Server | {server: object, ready: Function} | {notListening: object}}
 * @throws {Error} naming where it looked and what the module exports.
 */
export function findListener(module, { handler = '', file = 'the entry module', listening = null, pending = null } = {}) {
  const candidates = handler
    ? [[handler, module[handler]], ['default.' + handler, module.default?.[handler]]]
    : [['default', module.default], ['app', module.app], ['default.app', module.default?.app]];
  if (listening && !handler) return listening;
  for (const [, candidate] of candidates) {
    if (isKoaApp(candidate)) return candidate.callback();
    if (typeof candidate === 'function' || isServer(candidate) || isServerApp(candidate)) return candidate;
  }
  if (pending && !handler) return { notListening: pending };
  const exported = Object.keys(module).join(', ') || 'nothing';
  throw new Error('fabricks: ' + file + ' neither calls listen() at its top level nor exports a request listener ' +
    '(looked for ' + candidates.map(([name]) => name).join(', ') + '; it exports ' + exported + '). ' +
    'End the module with `app.listen(port)`, export the app (`module.exports = app` or `export default app`), ' +
    'or set handler = "<export name>" under [nodejs] in the Fabrickfile.');
}
