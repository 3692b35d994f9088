// The globals Node code expects and StarlingMonkey lacks. esbuild's `inject` points free
// references (`process`, `Buffer`, `global`, `setImmediate`) here; they are also set on
// globalThis for code that looks them up dynamically (`typeof process`, globalThis.Buffer).
import './build-time.js'; // first: polyfills below may draw random numbers or set timers as they load
import { Buffer } from 'buffer';
import processObject from './process.js';
import { installStackTraceApi } from './stack-trace.js';
import { importFrom, requireFrom } from './require.js';
import { fetch as hostFetch } from './fetch.js';

installStackTraceApi();

/** setImmediate (Node's timers): a macrotask after the microtasks; here a 0 ms timeout,
 *  which build-time.js runs before the snapshot when the top level schedules it. */
function setImmediateShim(callback, ...args) {
  const timer = setTimeout(callback, 0, ...args);
  return { timer, ref() { return this; }, unref() { return this; }, hasRef: () => true };
}

function clearImmediateShim(immediate) {
  if (immediate) clearTimeout(immediate.timer);
}

const setImmediate = globalThis.setImmediate ?? setImmediateShim;
const clearImmediate = globalThis.clearImmediate ?? clearImmediateShim;

// util.promisify(setTimeout) and promisify(setImmediate) are timers/promises in Node: the
// timers carry util.promisify.custom (the callback is not their last argument).
const PROMISIFY = Symbol.for('nodejs.util.promisify.custom');
if (!globalThis.setTimeout[PROMISIFY]) {
  globalThis.setTimeout[PROMISIFY] = (delay, value) => new Promise((resolve) => globalThis.setTimeout(resolve, delay, value));
}
if (!setImmediate[PROMISIFY]) {
  setImmediate[PROMISIFY] = (value) => new Promise((resolve) => setImmediate(resolve, value));
}
const global = globalThis;

// require() where no module gives its own: a dependency's computed require (Express loads a
// view engine with require(ext)), or code that looks `require` up on globalThis. It resolves
// from the app folder, as a require in the app's top folder would.
const globalRequire = requireFrom('/app/[fabricks]');
const require = (name) => {
  try {
    return globalRequire(name);
  } catch (error) {
    if (error?.code === 'MODULE_NOT_FOUND' && typeof name === 'string' && !/^[./]/.test(name)) {
      error.message = `Cannot find module '${name}'\n(a component bundles its modules at build time; "${name}" was ` +
        'required with a name computed at run time. Add it to package.json dependencies and name it in a string in your code, or require it directly.)';
    }
    throw error;
  }
};
require.resolve = globalRequire.resolve;
require.cache = globalRequire.cache;
if (typeof globalThis.require === 'undefined') globalThis.require = require;
// The per-module loaders node-compat.mjs puts where an app file requires or imports a
// computed name (esbuild `inject` resolves the identifiers to these exports).
const __fabricksRequire = requireFrom;
const __fabricksImport = importFrom;
const process = processObject;

// fetch through the host for http(s): the engine's own aborts the instance on a refused connection.
Object.assign(globalThis, { global, process, Buffer, setImmediate, clearImmediate, fetch: hostFetch });

export { __fabricksImport, __fabricksRequire, Buffer, clearImmediate, global, process, setImmediate };
