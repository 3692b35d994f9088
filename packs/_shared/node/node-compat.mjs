// Which module stands in for each Node built-in inside a component (used by build.mjs with
// --node-builtins). Well-kept browser polyfills from npm where they are real; our own
// modules (runtime/node/) where none is: the http bridge, the bundled read-only fs, process,
// and the crypto, net and async_hooks subsets. A built-in missing here fails the build,
// naming the module that imported it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import * as acorn from 'acorn';
import rewritePattern from 'regexpu-core';

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
    https: own('http.js'),
    http2: own('http2.js'),
    module: own('module.js'),
    net: own('net.js'),
    os: require.resolve('os-browserify/browser.js'),
    path: require.resolve('path-browserify'),
    perf_hooks: own('perf_hooks.js'),
    'path/posix': require.resolve('path-browserify'),
    process: own('process.js'),
    querystring: require.resolve('querystring-es3'),
    stream: require.resolve('readable-stream/lib/ours/browser.js'),
    'stream/promises': own('stream-promises.js'),
    'stream/web': own('stream-web.js'),
    string_decoder: require.resolve('string_decoder/'),
    timers: own('timers.js'),
    'timers/promises': own('timers-promises.js'),
    tty: require.resolve('tty-browserify'),
    url: own('url.js'),
    util: require.resolve('util/'),
    v8: own('v8.js'),
    worker_threads: own('worker_threads.js'),
    zlib: require.resolve('browserify-zlib'),
  };
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
function appFiles(root) {
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

/** Where a bundled module is inside the component: /app/... for the app's files and its
 *  dependencies (as if installed in the app folder), null for the toolchain's own. */
function guestPath(file, appRoot, depsModules) {
  if (appRoot && file.startsWith(appRoot + sep)) return `${APP_ROOT}/${relative(appRoot, file).split(sep).join('/')}`;
  if (depsModules && file.startsWith(depsModules + sep)) return `${APP_ROOT}/node_modules/${relative(depsModules, file).split(sep).join('/')}`;
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
  const options = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true, allowImportExportEverywhere: true, onToken: tokens };
  try {
    acorn.parse(text, { ...options, sourceType });
  } catch {
    tokens.length = 0;
    acorn.parse(text, { ...options, sourceType: sourceType === 'module' ? 'script' : 'module' });
  }
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

/** esbuild plugins: the bundled app files (`fabricks:app-files`) and the per-module rewrites. */
export function plugins({ appRoot, deps }) {
  const depsModules = deps ? join(resolve(deps), 'node_modules') : null;
  let files; // the app folder's files, listed once per build
  const listed = () => (files ??= appRoot ? appFiles(appRoot) : []);
  return [{
    name: 'fabricks-node-compat',
    setup(build) {
      // The stand-ins' own npm imports ("npm:memfs"), from the toolchain's node_modules.
      build.onResolve({ filter: /^npm:/ }, (args) => ({ path: require.resolve(args.path.slice(4)) }));
      build.onResolve({ filter: /^fabricks:app-files$/ }, () => ({ path: 'app-files', namespace: 'fabricks' }));
      build.onResolve({ filter: /^fabricks:dynamic-requires$/ }, () => ({ path: 'dynamic-requires', namespace: 'fabricks' }));
      build.onLoad({ filter: /^dynamic-requires$/, namespace: 'fabricks' }, () => {
        const names = appRoot ? dynamicRequireCandidates(appRoot, listed()) : [];
        // Thunks: a module loads when it is first required, as in Node.
        const entries = names.map((name) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`);
        return { contents: `export default {\n${entries.join('\n')}\n};\n`, loader: 'js', resolveDir: appRoot ?? process.cwd() };
      });
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
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const guest = guestPath(args.path, appRoot, depsModules);
        const text = readFileSync(args.path, 'utf8');
        let out = guest ? withModulePaths(text, guest) : text;
        const loader = loaderFor(args.path);
        if (loader === 'js') {
          try {
            out = lowerPropertyEscapes(out, args.path.endsWith('.cjs') ? 'script' : 'module');
          } catch (error) {
            return { errors: [{ text: `could not rewrite the Unicode property escapes of ${args.path}: ${error.message}` }] };
          }
        }
        // Returned even when unchanged: esbuild would otherwise read the file a second time.
        return { contents: out, loader, resolveDir: dirname(args.path) };
      });
    },
  }];
}
