// node:module inside a component: everything was bundled at build time, so createRequire()
// gives the one require() there is, which serves the modules named for it (./globals.js).
import { builtinModules as nodeBuiltins } from './builtin-names.js';

export function createRequire() {
  return globalThis.require;
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
