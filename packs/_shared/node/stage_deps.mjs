#!/usr/bin/env node
// Install a Node app's production dependencies into TARGET/node_modules for bundling:
// `npm ci` when the app has a package-lock.json, `npm install` otherwise; install scripts
// never run (nothing native is built). A dependency that needs a native addon fails the
// step, named with the chain of packages that pulls it in.
//
//   node stage_deps.mjs --source APP_DIR --target OUT_DIR
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { source: { type: 'string' }, target: { type: 'string' } } });
const source = values.source, target = values.target;

function fail(message, hint) {
  console.log(`fabricks-error: ${message}`);
  if (hint) console.log(`fabricks-hint: ${hint}`);
  process.exit(1);
}

const manifest = join(source, 'package.json');
if (!existsSync(manifest)) {
  writeFileSync(join(target, 'package.json'), '{"private": true}\n');
  process.exit(0);
}
try {
  JSON.parse(readFileSync(manifest, 'utf8'));
} catch (error) {
  fail(`${manifest}: not valid JSON (${error.message})`, 'Fix package.json; `npm pkg get` shows what npm reads.');
}
copyFileSync(manifest, join(target, 'package.json'));
const lock = ['package-lock.json', 'npm-shrinkwrap.json'].find((f) => existsSync(join(source, f)));
if (lock) copyFileSync(join(source, lock), join(target, lock));

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const args = [lock ? 'ci' : 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];
let run = spawnSync(npm, args, { cwd: target, stdio: ['ignore', 'inherit', 'inherit'] });
if (run.status !== 0 && lock) {
  // npm ci refuses a lockfile that leaves out other platforms' optional binaries (which npm
  // itself writes); npm install --no-save still keeps to the lockfile's versions.
  const retry = ['install', '--no-save', ...args.slice(1)];
  run = spawnSync(npm, retry, { cwd: target, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status === 0) {
    console.log(`fabricks-warning: \`npm ci\` refused ${join(source, lock)} as out of sync with package.json; ` +
      'installed with `npm install --no-save` instead. Run `npm install` in the app folder to refresh the lockfile.');
  }
}
if (run.status !== 0) {
  fail(`\`npm ${args.join(' ')}\` failed for ${manifest} (exit ${run.status})`,
    lock ? `If package.json changed since ${lock} was written, run \`npm install\` in the app folder to update the lockfile.`
      : 'Check the dependencies in package.json (run npm install in the app folder to see the error).');
}

// Native addons: node-gyp sources, prebuilt .node binaries, or the loaders that find them.
const LOADERS = new Set(['node-gyp-build', 'bindings', 'prebuild-install', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'node-addon-api', 'nan']);
function hasNodeBinary(dir, depth = 0) {
  if (depth > 4) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    if (entry.isFile() && entry.name.endsWith('.node')) return true;
    if (entry.isDirectory() && hasNodeBinary(join(dir, entry.name), depth + 1)) return true;
  }
  return false;
}

const modules = join(target, 'node_modules');
const packages = new Map(); // name -> package.json
function collect(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (entry.startsWith('@')) { collect(path); continue; }
    if (!statSync(path).isDirectory()) continue;
    const pkgFile = join(path, 'package.json');
    if (existsSync(pkgFile)) {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      packages.set(pkg.name ?? entry, { pkg, path });
    }
    collect(join(path, 'node_modules'));
  }
}
collect(modules);

function isNative({ pkg, path }) {
  if (pkg.gypfile || existsSync(join(path, 'binding.gyp'))) return true;
  if (Object.keys(pkg.dependencies ?? {}).some((d) => LOADERS.has(d))) return true;
  return hasNodeBinary(path);
}

const root = JSON.parse(readFileSync(manifest, 'utf8'));
function chain(name) {
  // Breadth-first from the app's own dependencies to `name`.
  const queue = Object.keys(root.dependencies ?? {}).map((d) => [d]);
  const seen = new Set();
  while (queue.length) {
    const path = queue.shift();
    const last = path[path.length - 1];
    if (last === name) return path;
    if (seen.has(last)) continue;
    seen.add(last);
    for (const dep of Object.keys(packages.get(last)?.pkg.dependencies ?? {})) queue.push([...path, dep]);
  }
  return [name];
}

const native = [...packages.entries()].filter(([name, info]) => !LOADERS.has(name) && isNative(info));
if (native.length) {
  const [name, { pkg }] = native[0];
  const path = chain(name);
  const via = path.length > 1 ? `, pulled in by ${path.slice(0, -1).reverse().join(' <- ')}` : ', a dependency in package.json';
  fail(`${manifest}: ${name}@${pkg.version}${via}, is a native addon (compiled C/C++ that Node loads), which can't run inside a WebAssembly component`,
    `Use a pure-JavaScript (or WebAssembly) alternative to ${name}${native.length > 1 ? ` (also native: ${native.slice(1).map(([n]) => n).join(', ')})` : ''}.`);
}
