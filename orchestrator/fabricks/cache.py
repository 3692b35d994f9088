"""The per-machine build cache: content hashes and the folders they key.

Layout under ``$FABRICKS_CACHE_DIR`` (default ``~/.cache/fabricks``)::

    builds/<key>/          one finished build: component.wasm, component.cwasm,
                           meta.json, stage/ (the folders the component mounts)
    steps/<name>-<key>/    a cached staging step's output (e.g. installed deps)
    compiled-functions/    Cranelift's compiled functions, shared by every precompile
                           (fabricks-host compile --cache; host/src/compile_cache.rs)
    tmp/                   builds in progress; renamed into place when complete
    locks/<name>.lock      held (``flock``) while a build or step of that key runs

A folder appears under builds/ or steps/ only once complete (atomic rename), so
an interrupted build leaves nothing half-written behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .detect import IGNORED_DIRS


def root() -> Path:
    """The cache folder (created on first use), absolute: build commands run in other folders,
    so a relative ``FABRICKS_CACHE_DIR`` is taken from the current one."""
    base = os.environ.get("FABRICKS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "fabricks")
    path = Path(base).expanduser().absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path


def tmp_dir(prefix: str) -> Path:
    """A fresh folder under the cache's tmp/, on the same filesystem as its targets."""
    base = root() / "tmp"
    base.mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def publish(tmp: Path, final: Path) -> Path:
    """Move a completed ``tmp`` folder to ``final``; if another build won the race, keep theirs."""
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp.rename(final)
    except OSError:
        if not final.exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)
    return final


@contextlib.contextmanager
def locked(name: str, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the machine-wide lock ``locks/<name>.lock`` for the block.

    Two processes building the same key (two ``service run`` of one app, parallel test workers)
    would otherwise do the same work side by side; the second waits here, calling ``on_wait``
    once first, and then finds the first's result published. ``flock`` locks are released by the
    kernel when their holder exits, so a killed build never leaves one held.
    """
    folder = root() / "locks"
    folder.mkdir(exist_ok=True)
    with open(folder / f"{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def tree_files(base: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    """Files under ``base`` (sorted), skipping IGNORED_DIRS, dot-folders and ``exclude``."""
    excluded = {p.resolve() for p in exclude}
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS and not d.startswith(".")
                             and (here / d).resolve() not in excluded)
        out += [here / f for f in sorted(filenames) if not f.endswith((".pyc", ".wasm", ".cwasm"))]
    return out


class Hasher:
    """A SHA-256 over labelled values, files and trees."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()

    def value(self, label: str, value: object) -> "Hasher":
        self._h.update(f"{label}={value!r}\n".encode())
        return self

    def file(self, label: str, path: Path) -> "Hasher":
        self._h.update(f"{label}:".encode())
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                self._h.update(block)
        self._h.update(b"\n")
        return self

    def tree(self, label: str, base: Path, exclude: Iterable[Path] = ()) -> "Hasher":
        return self.files(label, base, tree_files(base, exclude))

    def files(self, label: str, base: Path, paths: Iterable[Path]) -> "Hasher":
        """Each file under ``base`` by its relative path and content."""
        for path in paths:
            self.file(f"{label}/{path.relative_to(base).as_posix()}", path)
        return self

    def hexdigest(self, length: int = 24) -> str:
        return self._h.hexdigest()[:length]
