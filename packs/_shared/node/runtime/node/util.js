// node:util inside a component: the npm `util` package, with Node's util.promisify.custom.
// The package keys custom promisified versions by a Symbol of its own, so promisify(setTimeout)
// (whose custom version Node keys by Symbol.for('nodejs.util.promisify.custom'), as the
// globals here do) would call setTimeout with the callback last. Node's symbol is honored
// first; everything else is the package's.
import npmUtil from 'npm:util/';

const CUSTOM = Symbol.for('nodejs.util.promisify.custom');

/** Node's util.promisify: a function's own custom version (util.promisify.custom) if it has
 *  one, else the callback-last wrapper of the npm package. */
export function promisify(original) {
  if (typeof original === 'function' && typeof original[CUSTOM] === 'function') {
    const custom = original[CUSTOM];
    return Object.defineProperty(custom, CUSTOM, { value: custom, enumerable: false, writable: false, configurable: true });
  }
  return npmUtil.promisify(original);
}
promisify.custom = CUSTOM;

const util = { ...npmUtil, promisify };

export const {
  format, deprecate, debuglog, inspect, types, isArray, isBoolean, isNull, isNullOrUndefined, isNumber, isString,
  isSymbol, isUndefined, isRegExp, isObject, isDate, isError, isFunction, isPrimitive, isBuffer, log, inherits, _extend,
  callbackify,
} = util;
export default util;
