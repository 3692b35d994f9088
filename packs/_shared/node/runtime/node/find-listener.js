// Where a node:http app lives in its entry module. Shared by the component's entry and the
// tests' native baseline, so both serve the same app.
function isServer(value) {
  return value !== null && typeof value === 'object' && typeof value.emit === 'function' && typeof value.listen === 'function';
}

/**
 * The app's request target: the server its top level listen()ed on (``listening``), else the
 * export ``handler`` (also ``default.<handler>``), else the default export (a CommonJS
 * module's ``module.exports``), ``app``, ``default.app`` — the first that is a
 * ``(req, res)`` function (an Express app is one) or an http.Server.
 * @returns {Function | import('node:http').Server}
 * @throws {Error} naming where it looked and what the module exports.
 */
export function findListener(module, { handler = '', file = 'the entry module', listening = null } = {}) {
  const candidates = handler
    ? [[handler, module[handler]], ['default.' + handler, module.default?.[handler]]]
    : [['default', module.default], ['app', module.app], ['default.app', module.default?.app]];
  if (listening && !handler) return listening;
  for (const [, candidate] of candidates) {
    if (typeof candidate === 'function' || isServer(candidate)) return candidate;
  }
  const exported = Object.keys(module).join(', ') || 'nothing';
  throw new Error('fabricks: ' + file + ' neither calls listen() at its top level nor exports a request listener ' +
    '(looked for ' + candidates.map(([name]) => name).join(', ') + '; it exports ' + exported + '). ' +
    'End the module with `app.listen(port)`, export the app (`module.exports = app` or `export default app`), ' +
    'or set handler = "<export name>" under [nodejs] in the Fabrickfile.');
}
