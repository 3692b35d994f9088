"""The per-machine build cache: content hashes and the folders they key.

Layout under ``$FABRICKS_CACHE_DIR`` (default ``~/.cache/fabricks``)::

    builds/<key>/          one finished build: component.wasm, component.cwasm,
                           meta.json, stage/ (the folders the component mounts)
    steps/<name>-<key>/    a cached staging step's output (e.g. installed deps)
    tmp/                   builds in progress; renamed into place when complete

A folder appears under builds/ or steps/ only once complete (atomic rename), so
an interrupted build leaves nothing half-written behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

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
