//! Cranelift's incremental compilation cache, on disk, for `fabricks-host compile --cache DIR`.
//!
//! Components of one pack share most of their code: every Python component carries the same
//! libpython and libc core modules, every Node component the same StarlingMonkey engine; what
//! pre-initialization changes is their data, not their functions. Cranelift keys each compiled
//! function by a SHA-256 of its IR and the target's flags (`cranelift_codegen::incremental_cache`,
//! the key changes with the Cranelift version), so a function compiled for one build is reused,
//! byte for byte the same, by the next. One file per function under `DIR/<2 hex>/<62 hex>`,
//! written beside and renamed, so concurrent compiles (two builds at once) share it safely.
//!
//! Not every function is found again: wasmtime numbers some of a function's references in an
//! order that changes from one compile to the next (the code made is the same), so about 5-10 %
//! of a component's functions miss and are stored anew each time. A hit marks its file used
//! (its mtime) and a compile that stored anything ends by removing the least recently used
//! files while the folder holds more than its limit.

use std::borrow::Cow;
use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use wasmtime::CacheStore;

/// A [`CacheStore`] of compiled functions in a folder (created on first use).
#[derive(Debug)]
pub struct DiskCache {
    dir: PathBuf,
    writes: AtomicU64,
}

impl DiskCache {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, writes: AtomicU64::new(0) }
    }

    /// If this compile stored anything and the folder holds more than `max_bytes`, removes the
    /// least recently used files until it holds three quarters of that. Errors are ignored:
    /// another compile may be removing the same files.
    pub fn prune(&self, max_bytes: u64) {
        if self.writes.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut files = Vec::new();
        let mut total = 0;
        for shard in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            for entry in fs::read_dir(shard.path()).into_iter().flatten().flatten() {
                if let Ok(meta) = entry.metadata() {
                    total += meta.len();
                    files.push((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), entry.path()));
                }
            }
        }
        if total <= max_bytes {
            return;
        }
        files.sort();
        for (_, len, path) in files {
            if total <= max_bytes / 4 * 3 {
                break;
            }
            if fs::remove_file(path).is_ok() {
                total -= len;
            }
        }
    }

    fn path(&self, key: &[u8]) -> PathBuf {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(&hex[..2]).join(&hex[2..])
    }
}

impl CacheStore for DiskCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        let mut file = fs::File::options().read(true).write(true).open(self.path(key)).ok()?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        let _ = file.set_modified(SystemTime::now());
        Some(Cow::Owned(bytes))
    }

    /// A failed write only costs the next build a recompile of that function, so errors are
    /// reported to Cranelift (false) and never fail the compile.
    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        let path = self.path(key);
        let Some(parent) = path.parent() else { return false };
        let n = self.writes.fetch_add(1, Ordering::Relaxed);
        let partial = path.with_extension(format!("{}-{n}.partial", std::process::id()));
        let written = fs::create_dir_all(parent).and_then(|()| fs::write(&partial, &value)).and_then(|()| fs::rename(&partial, &path));
        if written.is_err() {
            let _ = fs::remove_file(&partial);
        }
        written.is_ok()
    }
}
