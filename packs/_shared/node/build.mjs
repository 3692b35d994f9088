#!/usr/bin/env node
// Bundle a Node pack's entry (the app, its dependencies and the bridge) into one ES module
// with esbuild, then make it a component with componentize-js (StarlingMonkey + wizer).
//
//   node build.mjs --entry GLUE/fabricks-entry.js --app APP --deps DEPS --wit WIT --world WORLD \
//                  [--alias MODULE=FILE ...] [--node-builtins] [--node-env MODE] \
//                  [--compose DEP.wasm ... --wasm-tools WASM_TOOLS] --out OUT.wasm
//
// --compose plugs components into the one componentize-js makes, satisfying its imports with
// their exports (`wasm-tools compose`): node:crypto's compiled hashes (native-crypto/).
//
// --node-builtins gives Node built-ins their stand-ins (node-compat.mjs), bundles the app's
// own files under /app for node:fs, gives each module its __dirname and import.meta.url, and
// (when an app file requires a computed path) a registry of the app's modules for require().
//
// --node-env fixes process.env.NODE_ENV as bundlers do (esbuild's define): every static read
// becomes the string, so a dependency's development-only branches drop out of the bundle,
// and runtime/node/process.js holds it in process.env from the top level on.
//
// Dependencies resolve as Node resolves them from the app's folder: the staged install
// (stage_deps.mjs) mirrors the node_modules folders Node would walk up to (a workspace
// root's), and a sibling workspace package is bundled from its own sources.
//
// Failures print `fabricks-error:` / `fabricks-hint:` lines (docs/packs.md) and exit 1.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

function fail(message, hint) {
  console.log(`fabricks-error: ${message}`);
  if (hint) console.log(`fabricks-hint: ${hint}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    entry: { type: 'string' }, deps: { type: 'string' }, wit: { type: 'string' }, world: { type: 'string' },
    out: { type: 'string' }, alias: { type: 'string', multiple: true, default: [] },
    app: { type: 'string' }, source: { type: 'string' }, 'node-builtins': { type: 'boolean', default: false },
    docs: { type: 'string', default: 'docs/node-hono.md' }, 'node-env': { type: 'string', default: '' },
    compose: { type: 'string', multiple: true, default: [] }, 'wasm-tools': { type: 'string', default: 'wasm-tools' },
  },
});

let esbuild, SourceMapConsumer, nodeCompat;
try {
  esbuild = await import('esbuild');
  import.meta.resolve('@bytecodealliance/componentize-js'); // installed? (componentize-child.mjs loads it)
  ({ SourceMapConsumer } = (await import('source-map-js')).default);
  if (values['node-builtins']) nodeCompat = await import('./node-compat.mjs');
} catch (error) {
  fail(`the Node toolchain is not installed (${error.message.split('\n')[0]})`,
    `Run \`make setup\` in the Fabricks checkout, or \`npm install --no-save --ignore-scripts --prefix ${dirname(new URL(import.meta.url).pathname)}\`.`);
}

// The runtime folder the pack copied next to the entry, which the stand-ins must be.
const runtimeDir = join(dirname(resolve(values.entry)), 'runtime');
const alias = {
  ...(nodeCompat ? nodeCompat.nodeBuiltins(runtimeDir) : {}),
  ...Object.fromEntries(values.alias.map((pair) => pair.split('=', 2)).map(([k, v]) => [k, resolve(v)])),
};
const light = nodeCompat ? nodeCompat.lightBuiltins(runtimeDir) : {};
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const appRoot = values.app ? resolve(values.app) : null;
const nodeEnv = values['node-env'];
const nodeEnvDefines = {
  __FABRICKS_NODE_ENV__: nodeEnv ? JSON.stringify(nodeEnv) : 'undefined',
  ...(nodeEnv ? { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) } : {}),
};

// Node built-ins the pack gives no stand-in for fail the build here, naming the importer,
// rather than failing at run time inside the component.
const builtinGuard = {
  name: 'fabricks-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_0-9]+(\/[a-z_0-9]+)?$/ }, (args) => {
      if (!builtins.has(args.path) || alias[args.path] || alias[args.path.replace(/^node:/, '')]) return undefined;
      const who = appRoot && args.importer.startsWith(appRoot) ? relative(appRoot, args.importer) : args.importer;
      const text = `${who} imports the Node built-in "${args.path}", which a component has no stand-in for`;
      // A dependency's require() runs when its code does: often lazily, for a feature the app
      // may never use (NestJS requires "repl" inside its repl() function). It throws then, as
      // a missing module does in Node; at the top level it still stops the build, with this text.
      if (args.kind === 'require-call' && args.importer.includes(`${sep}node_modules${sep}`)) {
        return { path: args.path, namespace: 'fabricks-unavailable', pluginData: text };
      }
      return { errors: [{ text }] };
    });
    build.onLoad({ filter: /.*/, namespace: 'fabricks-unavailable' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}': ${args.pluginData}`)}), { code: 'MODULE_NOT_FOUND' });\n`,
      loader: 'js',
    }));
  },
};

const bundle = join(dirname(resolve(values.out)), 'bundle.js');
// What the engine lacks for want of ICU, each bundled only when the first pass shows the code
// uses it: ECMA-402's Intl (intl.mjs) and String.prototype.normalize (normalize.mjs).
const ICU_POLYFILLS = [
  [/\bIntl\b/, 'intl.mjs'],
  [/\.normalize\(\s*(?:\)|['"`]NFK?[CD]['"`])/, 'normalize.mjs'],
].map(([used, file]) => [used, join(dirname(new URL(import.meta.url).pathname), file)]);
let polyfills = [];
let sourceMap; // the bundle's source map, read on the first lookup (original())
const { nodePaths, mounts } = dependencyPaths();

/**
 * Where bare imports resolve besides the app folder: the staged install's node_modules
 * folders, the app member's own (npm nests versions that conflict with the hoisted ones)
 * first; and, for a workspace member, links to its sibling packages' live folders, ahead of
 * the staged install's links (which point at copies holding only their package.json).
 * @returns {{nodePaths: string[], mounts: [string, string][]}} mounts: [host, guest] folders
 */
function dependencyPaths() {
  if (!values.deps) return { nodePaths: [], mounts: [] };
  const deps = resolve(values.deps);
  const infoFile = join(deps, 'fabricks-workspace.json');
  if (!existsSync(infoFile)) return { nodePaths: [join(deps, 'node_modules')], mounts: [] };
  const info = JSON.parse(readFileSync(infoFile, 'utf8'));
  const paths = [join(deps, info.member, 'node_modules'), join(deps, 'node_modules')];
  const found = [[join(deps, info.member, 'node_modules'), '/app/node_modules']];
  const root = values.source ? resolve(values.source, info.root) : null;
  const siblings = Object.entries(info.packages ?? {}).filter(([, dir]) => dir !== info.member);
  if (root && siblings.length) {
    const links = join(dirname(resolve(values.out)), 'workspace-links', 'node_modules');
    rmSync(links, { recursive: true, force: true });
    for (const [name, dir] of siblings) {
      mkdirSync(dirname(join(links, name)), { recursive: true });
      symlinkSync(join(root, dir), join(links, name), 'dir');
      found.push([join(root, dir), `/app/node_modules/${name}`]);
    }
    paths.unshift(links);
  }
  for (const dir of Object.values(info.packages ?? {})) {
    if (dir !== info.member) paths.push(join(deps, dir, 'node_modules'));
  }
  return { nodePaths: paths, mounts: found };
}

/** One esbuild run over the entry, with `registry` as the app's module registry (null: empty).
 *  `report.rewritten` gets the app files that require or import a computed name. */
function bundleWith(registry, report) {
  const injected = [...(nodeCompat ? [nodeCompat.globalsModule(runtimeDir)] : []), ...polyfills];
  return esbuild.build({
    entryPoints: [values.entry],
    bundle: true,
    outfile: bundle,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    // esbuild adds "import" or "require" by how a module is loaded; Node-world apps get their
    // dependencies' Node builds (built-ins are stood in for), fetch-world apps the worker builds.
    conditions: nodeCompat ? ['node'] : ['worker'],
    nodePaths,
    alias: Object.fromEntries(Object.entries(alias).flatMap(([k, v]) => k.startsWith('node:') ? [[k, v]] : [[k, v], [`node:${k}`, v]])),
    external: ['wasi:*', 'fabricks:*'],
    define: nodeEnvDefines,
    inject: injected,
    // The registry's lenient resolution must see an import before the built-in guard refuses it.
    plugins: [...(nodeCompat ? nodeCompat.plugins({ appRoot, deps: values.deps, mounts, registry, report, light, runtime: runtimeDir }) : []), builtinGuard],
    sourcemap: 'external',
    logLevel: 'silent',
    legalComments: 'none',
    metafile: true,
  });
}

/** The second pass, for an app that requires computed names: every module file of the app in
 *  the registry. What the first pass bundled stays as strict as it was; an entry esbuild
 *  refuses to require (a module that awaits at its top level, or imports one that does) gets
 *  the refusal as its error and the bundle is made again without it. */
async function bundleWithRegistry(first) {
  const cwd = process.cwd();
  const strict = new Set(Object.keys(first.metafile.inputs).filter((key) => !/^[\w-]+:/.test(key)).map((key) => resolve(cwd, key)));
  const files = nodeCompat.appFiles(appRoot);
  const tsconfig = existsSync(join(appRoot, 'tsconfig.json')) ? readFileSync(join(appRoot, 'tsconfig.json'), 'utf8') : undefined;
  const entries = nodeCompat.registryEntries(files, strict, esbuild.transformSync, tsconfig);
  // Built-ins whose stand-in the bundle already holds; another one required by a computed
  // name fails as a missing module rather than growing every component. One whose light
  // stand-in it holds is offered whole: what a computed require will read is unknown.
  const standIns = Object.keys(alias).filter((name) => builtins.has(name) && !name.startsWith('node:')
    && (strict.has(alias[name]) || strict.has(light[name])));
  for (let round = 0; ; round++) {
    try {
      return await bundleWith({ entries, builtins: standIns, strict }, { rewritten: new Set() });
    } catch (error) {
      const refused = (error.errors ?? []).filter((e) => e.location?.file === 'fabricks:app-modules');
      if (round >= 8 || refused.length === 0) throw error;
      for (const e of refused) {
        const guest = /"([^"]+)":/.exec(e.location.lineText)?.[1];
        const entry = entries.find(([g]) => g === guest);
        if (!entry) throw error;
        entry.splice(1, 2, null, `${guest}: ${e.text}`);
      }
    }
  }
}

try {
  const report = { rewritten: new Set() };
  let first = await bundleWith(null, report);
  const text = readFileSync(bundle, 'utf8');
  polyfills = ICU_POLYFILLS.filter(([used]) => used.test(text)).map(([, file]) => file);
  if (polyfills.length > 0) first = await bundleWith(null, report);
  if (nodeCompat && appRoot && report.rewritten.size > 0) await bundleWithRegistry(first);
  // Ours only (kernels.mjs: a dependency left in JavaScript); esbuild's own are about code
  // that works.
  for (const warning of first.warnings) {
    if (warning.pluginName === 'fabricks-node-compat') console.log(`fabricks-warning: ${warning.text}`);
  }
} catch (error) {
  const first = error.errors?.[0];
  if (!first) fail(`bundling failed: ${error.message}`);
  const at = first.location ? `${appRoot ? relative(appRoot, resolve(first.location.file)) : first.location.file}:${first.location.line}: ` : '';
  const missing = /Could not resolve "([^"]+)"/.exec(first.text);
  fail(`${at}${first.text}`,
    missing ? `Add "${missing[1]}" to the app's package.json dependencies (and run npm install), or fix the import.`
      : 'Fix the import above; the bundle must resolve every module at build time.');
}

if (appRoot) appendLineTable();

mkdirSync(dirname(resolve(values.out)), { recursive: true });
const child = spawnSync(process.execPath, [join(dirname(new URL(import.meta.url).pathname), 'componentize-child.mjs'),
  JSON.stringify({ sourcePath: bundle, witPath: values.wit, worldName: values.world, disableFeatures: ['fetch-event'] }),
  values.out], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
relayTopLevelOutput(child.stdout ?? '');
if (child.status !== 0) {
  const text = child.stderr || child.error?.message || `componentize-js exited with ${child.status ?? child.signal}`;
  topLevelException(text);
  if (/performance|timeOrigin|bad_optional_access/.test(text)) {
    fail('the app read the clock (performance.now) while its top level ran at build time, which aborts the engine',
      'Read the clock inside a request handler, not at module top level.');
  }
  console.log(text);
  fail(`componentize-js failed: ${text.split('\n').find((l) => l.trim()) ?? 'no message'}`,
    'The app\'s top level runs at build time (pre-initialization); run again with --verbose for the whole output.');
}

if (values.compose.length > 0) composeInto(resolve(values.out), values.compose);

/** Plug `deps` (component files) into the component at `out`, in place: each export that
 *  matches one of its imports satisfies it (`wasm-tools compose`); what is left stays an
 *  import. The engine was pre-initialized alone, so nothing of them ran at build time. */
function composeInto(out, deps) {
  const composed = `${out}.composed`;
  const args = ['compose', out, ...deps.flatMap((dep) => ['-d', dep]), '-o', composed];
  const run = spawnSync(values['wasm-tools'], args, { encoding: 'utf8' });
  if (run.status !== 0) {
    rmSync(composed, { force: true });
    fail(`wasm-tools compose failed: ${(run.stderr || run.error?.message || '').trim()}`,
      'Run `make setup` again (it builds the composed components); run again with --verbose for the whole output.');
  }
  renameSync(composed, out);
}

/** What the app's top level printed at build time, passed on; a `fabricks-warning:` line
 *  followed by its stack gets the innermost frame in the user's own files as its place. */
function relayTopLevelOutput(text) {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith('fabricks-warning: ')) {
      if (line) console.log(line);
      continue;
    }
    const frames = [];
    while (i + 1 < lines.length && /@\S*bundle\.js:\d+:\d+$/.test(lines[i + 1])) {
      const [, l, c] = /bundle\.js:(\d+):(\d+)$/.exec(lines[++i]);
      frames.push(original(Number(l), Number(c)));
    }
    const where = frames.find((f) => f && values.source && f.startsWith(values.source));
    console.log(where ? `fabricks-warning: ${where}: ${line.slice('fabricks-warning: '.length)}` : line);
  }
}

/**
 * Append to the bundle, for the runtime's error logs (runtime/node/uncaught.js), where each
 * bundle line that holds the app's own code came from: `globalThis.__fabricksLines` =
 * { files: [path relative to the app folder], [bundle line]: [file index, line] }. Appended
 * last, so no line of the bundle (or its source map) moves.
 */
function appendLineTable() {
  const mapFile = `${bundle}.map`;
  if (!existsSync(mapFile)) return;
  const consumer = new SourceMapConsumer(JSON.parse(readFileSync(mapFile, 'utf8')));
  const files = [];
  const index = new Map();
  const table = {};
  consumer.eachMapping((m) => {
    if (!m.source || table[m.generatedLine]) return;
    const file = resolve(dirname(bundle), m.source);
    if (!file.startsWith(appRoot + '/') || file.includes('/node_modules/')) return;
    const name = relative(appRoot, file);
    if (!index.has(name)) index.set(name, files.push(name) - 1);
    table[m.generatedLine] = [index.get(name), m.originalLine];
  });
  if (files.length === 0) return;
  appendFileSync(bundle, `\nglobalThis.__fabricksLines = ${JSON.stringify({ files, ...table })};\n`);
}

/** Where in the user's sources a bundle position came from: "file:line", or null. */
function original(line, column) {
  if (sourceMap === undefined) {
    const mapFile = `${bundle}.map`;
    sourceMap = existsSync(mapFile) ? new SourceMapConsumer(JSON.parse(readFileSync(mapFile, 'utf8'))) : null;
  }
  if (sourceMap === null) return null;
  const pos = sourceMap.originalPositionFor({ line, column: Math.max(0, column - 1) });
  if (!pos.source) return null;
  const file = resolve(dirname(bundle), pos.source);
  const shown = appRoot && file.startsWith(appRoot + '/')
    ? join(values.source ?? appRoot, relative(appRoot, file)) : file;
  return `${shown}:${pos.line}`;
}

/** An exception thrown while the app's top level ran (in wizer): the message, at its source line. */
function topLevelException(text) {
  const found = /Exception while evaluating top-level script\s*\n\s*(?:\S*?):(\d+):(\d+)\s+([^\n]*)/.exec(text);
  if (!found) return;
  const [, line, column, message] = found;
  const ours = /^\w*Error: fabricks: /.test(message);
  if (ours) fail(message.replace(/^\w*Error: fabricks: /, ''), `See ${values.docs} for how the app is found.`);
  // The innermost frame in the app's own files, else where the exception was raised.
  const frames = [...text.matchAll(/@\S*?bundle\.js:(\d+):(\d+)/g)].map((m) => original(Number(m[1]), Number(m[2])));
  const where = frames.find((f) => f && values.source && f.startsWith(values.source)) ?? original(Number(line), Number(column));
  fail(`${where ? where + ': ' : ''}the app's top level raised ${message}`,
    'The app module runs at build time (pre-initialization); fix the error, or move code that needs the running service into a request handler.');
}
