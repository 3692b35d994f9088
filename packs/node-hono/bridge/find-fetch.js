// Where a fetch-style app lives in its entry module. Shared by the component's entry and
// the tests' native baseline, so both find the same app.

/**
 * The app's fetch handler in ``module`` (an ES module namespace): the export ``handler``
 * (also ``default.<handler>``; a bare function is the handler itself), else the default
 * export, ``app``, ``default.app`` — the first with a ``fetch`` method — else ``fallback``.
 * @returns {(request: Request, env?: object, ctx?: object) => Response | Promise<Response>}
 * @throws {Error} naming where it looked and what the module exports.
 */
export function findFetch(module, { handler = '', file = 'the entry module', fallback = null } = {}) {
  const candidates = handler
    ? [[handler, module[handler]], ['default.' + handler, module.default?.[handler]]]
    : [['default', module.default], ['app', module.app], ['default.app', module.default?.app]];
  for (const [, candidate] of candidates) {
    if (candidate && typeof candidate.fetch === 'function') return candidate.fetch.bind(candidate);
    if (handler && typeof candidate === 'function') return candidate;
  }
  if (fallback) return fallback;
  const exported = Object.keys(module).join(', ') || 'nothing';
  throw new Error('fabricks: ' + file + ' exports no app with a fetch() method (looked for ' +
    candidates.map(([name]) => name).join(', ') + '; it exports ' + exported + '). ' +
    'Export the app (`export default app`), or set handler = "<export name>" under [nodejs] in the Fabrickfile.');
}
