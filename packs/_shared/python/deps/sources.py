"""Find an app's declared Python dependencies the way pip, uv and poetry users expect.

Order: the Fabrickfile's ``requirements`` (a requirements file or a pyproject.toml);
else ``requirements.txt`` in the app folder; else ``pyproject.toml`` (PEP 621
``[project].dependencies``, or Poetry's ``[tool.poetry.dependencies]``). A pyproject's
lockfile beside it, ``uv.lock``, ``poetry.lock`` or ``pylock.toml`` (PEP 751), becomes
pip constraints: the resolver picks what the app declares, at the versions locked.
Nothing else is read: no environment, no site-packages.

Markers (PEP 508) are evaluated for the component's interpreter (:data:`TARGET`),
not the machine that builds it: pip evaluates them against its own interpreter.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the orchestrator depends on tomli there
    import tomli as tomllib

# PEP 508 environment of componentize-py's CPython (3.14, wasm32-wasi).
TARGET = {
    "implementation_name": "cpython", "implementation_version": "3.14.0", "os_name": "posix",
    "platform_machine": "wasm32", "platform_release": "", "platform_system": "WASI",
    "platform_version": "", "python_full_version": "3.14.0", "platform_python_implementation": "CPython",
    "python_version": "3.14", "sys_platform": "wasi",
}
LOCKFILES = ("uv.lock", "poetry.lock", "pylock.toml")
# Lock entries that are not index releases: the project itself, local folders, VCS checkouts.
NOT_FROM_INDEX = ("editable", "virtual", "directory", "path", "git", "url", "vcs", "archive")


class SourceError(Exception):
    """A manifest or lockfile can't be read. ``args``: (message, hint)."""


@dataclass
class Declared:
    """What the app declares: pass ``requirements_file`` (pip's own syntax) or
    ``requirements`` (PEP 508 strings) to pip, with ``constraints`` from the lockfile."""

    manifest: Path | None = None
    lock: Path | None = None
    requirements_file: Path | None = None
    requirements: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """``"pyproject.toml (uv.lock)"``, ``"requirements.txt"`` or ``"no manifest"``."""
        if self.manifest is None:
            return "no manifest"
        return self.manifest.name + (f" ({self.lock.name})" if self.lock else "")


def applies(marker: str | None) -> bool:
    """True when a PEP 508 marker holds for the component's interpreter (or is absent)."""
    if not marker:
        return True
    try:
        return Marker(marker).evaluate(TARGET)
    except InvalidMarker:
        return True  # let pip report it


def find(source: Path, explicit: Path | None = None) -> Declared:
    """The app's declared dependencies, found by convention under ``source``.

    Raises SourceError for an unreadable pyproject.toml or lockfile.
    """
    if explicit is not None:
        return from_pyproject(explicit) if explicit.suffix == ".toml" else Declared(explicit, requirements_file=explicit)
    if (source / "requirements.txt").is_file():
        path = source / "requirements.txt"
        return Declared(path, requirements_file=path)
    if (source / "pyproject.toml").is_file():
        return from_pyproject(source / "pyproject.toml")
    return Declared()


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SourceError(f"{path}: not valid TOML ({error})", "Fix the file; `python -m tomllib` can't read it either.") from None


def from_pyproject(path: Path) -> Declared:
    """Dependencies of a pyproject.toml, with its lockfile's pins as constraints."""
    data = read_toml(path)
    project = data.get("project") or {}
    poetry = ((data.get("tool") or {}).get("poetry") or {}).get("dependencies")
    if "dependencies" in project:
        requirements = list(project["dependencies"])
    elif isinstance(poetry, dict):
        requirements = [poetry_requirement(name, spec, path) for name, spec in poetry.items() if name.lower() != "python"]
    else:
        requirements = []
    for text in requirements:
        try:
            Requirement(text)
        except InvalidRequirement as error:
            raise SourceError(f"{path}: dependency {text!r} is not a valid requirement ({error})",
                              "Dependencies follow PEP 508, e.g. \"flask>=3.1\".") from None
    requirements = [r for r in requirements if applies(str(Requirement(r).marker or "") or None)]
    lock = next((path.parent / name for name in LOCKFILES if (path.parent / name).is_file()), None)
    constraints = lock_constraints(lock) if lock else []
    return Declared(path, lock, requirements=requirements, constraints=constraints)


POETRY_CARET = re.compile(r"^\^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$")
POETRY_TILDE = re.compile(r"^~(?!=)(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$")


def poetry_constraint(spec: str) -> str:
    """Poetry's ``^1.2``/``~1.2``/``*`` as a PEP 440 specifier (Poetry's documented meaning)."""
    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    if caret := POETRY_CARET.match(spec):
        parts = [int(p) for p in caret.groups()[:3] if p is not None]
        base = ".".join(caret.group(i) for i in (1, 2, 3) if caret.group(i) is not None) + caret.group(4)
        first = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        upper = parts[:first] + [parts[first] + 1]
        return f">={base},<{'.'.join(map(str, upper))}"
    if tilde := POETRY_TILDE.match(spec):
        parts = [int(p) for p in tilde.groups()[:3] if p is not None]
        base = ".".join(tilde.group(i) for i in (1, 2, 3) if tilde.group(i) is not None) + tilde.group(4)
        upper = [parts[0] + 1] if len(parts) == 1 else [parts[0], parts[1] + 1]
        return f">={base},<{'.'.join(map(str, upper))}"
    if spec[0].isdigit():
        return f"=={spec}"
    return spec


def poetry_requirement(name: str, spec, path: Path) -> str:
    """One ``[tool.poetry.dependencies]`` entry as a PEP 508 string."""
    if isinstance(spec, list):  # several constraints by marker: the one for the component
        spec = next((s for s in spec if isinstance(s, dict) and applies(s.get("markers"))), None) or {}
    if isinstance(spec, str):
        return name + poetry_constraint(spec)
    if not isinstance(spec, dict):
        raise SourceError(f"{path}: [tool.poetry.dependencies] {name} is neither a string nor a table", "")
    if any(k in spec for k in ("path", "git", "url")):
        raise SourceError(f"{path}: [tool.poetry.dependencies] {name} comes from a "
                          f"{next(k for k in ('path', 'git', 'url') if k in spec)}, which Fabricks can't install yet",
                          "Publish it to an index, or vendor it into the app folder as a package.")
    extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
    marker = f" ; {spec['markers']}" if spec.get("markers") else ""
    return f"{name}{extras}{poetry_constraint(str(spec.get('version', '*')))}{marker}"


def lock_constraints(lock: Path) -> list[str]:
    """``name==version`` for every index release in a uv, Poetry or PEP 751 lockfile that
    applies to the component's interpreter."""
    data = read_toml(lock)
    entries = data.get("packages" if lock.name.startswith("pylock") else "package") or []
    pins: dict[str, set[str]] = {}
    for entry in entries:
        name, version = entry.get("name"), entry.get("version")
        source = entry.get("source") or {}
        if not name or not version or any(k in source for k in NOT_FROM_INDEX) or source.get("type") in NOT_FROM_INDEX:
            continue
        if any(k in entry for k in ("vcs", "directory", "archive")):  # PEP 751 non-index sources
            continue
        markers = entry.get("resolution-markers") or ([entry["marker"]] if entry.get("marker") else None) \
            or ([entry["markers"]] if isinstance(entry.get("markers"), str) else None)
        if markers and not any(applies(m) for m in markers):
            continue
        pins.setdefault(name.lower(), set()).add(version)
    # A name locked at several versions for interpreters other than ours is left to the resolver.
    return [f"{name}=={next(iter(versions))}" for name, versions in sorted(pins.items()) if len(versions) == 1]


__all__ = ["Declared", "SourceError", "TARGET", "applies", "find", "from_pyproject", "lock_constraints",
           "poetry_constraint"]
