"""TOML loading with line numbers for errors (tomllib on 3.11+, tomli before)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError


def load(path: Path, error_type: type[Exception]) -> dict[str, Any]:
    """Parse ``path``; a syntax error raises ``error_type`` naming the file and line."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column \d+\)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise error_type(f"invalid TOML: {message}", hint="Fix the TOML syntax at that line.",
                         path=path, line=int(match.group(1)) if match else None) from None
    except UnicodeDecodeError:
        raise error_type("the file is not UTF-8 text", path=path) from None


def find_line(path: Path | None, table: str, key: str | None = None) -> int | None:
    """Best-effort 1-based line of ``[table]`` or of ``key`` inside it (for messages).

    ``table`` and ``key`` may be dotted (``health_check.http``, ``network.connect``); the line
    may be a header, a dotted key or an inline table on the way to the key. A top-level key is
    its own ``table``.
    """
    if path is None or not path.exists():
        return None
    full = table.split(".") + (key.split(".") if key else [])
    current: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[+\s*([^\]]+?)\s*\]+", stripped)
        if header:
            current = [part.strip().strip("\"'") for part in header.group(1).split(".")]
            if current[:len(full)] == full:
                return number
            continue
        assigned = re.match(r"^([A-Za-z0-9_\-.\"' ]+?)\s*=", stripped)
        if assigned:
            names = current + [part.strip().strip("\"'") for part in assigned.group(1).split(".")]
            if names[:len(full)] == full or (len(names) > len(current) and full[:len(names)] == names):
                return number
    return None
