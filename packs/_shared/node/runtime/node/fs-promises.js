// node:fs/promises: the promise API of the bundled, read-only volume (./fs.js).
import fs from './fs.js';

export default fs.promises;
export const {
  access, appendFile, chmod, copyFile, lstat, mkdir, mkdtemp, open, opendir, readdir, readFile, readlink,
  realpath, rename, rm, rmdir, stat, symlink, truncate, unlink, utimes, writeFile,
} = fs.promises;
