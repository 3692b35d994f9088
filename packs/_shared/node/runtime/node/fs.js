// node:fs inside a component: the app's own files (everything in its folder but
// node_modules and dot-files), bundled at build time under /app, read-only, in memfs's
// in-memory volume; /tmp is writable and belongs to the instance (lost when it ends).
// Writing anywhere else fails with EROFS rather than vanishing silently (docs/node-express.md).
import { Volume, createFsFromVolume } from 'npm:memfs';
import { Buffer } from 'buffer';
import files from 'fabricks:app-files';

const volume = new Volume();
volume.mkdirSync('/app', { recursive: true });
volume.mkdirSync('/tmp', { recursive: true });
for (const [path, [base64, mtimeMs]] of Object.entries(files)) {
  volume.mkdirSync(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true });
  volume.writeFileSync(path, Buffer.from(base64, 'base64'));
  volume.utimesSync(path, new Date(mtimeMs), new Date(mtimeMs));
}

const fs = createFsFromVolume(volume);

function writable(path) {
  const text = path instanceof URL ? path.pathname : String(path);
  return text === "/tmp" || text.startsWith("/tmp/");
}

function readOnlyError(syscall, path) {
  const error = new Error(`EROFS: read-only file system, ${syscall} '${path}' (a component's bundled files are read-only; /tmp is writable, per instance)`);
  Object.assign(error, { code: 'EROFS', errno: -30, syscall, path: String(path) });
  return error;
}

const WRITES = ['writeFile', 'appendFile', 'mkdir', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'cp',
  'symlink', 'link', 'truncate', 'chmod', 'chown', 'lchown', 'utimes', 'lutimes', 'mkdtemp', 'createWriteStream'];

function writesTo(name, args) {
  // rename/copyFile/symlink/link write their second path.
  return ['rename', 'copyFile', 'cp', 'symlink', 'link'].includes(name) ? args[1] : args[0];
}

function opensForWrite(flags) {
  return typeof flags === 'string' ? /[wa+]/.test(flags) : typeof flags === 'number' && (flags & 3) !== 0;
}

for (const name of WRITES) {
  for (const [target, key] of [[fs, name], [fs, `${name}Sync`], [fs.promises, name]]) {
    const original = target[key];
    if (typeof original !== 'function') continue;
    target[key] = function guarded(...args) {
      const path = writesTo(name, args);
      if (writable(path)) return original.apply(this, args);
      const error = readOnlyError(name, path);
      if (target === fs.promises) return Promise.reject(error);
      const callback = args[args.length - 1];
      if (!key.endsWith('Sync') && key !== 'createWriteStream' && typeof callback === 'function') {
        queueMicrotask(() => callback(error));
        return undefined;
      }
      throw error;
    };
  }
}

for (const [target, key] of [[fs, 'open'], [fs, 'openSync'], [fs.promises, 'open']]) {
  const original = target[key];
  target[key] = function guardedOpen(path, flags, ...rest) {
    if (!opensForWrite(flags) || writable(path)) return original.call(this, path, flags, ...rest);
    const error = readOnlyError('open', path);
    if (target === fs.promises) return Promise.reject(error);
    const callback = [flags, ...rest].reverse().find((a) => typeof a === 'function');
    if (key === 'open' && callback) {
      queueMicrotask(() => callback(error));
      return undefined;
    }
    throw error;
  };
}

export default fs;
export const { promises, constants } = fs;
export const {
  access, accessSync, appendFile, appendFileSync, chmod, chmodSync, close, closeSync, copyFile, copyFileSync,
  createReadStream, createWriteStream, exists, existsSync, fstat, fstatSync, lstat, lstatSync, mkdir, mkdirSync,
  mkdtemp, mkdtempSync, open, openSync, opendir, opendirSync, read, readSync, readdir, readdirSync, readFile,
  readFileSync, readlink, readlinkSync, realpath, realpathSync, rename, renameSync, rm, rmSync, rmdir, rmdirSync,
  stat, statSync, symlink, symlinkSync, truncate, truncateSync, unlink, unlinkSync, utimes, utimesSync, watch,
  watchFile, unwatchFile, write, writeSync, writeFile, writeFileSync, Stats, Dirent, ReadStream, WriteStream,
} = fs;
