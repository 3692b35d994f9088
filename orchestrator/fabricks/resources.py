"""Where the built-in packs, the vendored WASI WIT and the host's sources live.

In a checkout (editable install) they are the repository's ``packs/``, ``wit/`` and
``host/``; in a wheel they are shipped as ``fabricks/_data/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    shipped = _PACKAGE / "_data" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent.parent / name


def builtin_packs_dir() -> Path:
    """The folder holding the built-in packs."""
    return _data_dir("packs")


def wit_dir() -> Path:
    """The vendored WIT folder (``world.wit`` plus ``deps/``)."""
    return _data_dir("wit")


def host_source_dir() -> Path | None:
    """The host's Rust sources (``Cargo.toml``, ``src/``), built on first use when Fabricks is
    installed as a tool; None if absent."""
    path = _data_dir("host")
    return path if (path / "Cargo.toml").is_file() else None
