"""Guess the framework and the app object from the source, by the packs' rules.

Knows nothing of any framework: each pack's ``[[detect]]`` rules say which files
to read and which pattern marks an app (see docs/packs.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .manifest import Pack
from .packs import Registry

# Folders never read for detection, staging or the cache key.
IGNORED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "env", "__pycache__", "node_modules", "target",
    ".fabricks", ".pytest_cache", ".mypy_cache", ".tox", "dist", "build",
})
MAX_FILE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Detection:
    """A guess: the pack, framework and ``app`` it implies, and the file it came from."""

    pack: Pack
    framework: str
    app: str
    file: Path


def source_files(app_dir: Path, pattern: str) -> list[Path]:
    """Files under ``app_dir`` matching the glob, shallowest first, skipping IGNORED_DIRS."""
    found = []
    for path in app_dir.glob(pattern):
        rel = path.relative_to(app_dir)
        if any(part in IGNORED_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
            found.append(path)
    return sorted(found, key=lambda p: (len(p.relative_to(app_dir).parts), str(p)))


def module_name(app_dir: Path, file: Path) -> str:
    """``app_dir/mysite/wsgi.py`` -> ``mysite.wsgi``."""
    parts = list(file.relative_to(app_dir).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def detect(app_dir: Path, registry: Registry, language: str | None = None,
           framework: str | None = None) -> Detection | None:
    """Return the first match of any pack's rules (packs and rules in order), or None."""
    for pack in registry.packs:
        if language and pack.language != language:
            continue
        for rule in pack.detect:
            if framework and rule.framework != framework:
                continue
            for file in source_files(app_dir, rule.files):
                try:
                    match = rule.pattern.search(file.read_text(encoding="utf-8", errors="replace"))
                except OSError:
                    continue
                if match:
                    attr = match.group(1) if match.groups() else "app"
                    app = rule.app.format(module=module_name(app_dir, file), attr=attr,
                                          path=file.relative_to(app_dir).as_posix()) + ("()" if rule.call else "")
                    return Detection(pack, rule.framework, app, file)
    return None
