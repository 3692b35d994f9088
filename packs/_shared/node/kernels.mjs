// Dependencies whose native part, or whose hot loop, the component computes with its composed
// fabricks:node-crypto (native-crypto/) instead: the package the app declares stays, at the
// version its lockfile resolves, and only that part is replaced.
//
// - Native addons with a stand-in binding (ADDONS): stage_deps.mjs lets them install, and the
//   bundle gives their loader (node-gyp-build, node-pre-gyp, bindings) the stand-in in place of
//   the .node file it would find.
// - Kernels (KERNELS): a function of a pure-JavaScript package that the engine's interpreter
//   runs too slowly to use (bcryptjs's key schedule: seconds a hash at cost 10) asks the
//   compiled one first. A version whose source no longer matches still works, in JavaScript,
//   and the build says so.
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Native addons (package name) -> the runtime module and export that stands in for the
 *  binding its loader would return. */
export const ADDONS = {
  bcrypt: { module: 'node/bcrypt-native.js', name: 'binding' },
  argon2: { module: 'node/argon2-native.js', name: 'binding' },
};

/** The loaders addons find their .node file with. */
const LOADERS = /^(?:node-gyp-build|bindings|node-pre-gyp|@mapbox\/node-pre-gyp)$/;

/** Kernels: package -> the function (`marker`, and `pattern` for its first line) and the
 *  prelude put at its start, which returns when the compiled function answered. */
const KERNELS = {
  // bcryptjs 2.x (dist/bcrypt.js) and 3.x (index.js, umd/index.js): _crypt(bytes, salt, log2
  // rounds, callback?, progressCallback?) -> 24 bytes, or through the callback on a later turn.
  bcryptjs: {
    marker: 'function _crypt(',
    pattern: /function _crypt\((\w+), (\w+), (\w+), (\w+), (\w+)\) \{/,
    prelude: (runtime, [b, salt, rounds, callback, progress]) => `
    var fabricksSum = require(${JSON.stringify(join(runtime, 'node/bcrypt-native.js'))}).bcryptjsCrypt(${b}, ${salt}, ${rounds});
    if (fabricksSum) {
      if (!${callback}) return fabricksSum;
      if (${progress}) ${progress}(0);
      setTimeout(function () { if (${progress}) ${progress}(1); ${callback}(null, fabricksSum); }, 0);
      return;
    }`,
  },
};

const names = new Map(); // package folder -> its package.json name

/** The name of the package a file in a node_modules folder belongs to, or null: its
 *  package.json's, which an npm alias ("bcrypt5": "npm:bcrypt@5") keeps. */
function packageOf(path) {
  const at = path.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return null;
  const parts = path.slice(at + 14).split(sep);
  const folder = join(path.slice(0, at + 14), ...parts.slice(0, parts[0].startsWith('@') ? 2 : 1));
  if (!names.has(folder)) {
    let name = null;
    try {
      name = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).name ?? null;
    } catch {
      // no package.json: not a package
    }
    names.set(folder, name);
  }
  return names.get(folder);
}

/**
 * esbuild hooks for the stand-in bindings, to be set up inside a plugin's setup().
 * @param {import('esbuild').PluginBuild} build
 * @param {string} runtime the runtime folder copied beside the entry
 */
export function setupAddons(build, runtime) {
  build.onResolve({ filter: LOADERS }, (args) => {
    const owner = args.importer && packageOf(args.importer);
    // One module per addon and loader: two versions of an addon may find theirs differently.
    return owner && ADDONS[owner] ? { path: `${owner}|${args.path}`, namespace: 'fabricks-addon' } : undefined;
  });
  build.onLoad({ filter: /.*/, namespace: 'fabricks-addon' }, (args) => {
    const [owner, loader] = args.path.split('|');
    const { module, name } = ADDONS[owner];
    const binding = `require(${JSON.stringify(join(runtime, module))}).${name}`;
    // node-pre-gyp's find() returns the path the package then require()s: rewrite() below
    // turns that require into the binding.
    const contents = /node-pre-gyp$/.test(loader)
      ? `module.exports = { find: function () { return ${JSON.stringify(`fabricks-addon:${owner}`)}; } };\n`
      : `module.exports = function () { return ${binding}; };\n`;
    return { contents, loader: 'js', resolveDir: runtime };
  });
}

/**
 * A module's source with its kernel prelude, or its addon's computed require of the binding
 * path, put in.
 * @param {string} path the module's file
 * @param {string} text its source
 * @param {string} runtime the runtime folder copied beside the entry
 * @returns {{text: string, warning?: string}}
 */
export function rewrite(path, text, runtime) {
  const owner = packageOf(path);
  if (owner && ADDONS[owner] && /node-pre-gyp/.test(text)) {
    const { module, name } = ADDONS[owner];
    // `require(binding_path)`, the path node-pre-gyp's find() returned (bcrypt 5).
    return { text: text.replace(/\brequire\(\s*([A-Za-z_$][\w$]*)\s*\)/g, () => `require(${JSON.stringify(join(runtime, module))}).${name}`) };
  }
  const kernel = owner && KERNELS[owner];
  if (!kernel || !text.includes(kernel.marker)) return { text };
  const match = kernel.pattern.exec(text);
  if (!match) {
    return { text, warning: `${path}: this version of ${owner} is not one Fabricks computes natively; its hashing runs in the engine's interpreter (seconds per hash at cost 10)` };
  }
  return { text: text.slice(0, match.index + match[0].length) + kernel.prelude(runtime, match.slice(1)) + text.slice(match.index + match[0].length) };
}
