// Where a Node app's dependencies come from when its folder is not the whole story: a member
// of an npm/yarn/pnpm workspace (its dependencies hoisted to the workspace root's node_modules,
// its siblings linked there), or a folder with no package.json inside a package that has one.
// Node finds those by walking up from the app's folder; the build has to install the same
// thing, from the same lockfile, at the same relative place (stage_deps.mjs), and bundle
// sibling workspace packages from their sources (build.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** How many folders above the app folder a workspace root or package may be. The node packs'
 *  manifests key the dependency step by the manifests and lockfiles this many levels up. */
export const MAX_LEVELS = 3;

/** Lockfiles, in the order the install prefers them. npm reads yarn.lock as a guide to versions. */
export const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'];

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The `packages:` globs of a pnpm-workspace.yaml (a list of quoted or bare strings), without a
 *  YAML library: that key is the only one read, and its form is fixed by pnpm's docs. */
export function pnpmWorkspaceGlobs(text) {
  const globs = [];
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (/^packages\s*:/.test(line)) { inPackages = true; continue; }
    if (inPackages && /^\S/.test(line)) break;
    const item = inPackages && /^\s*-\s*(['"]?)([^'"#]+?)\1\s*(?:#.*)?$/.exec(line);
    if (item) globs.push(item[2].trim());
  }
  return globs;
}

/** The workspace globs a folder declares: package.json "workspaces" (npm, yarn: a list, or
 *  yarn's `{packages: [...]}`), else pnpm-workspace.yaml; null when it is no workspace root. */
export function workspaceGlobs(dir) {
  const pkg = readJson(join(dir, 'package.json'));
  const declared = pkg?.workspaces;
  if (Array.isArray(declared)) return { tool: 'npm', globs: declared };
  if (Array.isArray(declared?.packages)) return { tool: 'npm', globs: declared.packages };
  if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    return { tool: 'pnpm', globs: pnpmWorkspaceGlobs(readFileSync(join(dir, 'pnpm-workspace.yaml'), 'utf8')) };
  }
  return null;
}

/** A workspace glob ("packages/*", "apps/**", "!packages/old") as a RegExp over posix paths. */
export function globRegExp(glob) {
  const parts = glob.replace(/^!/, '').replace(/^\.\//, '').replace(/\/+$/, '').split('/');
  if (parts.length === 1 && parts[0] === '**') return /^.+$/;
  const segment = (part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  let body = '';
  parts.forEach((part, i) => {
    if (part === '**') body += i === 0 ? '(?:[^/]+/)*' : '(?:/[^/]+)*';
    else body += (i === 0 || (i === 1 && parts[0] === '**') ? '' : '/') + segment(part);
  });
  return new RegExp(`^${body}$`);
}

/** Whether `rel` (a posix path from the workspace root) is a member by `globs` (later
 *  negations win, as in npm and pnpm). */
export function matchesWorkspace(rel, globs) {
  let member = false;
  for (const glob of globs) {
    if (globRegExp(glob).test(rel)) member = !glob.startsWith('!');
  }
  return member;
}

/** Every member of the workspace at `root`: {name, dir} with `dir` a posix path from the
 *  root. Folders named node_modules or starting with a dot are not searched. */
export function workspaceMembers(root, globs) {
  const members = [];
  const depth = Math.max(...globs.map((g) => (g.includes('**') ? 6 : g.split('/').length)), 1);
  const walk = (dir, level) => {
    if (level > depth) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      if (matchesWorkspace(rel, globs) && existsSync(join(path, 'package.json'))) {
        members.push({ name: readJson(join(path, 'package.json'))?.name ?? rel, dir: rel });
      }
      walk(path, level + 1);
    }
  };
  walk(root, 1);
  return members.sort((a, b) => (a.dir < b.dir ? -1 : 1));
}

/**
 * Where `source`'s dependencies are installed from, as Node would find them by walking up:
 *   - the app folder is a workspace member: {kind: 'workspace', root, member, tool, members};
 *   - it has no package.json but a folder above has one: {kind: 'parent', root, member};
 *   - otherwise {kind: 'app', root: source, member: '.'}.
 * `member` is the app folder's posix path from `root`. Only MAX_LEVELS folders up are looked at.
 */
export function installRoot(source) {
  const app = resolve(source);
  let dir = app;
  for (let level = 1; level <= MAX_LEVELS; level++) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
    const found = workspaceGlobs(dir);
    const member = relative(dir, app).split(sep).join('/');
    if (found && matchesWorkspace(member, found.globs)) {
      return { kind: 'workspace', root: dir, member, tool: found.tool, members: workspaceMembers(dir, found.globs) };
    }
  }
  if (!existsSync(join(app, 'package.json'))) {
    dir = app;
    for (let level = 1; level <= MAX_LEVELS; level++) {
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
      if (existsSync(join(dir, 'package.json'))) return { kind: 'parent', root: dir, member: relative(dir, app).split(sep).join('/') };
      if (existsSync(join(dir, '.git'))) break; // a repository's root: nothing above belongs to the app
    }
  }
  return { kind: 'app', root: app, member: '.' };
}

/** A manifest for npm: pnpm's `workspace:` ranges (which npm refuses) become "*", which npm
 *  links to the sibling of that name, as pnpm does. */
export function npmManifest(pkg) {
  const out = { ...pkg };
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    if (!pkg[field]) continue;
    out[field] = Object.fromEntries(Object.entries(pkg[field])
      .map(([name, range]) => [name, typeof range === 'string' && range.startsWith('workspace:') ? '*' : range]));
  }
  return out;
}
