#!/usr/bin/env node
// Bundle a Node pack's entry (the app, its dependencies and the bridge) into one ES module
// with esbuild, then make it a component with componentize-js (StarlingMonkey + wizer).
//
//   node build.mjs --entry GLUE/fabricks-entry.js --app APP --deps DEPS --wit WIT --world WORLD \
//                  [--alias MODULE=FILE ...] [--node-builtins] --out OUT.wasm
//
// --node-builtins gives Node built-ins their stand-ins (node-builtins.mjs), bundles the app's
// own files under /app for node:fs, and gives each module its __dirname and import.meta.url.
//
// Failures print `fabricks-error:` / `fabricks-hint:` lines (docs/packs.md) and exit 1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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
    docs: { type: 'string', default: 'docs/node-hono.md' },
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
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const appRoot = values.app ? resolve(values.app) : null;

// Node built-ins the pack gives no stand-in for fail the build here, naming the importer,
// rather than failing at run time inside the component.
const builtinGuard = {
  name: 'fabricks-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_0-9]+(\/[a-z_0-9]+)?$/ }, (args) => {
      if (!builtins.has(args.path) || alias[args.path] || alias[args.path.replace(/^node:/, '')]) return undefined;
      const who = appRoot && args.importer.startsWith(appRoot) ? relative(appRoot, args.importer) : args.importer;
      return { errors: [{ text: `${who} imports the Node built-in "${args.path}", which a component has no stand-in for` }] };
    });
  },
};

const bundle = join(dirname(resolve(values.out)), 'bundle.js');
let sourceMap; // the bundle's source map, read on the first lookup (original())
try {
  await esbuild.build({
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
    nodePaths: values.deps ? [join(resolve(values.deps), 'node_modules')] : [],
    alias: Object.fromEntries(Object.entries(alias).flatMap(([k, v]) => k.startsWith('node:') ? [[k, v]] : [[k, v], [`node:${k}`, v]])),
    external: ['wasi:*'],
    inject: nodeCompat ? [nodeCompat.globalsModule(runtimeDir)] : [],
    plugins: [builtinGuard, ...(nodeCompat ? nodeCompat.plugins({ appRoot, deps: values.deps }) : [])],
    sourcemap: 'external',
    logLevel: 'silent',
    legalComments: 'none',
  });
} catch (error) {
  const first = error.errors?.[0];
  if (!first) fail(`bundling failed: ${error.message}`);
  const at = first.location ? `${appRoot ? relative(appRoot, resolve(first.location.file)) : first.location.file}:${first.location.line}: ` : '';
  const missing = /Could not resolve "([^"]+)"/.exec(first.text);
  fail(`${at}${first.text}`,
    missing ? `Add "${missing[1]}" to the app's package.json dependencies (and run npm install), or fix the import.`
      : 'Fix the import above; the bundle must resolve every module at build time.');
}

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
