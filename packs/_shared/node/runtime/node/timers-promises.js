// node:timers/promises inside a component.
import timers from './timers.js';

export const { setTimeout, setImmediate } = timers.promises;
export default timers.promises;
