// node:module inside a component: createRequire(import.meta.url) gives the require() of that
// module, which loads what the build bundled (./require.js).
import { builtinModules as nodeBuiltins } from './builtin-names.js';
import { requireFrom } from './require.js';

/** require() for the module at `filename` (a path or a file: URL, as in Node). */
export function createRequire(filename) {
  const text = filename instanceof URL ? filename.href : String(filename ?? '');
  const path = text.startsWith('file://') ? decodeURIComponent(new URL(text).pathname) : text;
  if (!path.startsWith('/')) return globalThis.require;
  return requireFrom(path.endsWith('/') ? `${path}[fabricks]` : path);
}

export const builtinModules = nodeBuiltins;

export function isBuiltin(name) {
  return nodeBuiltins.includes(String(name).replace(/^node:/, ''));
}

export class Module {
  constructor(id = '') {
    this.id = id;
    this.exports = {};
  }

  static createRequire = createRequire;

  static builtinModules = nodeBuiltins;

  static isBuiltin = isBuiltin;
}

export default Module;
