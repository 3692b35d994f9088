"""Pack discovery: every folder with a ``pack.toml`` under the pack paths.

Built-in packs (the repository's ``packs/``) load exactly as outside ones do;
``--packs DIR`` or ``FABRICKS_PACKS_PATH`` (``os.pathsep``-separated) add more,
searched first. The manifest model is :mod:`fabricks.manifest` (format: docs/packs.md);
nothing here names a framework.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import PackError
from .manifest import Pack, load_pack
from .resources import builtin_packs_dir


def pack_paths(extra: list[Path] | None = None) -> list[Path]:
    """Folders searched for packs: ``extra``, then FABRICKS_PACKS_PATH, then the built-ins."""
    paths = list(extra or [])
    env = os.environ.get("FABRICKS_PACKS_PATH")
    if env:
        paths += [Path(p) for p in env.split(os.pathsep) if p]
    paths.append(builtin_packs_dir())
    return paths


class Registry:
    """All discovered packs, keyed by name; looked up by language and framework."""

    def __init__(self, packs: list[Pack]) -> None:
        self.packs = packs

    @classmethod
    def discover(cls, extra: list[Path] | None = None) -> "Registry":
        """Load every ``*/pack.toml`` under the pack paths.

        Raises PackError for an invalid manifest, or two packs with one name in
        the same folder. A pack found earlier in the path shadows a later one.
        """
        found: dict[str, Pack] = {}
        for base in pack_paths(extra):
            if not base.is_dir():
                continue
            here: set[str] = set()
            for manifest in sorted(base.glob("*/pack.toml")):
                pack = load_pack(manifest.parent)
                if pack.name in here:
                    raise PackError(f"two packs named {pack.name!r} in {base}", path=manifest,
                                    hint="Pack names must be unique; rename one in its [pack] table.")
                here.add(pack.name)
                found.setdefault(pack.name, pack)
        return cls(list(found.values()))

    def languages(self) -> list[str]:
        return sorted({p.language for p in self.packs})

    def frameworks(self, language: str | None = None) -> list[str]:
        return sorted({f for p in self.packs if language in (None, p.language) for f in p.frameworks})

    def find(self, language: str, framework: str) -> Pack | None:
        for pack in self.packs:
            if pack.language == language and framework in pack.frameworks:
                return pack
        return None

    def by_name(self, name: str) -> Pack | None:
        return next((p for p in self.packs if p.name == name), None)
