// Which module stands in for each Node built-in inside a component (used by build.mjs with
// --node-builtins). Well-kept browser polyfills from npm where they are real; our own
// modules (runtime/node/) where none is: the http bridge, the bundled read-only fs, process,
// and the crypto, net and async_hooks subsets. A built-in missing here fails the build,
// naming the module that imported it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import rewritePattern from 'regexpu-core';
import { builtinMembersUsed, exportedNames } from './builtin-uses.mjs';
import { isStringLiteral, parse } from './js-source.mjs';
import { metadataOptions, transpile } from './decorator-metadata.mjs';
import * as kernels from './kernels.mjs';

const here = dirname(new URL(import.meta.url).pathname);
const require = createRequire(import.meta.url);

/**
 * @param {string} runtime the runtime folder the entry imports (the pack copies it next to
 *   the entry): the stand-ins must be those same files, or the entry and the app would each
 *   get their own node:http.
 * @returns {Record<string, string>} built-in name (without `node:`) -> absolute file.
 */
export function nodeBuiltins(runtime = join(here, 'runtime')) {
  const own = (file) => join(runtime, 'node', file);
  return {
    assert: require.resolve('assert/'),
    'assert/strict': own('assert-strict.js'),
    console: own('console.js'),
    dns: own('dns.js'),
    async_hooks: own('async_hooks.js'),
    buffer: own('buffer.js'),
    crypto: own('crypto.js'),
    diagnostics_channel: own('diagnostics_channel.js'),
    events: require.resolve('events/'),
    fs: own('fs.js'),
    'fs/promises': own('fs-promises.js'),
    http: own('http.js'),
    https: own('https.js'),
    http2: own('http2.js'),
    module: own('module.js'),
    net: own('net.js'),
    os: require.resolve('unenv/node/os'),
    path: require.resolve('path-browserify'),
    perf_hooks: own('perf_hooks.js'),
    'path/posix': require.resolve('path-browserify'),
    process: own('process.js'),
    querystring: require.resolve('unenv/node/querystring'),
    stream: require.resolve('readable-stream/lib/ours/browser.js'),
    'stream/promises': own('stream-promises.js'),
    'stream/web': own('stream-web.js'),
    string_decoder: require.resolve('string_decoder/'),
    timers: own('timers.js'),
    'timers/promises': own('timers-promises.js'),
    tty: require.resolve('tty-browserify'),
    url: own('url.js'),
    util: own('util.js'),
    v8: own('v8.js'),
    vm: own('vm.js'),
    worker_threads: own('worker_threads.js'),
    zlib: require.resolve('browserify-zlib'),
  };
}

/**
 * Lighter stand-ins for built-ins whose whole API costs much: a module gets the light one when
 * every member of the built-in it reads (builtin-uses.mjs) is one the light file exports;
 * others get nodeBuiltins' file, which re-exports the light one (one module state for both).
 * @param {string} runtime as for nodeBuiltins
 * @returns {Record<string, string>} built-in name (without `node:`) -> absolute file
 */
export function lightBuiltins(runtime = join(here, 'runtime')) {
  return { crypto: join(runtime, 'node', 'crypto-core.js') };
}

const TOOLCHAIN_MODULES = join(here, 'node_modules') + sep;
const NODE_BUILTINS = new Set(builtinModules);

/** The package folder holding `file` (the nearest package.json with a name) and that manifest. */
function packageOf(file) {
  for (let dir = dirname(file); dir.startsWith(TOOLCHAIN_MODULES); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8'));
      if (json.name) return { dir, json };
    }
  }
  return null;
}

function existingFile(base) {
  for (const candidate of [base, `${base}.js`, join(base, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * Where a toolchain package's import goes under the "browser" field (a string replacing the
 * main file, or a map of its files), for imports made from the toolchain's node_modules.
 * @returns {{path: string} | undefined} undefined: resolve as esbuild would
 */
export function browserFile(path, importer) {
  if (/^[a-z]+:/.test(path) || NODE_BUILTINS.has(path) || path.startsWith('/')) return undefined;
  let pkg;
  let file;
  if (path.startsWith('.')) {
    pkg = packageOf(importer);
    file = existingFile(resolve(dirname(importer), path));
  } else {
    const parts = path.split('/');
    const name = path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    const sub = path.slice(name.length + 1);
    let manifest;
    try {
      manifest = require.resolve(`${name}/package.json`, { paths: [dirname(importer)] });
    } catch {
      return undefined;
    }
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    pkg = { dir: dirname(manifest), json };
    if (!sub && typeof json.browser === 'string') return { path: existingFile(join(pkg.dir, json.browser)) ?? undefined };
    file = existingFile(join(pkg.dir, sub || json.main || 'index.js'));
  }
  const map = pkg?.json.browser;
  if (!file || !map || typeof map !== 'object') return undefined;
  const key = `./${relative(pkg.dir, file).split(sep).join('/')}`;
  const target = map[key] ?? map[key.replace(/\.js$/, '')];
  return typeof target === 'string' ? { path: existingFile(join(pkg.dir, target)) ?? file } : undefined;
}

/** Globals Node code uses without importing them (esbuild `inject`). */
export function globalsModule(runtime = join(here, 'runtime')) {
  return join(runtime, 'node', 'globals.js');
}

/** The folder the app's files appear in inside the component (process.cwd()). */
export const APP_ROOT = '/app';

// Bundled files above this total make the component (and every instance's memory) large;
// the build says so rather than growing without bound.
const MAX_FILES_BYTES = 64 * 1024 * 1024;

function loaderFor(path) {
  const ext = extname(path);
  return { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' }[ext] ?? 'js';
}

/** Every file of the app folder but node_modules and dot-files: [guest path, host path][]. */
export function appFiles(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push([`${APP_ROOT}/${relative(root, path).split(sep).join('/')}`, path]);
    }
  };
  walk(root);
  return found.sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Where a bundled module is inside the component: /app/... for the app's files, its
 *  dependencies (as if installed in the app folder) and sibling workspace packages (as if
 *  installed there too); null for the toolchain's own. `mounts`: [host folder, guest folder][]. */
function guestPath(file, mounts) {
  for (const [host, guest] of mounts) {
    if (file.startsWith(host + sep)) return `${guest}/${relative(host, file).split(sep).join('/')}`;
  }
  return null;
}

const DIRECTIVES = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:(['"])use strict\1;?)?/;

/** Give a CommonJS module its __dirname/__filename (unless it declares them) and an ES
 *  module its import.meta.url/dirname/filename, without moving any line (source maps). */
export function withModulePaths(text, guest) {
  const dir = guest.slice(0, guest.lastIndexOf('/')) || '/';
  let out = text
    .replace(/\bimport\.meta\.url\b/g, JSON.stringify(`file://${guest}`))
    .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dir))
    .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(guest));
  const declarations = [];
  for (const [name, value] of [['__dirname', dir], ['__filename', guest]]) {
    const used = new RegExp(`(?<![\\w$.])${name}(?![\\w$])`).test(out);
    const declared = new RegExp(`(?:var|let|const|function)\\s+${name}(?![\\w$])|[,{]\\s*${name}\\s*[,}=]`).test(out);
    if (used && !declared) declarations.push(`${name} = ${JSON.stringify(value)}`);
  }
  if (declarations.length === 0) return out;
  const hashbang = out.startsWith('#!') ? out.slice(0, out.indexOf('\n') + 1) : '';
  const rest = out.slice(hashbang.length);
  const [prologue, quote] = DIRECTIVES.exec(rest);
  // A directive written without its semicolon ('use strict'\n) needs one before ours.
  const end = quote && !prologue.endsWith(';') ? ';' : '';
  return `${hashbang}${prologue}${end}var ${declarations.join(', ')};${rest.slice(prologue.length)}`;
}

/** Rewrite regex literals with Unicode property escapes (\p{...}), which StarlingMonkey's
 *  engine can't parse, into equivalent character classes (regexpu-core). */
export function lowerPropertyEscapes(text, sourceType = 'module') {
  if (!/\\[pP]\{/.test(text)) return text;
  const tokens = [];
  parse(text, sourceType, tokens);
  let out = '';
  let last = 0;
  for (const token of tokens) {
    if (token.type !== acorn.tokTypes.regexp || !/\\[pP]\{/.test(token.value.pattern)) continue;
    const { pattern, flags } = token.value;
    const sets = flags.includes('v');
    const lowered = rewritePattern(pattern, flags, { unicodePropertyEscapes: 'transform', ...(sets ? { unicodeSetsFlag: 'transform' } : {}) });
    out += text.slice(last, token.start) + `new RegExp(${JSON.stringify(lowered)}, ${JSON.stringify(sets ? flags.replace('v', 'u') : flags)})`;
    last = token.end;
  }
  return out + text.slice(last);
}

/**
 * Give an app file's run-time module loading its own place: `require(expr)` and
 * `import(expr)` whose specifier is computed (not a string literal, which esbuild bundles),
 * and every other use of the free `require` (`require.resolve(p)`, `require.cache`, passing
 * `require` along), become calls of the per-module loader of runtime/node/require.js for
 * `guest`, so that a relative path resolves against this file as in Node. Replacements stay
 * on their line (source maps). A file that binds its own `require` (a bundle, a UMD
 * wrapper) is left alone.
 * @returns {{text: string, rewritten: boolean}}
 */
export function rewriteComputedRequires(text, guest, sourceType = 'module') {
  if (!/\brequire\b|\bimport\s*\(/.test(text)) return { text, rewritten: false };
  let ast;
  try {
    ast = parse(text, sourceType);
  } catch {
    return { text, rewritten: false }; // esbuild reports the syntax error, with its place
  }
  const edits = []; // [start, end, replacement]
  let bound = false;
  const loader = `__fabricksRequire(${JSON.stringify(guest)})`;
  walk.ancestor(ast, {
    VariablePattern(node) { if (node.name === 'require') bound = true; },
    ImportExpression(node) {
      if (!isStringLiteral(node.source)) edits.push([node.start, node.source.start, `__fabricksImport(${JSON.stringify(guest)})(`]);
    },
    Identifier(node, ancestors) {
      if (node.name !== 'require') return;
      const parent = ancestors[ancestors.length - 2];
      if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return;
      // require('literal') is esbuild's to bundle.
      if (parent?.type === 'CallExpression' && parent.callee === node && parent.arguments.length === 1
        && isStringLiteral(parent.arguments[0])) return;
      // `{ require }` is shorthand for `{ require: require }`.
      edits.push([node.start, node.end, parent?.type === 'Property' && parent.shorthand ? `require: ${loader}` : loader]);
    },
  });
  if (bound || edits.length === 0) return { text, rewritten: false };
  let out = '';
  let last = 0;
  for (const [start, end, replacement] of edits.sort((a, b) => a[0] - b[0])) {
    out += text.slice(last, start) + replacement;
    last = end;
  }
  return { text: out + text.slice(last), rewritten: true };
}

/** The app's dependencies (package.json `dependencies`) whose names its own sources spell
 *  out in a string: candidates for a require() made with a computed name, as Express's
 *  view engines are loaded (`app.set('view engine', 'ejs')` -> require('ejs')). */
export function dynamicRequireCandidates(root, files = appFiles(root)) {
  let declared;
  try {
    declared = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {});
  } catch {
    return [];
  }
  const sources = files.filter(([guest]) => /\.[cm]?[jt]sx?$/.test(guest))
    .map(([, host]) => readFileSync(host, 'utf8')).join('\n');
  return declared.filter((name) => sources.includes(`'${name}'`) || sources.includes(`"${name}"`) || sources.includes(`\`${name}\``)).sort();
}

// Files the app may load as modules at run time, by a computed path (runtime/node/require.js).
const MODULE_FILE = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/;

/** The app's tsconfig.json as esbuild's transform takes it (it parses the JSON with comments). */
function tsconfigOf(appRoot) {
  try {
    return readFileSync(join(appRoot, 'tsconfig.json'), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The module registry's entries (fabricks:app-modules), one per file of the app folder that
 * a computed require may load: [guest path, host path to bundle] or [guest path, null, error text]. A JSON file
 * the bundle does not already hold is left out: require.js parses it from the bundled files
 * when asked, so the app's data is not bundled twice. A source file that can't be loaded as a
 * CommonJS module (a syntax error, a top-level await) gets the compiler's message, which its
 * require() throws, as Node's would.
 * @param {[string, string][]} files the app's files, [guest, host]
 * @param {Set<string>} strict the host paths the bundle holds without the registry
 * @param {(text: string, options: object) => unknown} transform esbuild's transformSync
 */
export function registryEntries(files, strict, transform, tsconfigRaw) {
  const entries = [];
  for (const [guest, host] of files) {
    if (host.endsWith('.json')) {
      if (strict.has(host)) entries.push([guest, host]);
      continue;
    }
    if (!MODULE_FILE.test(host) || host.endsWith('.d.ts')) continue;
    try {
      transform(readFileSync(host, 'utf8'), { loader: loaderFor(host), format: 'cjs', logLevel: 'silent', sourcefile: guest,
        ...(loaderFor(host).startsWith('ts') && tsconfigRaw ? { tsconfigRaw } : {}) });
      entries.push([guest, host]);
    } catch (error) {
      const first = error.errors?.[0];
      entries.push([guest, null, first ? `${first.location ? `${guest}:${first.location.line}: ` : ''}${first.text}` : String(error.message)]);
    }
  }
  return entries;
}

/** The registry module's source: thunks that load the bundle's own module (one module cache),
 *  error texts for files that could not be bundled, and the built-ins the bundle holds. */
export function registrySource(entries, builtins) {
  const files = entries.map(([guest, host, error]) => (host
    ? `  ${JSON.stringify(guest)}: () => require(${JSON.stringify(host)}),`
    : `  ${JSON.stringify(guest)}: ${JSON.stringify(error)},`));
  const stand = builtins.map((name) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`);
  return `export default { files: {\n${files.join('\n')}\n}, builtins: {\n${stand.join('\n')}\n} };\n`;
}

/**
 * esbuild plugins: the bundled app files (`fabricks:app-files`), the module registry
 * (`fabricks:app-modules`) and the per-module rewrites.
 * @param {object} options
 * @param {string|null} options.appRoot the staged app folder
 * @param {[string, string][]} [options.mounts] extra [host folder, guest folder] pairs: the
 *   dependencies' node_modules folders, sibling workspace packages
 * @param {{entries: [string, string][], builtins: string[], strict: Set<string>}|null} [options.registry]
 *   the registry to bundle; null bundles an empty one (the first pass, which finds out whether
 *   the app requires anything by a computed name, and what the bundle holds without it)
 * @param {{rewritten: Set<string>}} [options.report] filled with the app files whose
 *   require/import was rewritten
 * @param {Record<string, string>} [options.light] lightBuiltins(), or {} for none
 * @param {string} [options.runtime] as for nodeBuiltins
 */
export function plugins({ appRoot, deps, mounts = [], registry = null, report = { rewritten: new Set() }, light = {},
  runtime = join(here, 'runtime') }) {
  const depsModules = deps ? join(resolve(deps), 'node_modules') : null;
  const allMounts = [...(appRoot ? [[appRoot, APP_ROOT]] : []), ...(depsModules ? [[depsModules, `${APP_ROOT}/node_modules`]] : []), ...mounts]
    .sort((a, b) => b[0].length - a[0].length);
  let files; // the app folder's files, listed once per build
  const listed = () => (files ??= appRoot ? appFiles(appRoot) : []);
  let tsconfig;
  let metadata; // tsc's options when the app's tsconfig asks for decorator metadata, else false
  return [{
    // First: a native addon's loader must get the stand-in binding before it is resolved.
    name: 'fabricks-addons',
    setup: (build) => kernels.setupAddons(build, runtime),
  }, {
    name: 'fabricks-lenient',
    setup(build) {
      // Modules only the registry reaches (a script, a test, a config file of the app's) are
      // bundled in case a computed require asks for them; an import of theirs that does not
      // resolve (a dev dependency, a built-in with no stand-in) throws when that module is
      // required, as Node would, instead of failing the build. So does a dependency's
      // require() of a package that is not installed: libraries require optional peers lazily
      // (NestJS: `optionalRequire('@nestjs/websockets/socket-module', () => require(...))`,
      // loadPackage('@nestjs/microservices')) and catch the MODULE_NOT_FOUND. The app's own
      // files and every static import stay strict: a typo fails the build, naming the file.
      const lenient = (args) => (registry && !registry.strict.has(args.importer))
        || (args.kind === 'require-call' && args.importer.includes(`${sep}node_modules${sep}`)
          && !NODE_BUILTINS.has(args.path.replace(/^node:/, '')));
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.fabricksInner || args.namespace !== 'file' || !args.importer || !lenient(args)) return undefined;
        const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir,
          namespace: args.namespace, pluginData: { fabricksInner: true } });
        if (found.errors.length === 0) {
          return { path: found.path, namespace: found.namespace, external: found.external, sideEffects: found.sideEffects,
            suffix: found.suffix, pluginData: found.pluginData };
        }
        return { path: args.path, namespace: 'fabricks-missing', pluginData: found.errors[0].text };
      });
      build.onLoad({ filter: /.*/, namespace: 'fabricks-missing' }, (args) => ({
        contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'\n(the build could not resolve it: ${args.pluginData})`)}), { code: 'MODULE_NOT_FOUND' });\n`,
        loader: 'js',
      }));
    },
  }, {
    name: 'fabricks-node-compat',
    setup(build) {
      // The stand-ins' own npm imports ("npm:memfs"), from the toolchain's node_modules.
      build.onResolve({ filter: /^npm:/ }, (args) => ({ path: require.resolve(args.path.slice(4)) }));
      // Their dependencies get their browser builds (package.json "browser"), as a browser
      // bundler would pick: the crypto-browserify family's main files require Node's crypto.
      build.onResolve({ filter: /.*/ }, (args) => (args.importer.startsWith(TOOLCHAIN_MODULES) ? browserFile(args.path, args.importer) : undefined));
      const lightNames = Object.keys(light);
      if (lightNames.length > 0) {
        const offered = Object.fromEntries(lightNames.map((name) => [name, exportedNames(readFileSync(light[name], 'utf8'))]));
        const read = new Map(); // `${importer}\0${name}` -> Promise<Set<string> | null>
        const membersRead = async (importer, name) => {
          const loader = loaderFor(importer);
          let text = readFileSync(importer, 'utf8');
          if (loader !== 'js') {
            tsconfig ??= (appRoot && tsconfigOf(appRoot)) ?? null;
            text = (await build.esbuild.transform(text, { loader, ...(tsconfig && loader.startsWith('ts') ? { tsconfigRaw: tsconfig } : {}) })).code;
          }
          return builtinMembersUsed(text, new Set([name, `node:${name}`]), importer.endsWith('.cjs') ? 'script' : 'module');
        };
        build.onResolve({ filter: new RegExp(`^(?:node:)?(?:${lightNames.join('|')})$`) }, async (args) => {
          if (args.namespace !== 'file' || !args.importer || args.pluginData?.fabricksInner) return undefined;
          const name = args.path.replace(/^node:/, '');
          const key = `${args.importer}\0${name}`;
          if (!read.has(key)) read.set(key, membersRead(args.importer, name).catch(() => null));
          const members = await read.get(key);
          return members && [...members].every((member) => offered[name].has(member)) ? { path: light[name] } : undefined;
        });
      }
      build.onResolve({ filter: /^fabricks:(?:app-files|dynamic-requires|app-modules)$/ },
        (args) => ({ path: args.path.slice('fabricks:'.length), namespace: 'fabricks' }));
      build.onLoad({ filter: /^dynamic-requires$/, namespace: 'fabricks' }, () => {
        const names = appRoot ? dynamicRequireCandidates(appRoot, listed()) : [];
        // Thunks: a module loads when it is first required, as in Node.
        const entries = names.map((name) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`);
        return { contents: `export default {\n${entries.join('\n')}\n};\n`, loader: 'js', resolveDir: appRoot ?? process.cwd() };
      });
      build.onLoad({ filter: /^app-modules$/, namespace: 'fabricks' }, () => ({
        contents: registrySource(registry?.entries ?? [], registry?.builtins ?? []), loader: 'js', resolveDir: appRoot ?? process.cwd(),
      }));
      build.onLoad({ filter: /^app-files$/, namespace: 'fabricks' }, () => {
        const stats = listed().map(([guest, host]) => [guest, host, statSync(host)]);
        const total = stats.reduce((sum, [, , stat]) => sum + stat.size, 0);
        if (total > MAX_FILES_BYTES) {
          return { errors: [{ text: `the app folder holds ${(total / 2 ** 20).toFixed(0)} MiB of files to bundle for node:fs (at most ${MAX_FILES_BYTES / 2 ** 20} MiB): move data the app does not read out of its folder` }] };
        }
        // Each file with its own mtime, rounded to ms as Node's fs.Stats does, so Last-Modified
        // and ETags match the app run from its folder.
        const entries = stats.map(([guest, host, stat]) =>
          `  ${JSON.stringify(guest)}: [${JSON.stringify(readFileSync(host).toString('base64'))}, ${Math.round(stat.mtimeMs)}],`);
        return { contents: `export default {\n${entries.join('\n')}\n};\n`, loader: 'js' };
      });
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        const guest = guestPath(args.path, allMounts);
        const { text, warning } = kernels.rewrite(args.path, readFileSync(args.path, 'utf8'), runtime);
        let out = guest ? withModulePaths(text, guest) : text;
        let loader = loaderFor(args.path);
        const own = appRoot && args.path.startsWith(appRoot + sep);
        if (own && loader.startsWith('ts')) {
          metadata ??= metadataOptions(appRoot) ?? false;
          if (metadata) {
            out = transpile(out, args.path, metadata);
            loader = 'js';
          }
        }
        if (own && loader !== 'js' && /\brequire\b|\bimport\s*\(/.test(out)) {
          // TypeScript (or JSX) first becomes JavaScript, for the rewrite below to parse; the
          // inline source map keeps the user's lines.
          tsconfig ??= tsconfigOf(appRoot) ?? null;
          const js = await build.esbuild.transform(out, { loader, sourcemap: 'inline', sourcefile: args.path,
            ...(tsconfig && loader.startsWith('ts') ? { tsconfigRaw: tsconfig } : {}) }).catch(() => null);
          const rewrite = js && rewriteComputedRequires(js.code, guest, 'module');
          if (rewrite?.rewritten) {
            out = rewrite.text;
            loader = 'js';
            report.rewritten.add(args.path);
          }
        } else if (own && loader === 'js') {
          const rewrite = rewriteComputedRequires(out, guest, args.path.endsWith('.cjs') ? 'script' : 'module');
          if (rewrite.rewritten) {
            out = rewrite.text;
            report.rewritten.add(args.path);
          }
        }
        if (loader === 'js') {
          try {
            out = lowerPropertyEscapes(out, args.path.endsWith('.cjs') ? 'script' : 'module');
          } catch (error) {
            return { errors: [{ text: `could not rewrite the Unicode property escapes of ${args.path}: ${error.message}` }] };
          }
        }
        // Returned even when unchanged: esbuild would otherwise read the file a second time.
        return { contents: out, loader, resolveDir: dirname(args.path), warnings: warning ? [{ text: warning }] : [] };
      });
    },
  }];
}
