// require() by a computed path inside a component: `require(path.join(dir, file))` over a
// controllers folder, `function load(p) { return require(p) }`, `require(config.driver)`.
// esbuild bundles every require('literal') at build time; the ones it can't see are sent here
// (node-compat.mjs rewrites them to the per-module loader below). The module registry
// (fabricks:app-modules) holds every loadable file of the app under its /app path, each a thunk
// that evaluates the bundle's own copy of that module the first time: a module the app also
// imports statically is the same module, evaluated once, with the same exports.
//
// Resolution is Node's (LOAD_AS_FILE, LOAD_AS_DIRECTORY, node_modules by name), over the
// registry and the app's bundled files; a miss throws Node's MODULE_NOT_FOUND error.
import registry from 'fabricks:app-modules';
import packages from 'fabricks:dynamic-requires';
import files from 'fabricks:app-files';
import { builtinModules } from './builtin-names.js';

// Node's extensions, then TypeScript's for apps run with a TypeScript loader (tsx).
const EXTENSIONS = ['.js', '.json', '.node', '.ts', '.cts', '.mts', '.tsx'];

/** Node's require.cache: Module-like records by filename, for what this loader loaded. */
export const cache = Object.create(null);

function normalize(path) {
  const out = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

const dirnameOf = (file) => file.slice(0, file.lastIndexOf('/')) || '/';
const exists = (path) => Object.hasOwn(registry.files, path) || Object.hasOwn(files, path);

function notFound(request, parent) {
  const stack = parent ? [parent] : [];
  const error = new Error(`Cannot find module '${request}'${stack.length ? `\nRequire stack:\n- ${stack.join('\n- ')}` : ''}`);
  return Object.assign(error, { code: 'MODULE_NOT_FOUND', requireStack: stack });
}

function text(path) {
  const bytes = Uint8Array.from(atob(files[path][0]), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function asFile(path) {
  if (exists(path)) return path;
  for (const ext of EXTENSIONS) if (exists(path + ext)) return path + ext;
  return null;
}

function asIndex(path) {
  for (const ext of EXTENSIONS) if (exists(`${path}/index${ext}`)) return `${path}/index${ext}`;
  return null;
}

function asDirectory(path) {
  const manifest = `${path}/package.json`;
  if (Object.hasOwn(files, manifest)) {
    let main;
    try {
      main = JSON.parse(text(manifest)).main;
    } catch {
      main = undefined;
    }
    if (typeof main === 'string' && main) {
      const target = normalize(`${path}/${main}`);
      const found = asFile(target) ?? asIndex(target);
      if (found) return found;
    }
  }
  return asIndex(path);
}

/** The filename Node would load for `request` from the module `parent` (an /app path), or
 *  the name of a built-in or bundled package, or null. */
export function resolveRequest(request, parent) {
  if (typeof request !== 'string' || request === '') return null;
  const bare = request.replace(/^node:/, '');
  if (Object.hasOwn(registry.builtins, bare) && (request.startsWith('node:') || builtinModules.includes(bare))) return `node:${bare}`;
  if (request.startsWith('./') || request.startsWith('../') || request.startsWith('/') || request === '.' || request === '..') {
    const path = normalize(request.startsWith('/') ? request : `${dirnameOf(parent)}/${request}`);
    return asFile(path) ?? asDirectory(path);
  }
  return Object.hasOwn(packages, request) ? request : null;
}

function load(filename, request, parent) {
  if (Object.hasOwn(cache, filename)) return cache[filename].exports;
  if (filename.startsWith('node:')) return registry.builtins[filename.slice(5)]();
  if (Object.hasOwn(packages, filename)) return packages[filename]();
  const entry = registry.files[filename];
  const record = { id: filename, filename, loaded: false, exports: {}, path: dirnameOf(filename), children: [], paths: [] };
  if (typeof entry === 'function') {
    cache[filename] = record;
    try {
      record.exports = entry();
    } catch (error) {
      delete cache[filename];
      throw error;
    }
  } else if (filename.endsWith('.json')) {
    try {
      record.exports = JSON.parse(text(filename));
    } catch (error) {
      throw Object.assign(new SyntaxError(`${filename}: ${error.message}`), { cause: error });
    }
    cache[filename] = record;
  } else {
    // A file of the app's that the build did not bundle as a module: not JavaScript, or it
    // failed to compile (the reason is the entry's).
    const why = typeof entry === 'string' ? `: ${entry}` : ' as a module (it is not JavaScript or JSON)';
    throw Object.assign(new Error(`Cannot load '${request}' (${filename}) from ${parent}: the component did not bundle it${why}`),
      { code: 'ERR_REQUIRE_BUNDLE' });
  }
  record.loaded = true;
  return record.exports;
}

const loaders = new Map();

/**
 * The require() of the module at `parent` (its /app path), as Node gives each module its own:
 * relative paths resolve against its folder.
 * @param {string} parent
 * @returns {Function & {resolve: Function, cache: object, main: undefined}}
 */
export function requireFrom(parent) {
  let loader = loaders.get(parent);
  if (loader) return loader;
  loader = function require(request) {
    const filename = resolveRequest(request, parent);
    if (filename === null) throw notFound(request, parent);
    return load(filename, request, parent);
  };
  loader.resolve = (request) => {
    const filename = resolveRequest(request, parent);
    if (filename === null) throw notFound(request, parent);
    return filename.startsWith('node:') && !String(request).startsWith('node:') ? filename.slice(5) : filename;
  };
  loader.resolve.paths = () => [];
  loader.cache = cache;
  loader.main = undefined; // the app is imported by the component's entry, as by an ES module
  loaders.set(parent, loader);
  return loader;
}

/** import(expr) from the module at `parent`: the namespace Node gives a CommonJS module
 *  (`default` is module.exports) or an ES module's own. */
export function importFrom(parent) {
  const require = requireFrom(parent);
  return (request) => new Promise((done) => {
    const exports = require(request);
    done(exports?.__esModule ? exports : { ...(Object(exports) === exports ? exports : {}), default: exports });
  });
}
