// node:timers inside a component: the engine's timers, and setImmediate from ./globals.js.
import { clearImmediate, setImmediate } from './globals.js';

const { setTimeout, clearTimeout, setInterval, clearInterval } = globalThis;

export const promises = {
  setTimeout: (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms)),
  setImmediate: (value) => new Promise((resolve) => setImmediate(() => resolve(value))),
};

export { clearImmediate, clearInterval, clearTimeout, setImmediate, setInterval, setTimeout };
export default { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises };
