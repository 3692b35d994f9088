#!/usr/bin/env node
// Install a Node app's production dependencies into TARGET/node_modules for bundling:
// `npm ci` when there is a package-lock.json, `npm install` otherwise; install scripts
// never run (nothing native is built). A dependency that needs a native addon fails the
// step, named with the chain of packages that pulls it in, unless the component has a
// stand-in for its binding (kernels.mjs: bcrypt, argon2).
//
// The install mirrors where Node finds the app's packages (workspace.mjs): for a member of an
// npm/yarn/pnpm workspace, the workspace root's manifests and lockfile are staged at the same
// relative places and the member's dependencies installed hoisted, as `npm ci` in the root
// would (`--workspace MEMBER --include-workspace-root`); TARGET/fabricks-workspace.json then
// tells build.mjs where the member sits and which sibling packages to bundle from source.
//
//   node stage_deps.mjs --source APP_DIR --target OUT_DIR
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { installRoot, LOCKFILES, npmManifest } from './workspace.mjs';
import { ADDONS } from './kernels.mjs';

const { values } = parseArgs({ options: { source: { type: 'string' }, target: { type: 'string' } } });
const source = values.source, target = values.target;

function fail(message, hint) {
  console.log(`fabricks-error: ${message}`);
  if (hint) console.log(`fabricks-hint: ${hint}`);
  process.exit(1);
}

function readManifest(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`${file}: not valid JSON (${error.message})`, 'Fix package.json; `npm pkg get` shows what npm reads.');
  }
}

const where = installRoot(source);
const manifest = join(where.kind === 'workspace' ? source : where.root, 'package.json');
if (!existsSync(join(where.root, 'package.json'))) {
  writeFileSync(join(target, 'package.json'), '{"private": true}\n');
  process.exit(0);
}
// The root manifest (the workspace's, or the app's own) and every member's, at their places.
const rootPkg = readManifest(join(where.root, 'package.json'));
const staged = where.kind === 'workspace' ? npmManifest(rootPkg) : rootPkg;
if (where.kind === 'workspace') {
  // pnpm declares its members in pnpm-workspace.yaml; npm needs them in package.json.
  staged.workspaces = where.members.map((m) => m.dir);
  for (const member of where.members) {
    mkdirSync(join(target, member.dir), { recursive: true });
    writeFileSync(join(target, member.dir, 'package.json'),
      JSON.stringify(npmManifest(readManifest(join(where.root, member.dir, 'package.json'))), null, 2));
  }
  writeFileSync(join(target, 'fabricks-workspace.json'), JSON.stringify({
    kind: where.kind, member: where.member, root: relative(source, where.root).split(sep).join('/') || '.',
    packages: Object.fromEntries(where.members.map((m) => [m.name, m.dir])),
  }, null, 2));
} else if (where.kind === 'parent') {
  writeFileSync(join(target, 'fabricks-workspace.json'), JSON.stringify({
    kind: where.kind, member: where.member, root: relative(source, where.root).split(sep).join('/'), packages: {},
  }, null, 2));
}
writeFileSync(join(target, 'package.json'), JSON.stringify(staged, null, 2));
const found = LOCKFILES.find((f) => existsSync(join(where.root, f)));
// npm reads a yarn.lock as a guide to versions; a pnpm-lock.yaml it can't read at all.
const lock = found === 'pnpm-lock.yaml' ? null : found;
if (lock) copyFileSync(join(where.root, lock), join(target, lock));
if (found === 'pnpm-lock.yaml') {
  console.log(`fabricks-warning: ${join(where.root, found)} is pnpm's lockfile, which npm can't read: the dependencies were ` +
    'installed by npm at the newest versions package.json allows. Commit a package-lock.json (npm install --package-lock-only) to pin them.');
}
const workspaceArgs = where.kind === 'workspace' ? ['--workspace', where.member, '--include-workspace-root'] : [];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const ci = lock === 'package-lock.json' || lock === 'npm-shrinkwrap.json';
const args = [ci ? 'ci' : 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', ...workspaceArgs];
let run = spawnSync(npm, args, { cwd: target, stdio: ['ignore', 'inherit', 'inherit'] });
if (run.status !== 0 && ci) {
  // npm ci refuses a lockfile that leaves out other platforms' optional binaries (which npm
  // itself writes); npm install --no-save still keeps to the lockfile's versions.
  const retry = ['install', '--no-save', ...args.slice(1)];
  run = spawnSync(npm, retry, { cwd: target, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status === 0) {
    console.log(`fabricks-warning: \`npm ci\` refused ${join(where.root, lock)} as out of sync with package.json; ` +
      'installed with `npm install --no-save` instead. Run `npm install` in the app folder to refresh the lockfile.');
  }
}
if (run.status !== 0) {
  fail(`\`npm ${args.join(' ')}\` failed for ${manifest} (exit ${run.status})`,
    lock ? `If package.json changed since ${lock} was written, run \`npm install\` in ${where.root} to update the lockfile.`
      : `Check the dependencies in package.json (run npm install in ${where.root} to see the error).`);
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
collect(join(target, 'node_modules'));
for (const member of where.members ?? []) collect(join(target, member.dir, 'node_modules'));

function isNative({ pkg, path }) {
  if (pkg.gypfile || existsSync(join(path, 'binding.gyp'))) return true;
  if (Object.keys(pkg.dependencies ?? {}).some((d) => LOADERS.has(d))) return true;
  return hasNodeBinary(path);
}

const root = readManifest(manifest);
/** What a package.json makes npm install: its dependencies and optionalDependencies (where
 *  prebuilt addons put their per-platform packages). */
function installs(pkg) {
  return Object.keys({ ...pkg?.dependencies, ...pkg?.optionalDependencies });
}

function chain(name) {
  // Breadth-first from the app's own dependencies to `name`.
  const queue = installs(root).map((d) => [d]);
  const seen = new Set();
  while (queue.length) {
    const path = queue.shift();
    const last = path[path.length - 1];
    if (last === name) return path;
    if (seen.has(last)) continue;
    seen.add(last);
    for (const dep of installs(packages.get(last)?.pkg)) queue.push([...path, dep]);
  }
  return [name];
}

// An addon with a stand-in binding (kernels.mjs) installs: the bundle gives it the stand-in.
const native = [...packages.entries()].filter(([name, info]) => !LOADERS.has(name) && !ADDONS[name] && isNative(info));
if (native.length) {
  const [name, { pkg }] = native[0];
  const path = chain(name);
  const via = path.length > 1 ? `, pulled in by ${path.slice(0, -1).reverse().join(' <- ')}` : ', a dependency in package.json';
  const replace = path[0] !== name ? `${path[0]}, which needs ${name}` : name;
  fail(`${manifest}: ${name}@${pkg.version}${via}, is a native addon (compiled C/C++ that Node loads), which can't run inside a WebAssembly component`,
    `Use a pure-JavaScript (or WebAssembly) alternative to ${replace}${native.length > 1 ? ` (also native: ${native.slice(1).map(([n]) => n).join(', ')})` : ''}. `
    + `The native addons a component stands in for: ${Object.keys(ADDONS).join(', ')}.`);
}

// What was installed, for the component's SBOM (docs/packs.md): npm's own record of the
// node_modules tree it wrote (node_modules/.package-lock.json); workspace links are "path".
const hidden = join(target, 'node_modules', '.package-lock.json');
const installed = existsSync(hidden) ? readManifest(hidden).packages ?? {} : {};
const report = [];
for (const [key, entry] of Object.entries(installed)) {
  if (!key.includes('node_modules/') || entry.dev || entry.extraneous) continue;
  const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const version = entry.version ?? (entry.link ? readManifest(join(target, entry.resolved, 'package.json')).version : '');
  report.push({ name, version, source: entry.link ? 'path' : 'index',
    purl: `pkg:npm/${name.replace(/^@/, '%40')}@${version}` });
}
writeFileSync(join(target, 'fabricks-dependencies.json'), JSON.stringify({
  ecosystem: 'npm', declared_in: `package.json${lock ? ` (${lock})` : ''}`, packages: report,
}, null, 2) + '\n');
