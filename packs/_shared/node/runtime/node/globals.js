// The globals Node code expects and StarlingMonkey lacks. esbuild's `inject` points free
// references (`process`, `Buffer`, `global`, `setImmediate`) here; they are also set on
// globalThis for code that looks them up dynamically (`typeof process`, globalThis.Buffer).
import './build-time.js'; // first: polyfills below may draw random numbers or set timers as they load
import { Buffer } from 'buffer';
import processObject from './process.js';
import { installStackTraceApi } from './stack-trace.js';
import dynamicRequires from 'fabricks:dynamic-requires';

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
const global = globalThis;

/** require() with a name computed at run time (esbuild resolves the literal ones at build
 *  time): the app's dependencies its sources name in a string (node-compat.mjs).
 *  @throws {Error} code MODULE_NOT_FOUND for any other name, as Node does. */
function require(name) {
  const load = Object.hasOwn(dynamicRequires, name) ? dynamicRequires[name] : null;
  if (load) return load();
  const error = new Error(`Cannot find module '${name}': a component bundles its modules at build time, and "${name}" ` +
    'was required with a name computed at run time. Add it to package.json dependencies and name it in a string in your code, or require it directly.');
  error.code = 'MODULE_NOT_FOUND';
  throw error;
}
require.cache = Object.create(null);
require.resolve = (name) => {
  if (Object.hasOwn(dynamicRequires, name)) return name;
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
};
if (typeof globalThis.require === 'undefined') globalThis.require = require;
const process = processObject;

Object.assign(globalThis, { global, process, Buffer, setImmediate, clearImmediate });

export { Buffer, clearImmediate, global, process, setImmediate };
