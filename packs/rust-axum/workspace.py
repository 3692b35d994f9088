"""A cargo workspace member as a standalone crate: the staged manifest cargo would see when it
builds ``cargo build -p member`` from the workspace root.

The pipeline stages only the app's folder, and the glue crate that depends on it is a
workspace of its own, so nothing may be left for cargo to look up in the user's workspace:

- the workspace root is found as cargo finds it (the crate's own ``[workspace]``, its
  ``package.workspace`` path, or the nearest parent Cargo.toml with ``[workspace]`` that
  does not exclude it), and the crate must be one of its members;
- ``field.workspace = true`` in ``[package]`` and ``[lints]``, and ``dep = { workspace = true,
  ... }`` in every dependency table, are replaced by the root's values, merged as cargo merges
  them (features added, ``optional`` from the member, ``default-features`` as cargo decides);
- relative paths become absolute (the staged copy lives elsewhere), and path dependencies are
  staged too, each rewritten the same way, so the feature policy (features.py) reaches them;
- the root's ``Cargo.lock``, ``[patch]``, ``[replace]`` and ``resolver`` go to the glue crate.

Pure functions over parsed manifests (dicts) except :func:`find_root`, :func:`members` and
:func:`stage_path_crates`, which read or copy files.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

DEPENDENCY_TABLES = ("dependencies", "build-dependencies", "build_dependencies")
DEV_TABLES = ("dev-dependencies", "dev_dependencies")
# [workspace.package] fields that hold a path, relative to the root.
PATH_FIELDS = ("license-file", "readme")
# Folders never copied with a path dependency (build outputs, VCS, editors' and tools' state).
SKIPPED_DIRS = frozenset({"target", "node_modules", ".git", ".fabricks"})


class WorkspaceError(Exception):
    """The crate's workspace can't be resolved. ``args``: (message, hint)."""


@dataclass
class Workspace:
    """What :func:`resolve` found: the root's folder (None for a standalone crate), and what of
    the root the glue crate takes over."""

    root: Path | None = None
    lockfile: Path | None = None
    patch: dict = field(default_factory=dict)
    replace: dict = field(default_factory=dict)
    resolver: str | None = None


def read_manifest(path: Path) -> dict:
    """``path`` parsed, or WorkspaceError naming it."""
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise WorkspaceError(f"{path}: not valid TOML: {error}",
                             "Fix the file (`cargo metadata` shows the same error).") from None


def _is_excluded(root_dir: Path, workspace: dict, crate_dir: Path) -> bool:
    # cargo's WorkspaceRootConfig::is_excluded: an `exclude` prefix wins unless a literal
    # `members` entry names the crate's folder (or one above it).
    excluded = any(crate_dir.is_relative_to(root_dir / ex) for ex in workspace.get("exclude", []))
    explicit = any(crate_dir.is_relative_to(root_dir / m) for m in workspace.get("members", []))
    return excluded and not explicit


def find_root(crate_dir: Path, manifest: dict) -> tuple[Path, dict] | None:
    """The workspace root ``crate_dir`` (a source folder) belongs to, and its parsed manifest;
    None when the crate stands alone. Membership is checked by :func:`check_member`."""
    crate_dir = crate_dir.resolve()
    if "workspace" in manifest:
        return crate_dir, manifest
    explicit = manifest.get("package", {}).get("workspace")
    if isinstance(explicit, str):
        root_dir = (crate_dir / explicit).resolve()
        path = root_dir / "Cargo.toml"
        if not path.is_file():
            raise WorkspaceError(f"{crate_dir / 'Cargo.toml'}: package.workspace = \"{explicit}\" names no Cargo.toml",
                                 "Point package.workspace at the folder of the workspace's root Cargo.toml.")
        return root_dir, read_manifest(path)
    for parent in crate_dir.parents:
        path = parent / "Cargo.toml"
        if not path.is_file():
            continue
        root = read_manifest(path)
        workspace = root.get("workspace")
        if isinstance(workspace, dict) and not _is_excluded(parent, workspace, crate_dir):
            return parent, root
    return None


def members(root_dir: Path, root_manifest: dict) -> list[Path]:
    """The member folders of a workspace root, as cargo counts them: its ``members`` globs
    (folders with a Cargo.toml), its own package, and the path dependencies of any of those
    that lie under the root; less ``exclude``."""
    workspace = root_manifest.get("workspace", {})
    root = root_dir.resolve()
    excluded = [(root / ex).resolve() for ex in workspace.get("exclude", [])]
    queue: list[Path] = []
    for pattern in workspace.get("members", []):
        for path in sorted(root.glob(pattern)) if any(c in pattern for c in "*?[") else [root / pattern]:
            if (path / "Cargo.toml").is_file():
                queue.append(path.resolve())
    if "package" in root_manifest:
        queue.append(root)
    found: list[Path] = []
    while queue:
        path = queue.pop(0)
        if path in found or any(path.is_relative_to(ex) for ex in excluded):
            continue
        found.append(path)
        try:
            manifest = root_manifest if path == root else tomllib.loads((path / "Cargo.toml").read_text())
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for table in _dependency_tables(manifest):
            for key, spec in table.items():
                if _inherits(spec):
                    spec, base = workspace.get("dependencies", {}).get(key), root
                else:
                    base = path
                if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                    dep = (base / spec["path"]).resolve()
                    if dep.is_relative_to(root) and (dep / "Cargo.toml").is_file():
                        queue.append(dep)
    return found


def check_member(root_dir: Path, root_manifest: dict, crate_dir: Path) -> None:
    """Fail, as cargo does, when the nearest workspace root does not list the crate."""
    crate_dir = crate_dir.resolve()
    if crate_dir == root_dir.resolve() or crate_dir in members(root_dir, root_manifest):
        return
    raise WorkspaceError(
        f"{crate_dir / 'Cargo.toml'}: the crate is inside the workspace of {root_dir / 'Cargo.toml'} "
        "but not one of its members (cargo refuses to build it: \"current package believes it's in a "
        "workspace when it's not\")",
        f"Add \"{os.path.relpath(crate_dir, root_dir)}\" to [workspace] members, or to its exclude to "
        "build the crate on its own.")


def root_without_package(root_dir: Path, root_manifest: dict, shown_as: Path) -> WorkspaceError:
    """The error for an app folder that is a workspace root with no [package]: it names the
    members (those that depend on axum first) and says to point at one."""
    found = members(root_dir, root_manifest)
    names = [os.path.relpath(p, root_dir) for p in found]
    axum = [n for n, p in zip(names, found) if _depends_on(p, "axum")]
    listed = ", ".join(names) if names else "none (its members globs match no folder with a Cargo.toml)"
    example = (axum or names or ["MEMBER"])[0]
    return WorkspaceError(
        f"{shown_as / 'Cargo.toml'} is a cargo workspace root with no [package] of its own, so there is no "
        f"crate here to build; its members: {listed}"
        + (f" (depending on axum: {', '.join(axum)})" if axum else ""),
        f"Point Fabricks at the member that holds the axum app, e.g. `fabricks adapt {shown_as / example}`, "
        "with its Fabrickfile there; the workspace's dependencies, Cargo.lock and sibling crates are "
        "used as `cargo build -p` would.")


def _depends_on(crate_dir: Path, crate: str) -> bool:
    try:
        manifest = tomllib.loads((crate_dir / "Cargo.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return any(crate in (key, spec.get("package") if isinstance(spec, dict) else None)
               for table in _dependency_tables(manifest) for key, spec in table.items())


def _dependency_tables(manifest: dict, names: tuple[str, ...] = DEPENDENCY_TABLES) -> list[dict]:
    tables = [manifest.get(k) for k in names]
    for target in manifest.get("target", {}).values():
        if isinstance(target, dict):
            tables += [target.get(k) for k in names]
    return [t for t in tables if isinstance(t, dict)]


def _inherits(value: Any) -> bool:
    return isinstance(value, dict) and value.get("workspace") is True


def _merge_dependency(key: str, spec: dict, inherited: Any, where: str) -> dict:
    """``spec`` (``{workspace = true, ...}``) over the root's ``[workspace.dependencies]`` entry."""
    merged = {"version": inherited} if isinstance(inherited, str) else dict(inherited)
    base_default = merged.pop("default-features", merged.pop("default_features", True))
    own_default = spec.get("default-features", spec.get("default_features"))
    # cargo: the member can turn default features on, not off (`default-features = false` on a
    # workspace = true entry is ignored with a warning when the root keeps them).
    if not (base_default or own_default is True):
        merged["default-features"] = False
    features = list(merged.get("features", []))
    features += [f for f in spec.get("features", []) if f not in features]
    if features:
        merged["features"] = features
    for name in ("optional", "public"):
        if name in spec:
            merged[name] = spec[name]
    unknown = set(spec) - {"workspace", "features", "optional", "public", "default-features", "default_features"}
    if unknown:
        raise WorkspaceError(f"{where}: `{key}` is `workspace = true` with {', '.join(sorted(unknown))}, which only "
                             "the root's [workspace.dependencies] entry may set",
                             "Move those keys to the root Cargo.toml (cargo refuses them too).")
    return merged


def _absolute(path: str, base: Path) -> str:
    return str((base / path).resolve())


def inherit(manifest: dict, root_manifest: dict | None, root_dir: Path | None, crate_dir: Path, where: str) -> None:
    """Rewrite ``manifest`` (changed in place) so it needs no workspace: inherited fields,
    lints and dependencies take the root's values; relative paths become absolute.

    ``crate_dir`` is the crate's source folder (relative paths are read from there),
    ``root_dir``/``root_manifest`` its workspace root (None for a standalone crate); ``where``
    names the crate's Cargo.toml in errors. Dev-dependencies are dropped: only the library
    is built, and their paths and inherited entries would otherwise need resolving too.
    """
    workspace = (root_manifest or {}).get("workspace", {})
    root_where = f"{root_dir / 'Cargo.toml'}" if root_dir else "the workspace root"

    def missing(what: str, table: str) -> WorkspaceError:
        if root_dir is None:
            return WorkspaceError(f"{where}: {what} is inherited from a workspace (`workspace = true`), but the crate "
                                  "is in no workspace (no parent Cargo.toml with [workspace] lists it)",
                                  "Build the crate where its workspace is, or write the value in its Cargo.toml.")
        return WorkspaceError(f"{where}: {what} is `workspace = true`, but {root_where} has no {what} in [{table}]",
                              f"Add it to [{table}] of {root_where}, as `cargo build` would need.")

    package = manifest.get("package", {})
    package.pop("workspace", None)  # the staged copy is in no workspace
    for name, value in list(package.items()):
        if not _inherits(value):
            continue
        shared = workspace.get("package", {})
        if name not in shared:
            raise missing(f"`{name}`", "workspace.package")
        value = shared[name]
        if name in PATH_FIELDS and isinstance(value, str):
            value = _absolute(value, root_dir)  # type: ignore[arg-type]
        package[name] = value
    for name in PATH_FIELDS:  # inherited ones are absolute already
        if isinstance(package.get(name), str):
            package[name] = _absolute(package[name], crate_dir)

    if _inherits(manifest.get("lints")):
        if "lints" not in workspace:
            raise missing("`lints`", "workspace.lints")
        manifest["lints"] = workspace["lints"]

    for table in _dependency_tables(manifest):
        for key, spec in list(table.items()):
            if _inherits(spec):
                shared = workspace.get("dependencies", {})
                if key not in shared:
                    raise missing(f"`{key}`", "workspace.dependencies")
                spec = _merge_dependency(key, spec, shared[key], where)
                if isinstance(spec.get("path"), str):
                    spec["path"] = _absolute(spec["path"], root_dir)  # type: ignore[arg-type]
            elif isinstance(spec, dict) and isinstance(spec.get("path"), str):
                spec = {**spec, "path": _absolute(spec["path"], crate_dir)}
            table[key] = spec
    for name in DEV_TABLES:
        manifest.pop(name, None)
    for target in manifest.get("target", {}).values():
        for name in DEV_TABLES:
            target.pop(name, None)


def _rebased_patches(table: dict, base: Path) -> dict:
    out: dict = {}
    for registry, crates in table.items():
        out[registry] = {}
        for key, spec in crates.items():
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                spec = {**spec, "path": _absolute(spec["path"], base)}
            out[registry][key] = spec
    return out


def resolve(manifest: dict, crate_dir: Path, where: str, check: bool = True) -> Workspace:
    """Make ``manifest`` (the crate at the source folder ``crate_dir``) standalone, as
    :func:`inherit` says, and return what the glue crate takes from its workspace.

    Raises WorkspaceError for a workspace root with no package, a crate its workspace does
    not list (unless ``check`` is false: cargo checks membership only for the package it is
    asked to build, not for its path dependencies), or an inherited value the root lacks.
    """
    crate_dir = crate_dir.resolve()
    if "package" not in manifest and "workspace" in manifest:
        raise root_without_package(crate_dir, manifest, crate_dir)
    found = find_root(crate_dir, manifest)
    root_dir, root_manifest = found if found else (None, None)
    if check and root_dir is not None and root_manifest is not None:
        check_member(root_dir, root_manifest, crate_dir)
    # The root's copy of these settings is the one cargo applies; the crate's own are ignored
    # (with a warning) when it is a member.
    top = root_manifest if root_manifest is not None else manifest
    base = root_dir or crate_dir
    lock = base / "Cargo.lock"
    resolver = (top.get("workspace", {}).get("resolver") if root_manifest is not None
                else manifest.get("package", {}).get("resolver"))
    found_ws = Workspace(root=root_dir, lockfile=lock if lock.is_file() else None,
                         patch=_rebased_patches(top.get("patch", {}), base),
                         replace=_rebased_patches({"": top.get("replace", {})}, base)[""],
                         resolver=resolver)
    inherit(manifest, root_manifest, root_dir, crate_dir, where)
    # Settings only a workspace root may have: the glue crate is the root now.
    for name in ("workspace", "patch", "replace"):
        manifest.pop(name, None)
    return found_ws


def _copy_crate(source: Path, target: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(source):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in filenames:
            dest = target / (here / name).relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(here / name, dest)


def stage_path_crates(manifest: dict, stage_dir: Path, prepare: Callable[[dict, Path, str], None],
                      staged: dict[Path, Path] | None = None) -> list[tuple[Path, Path]]:
    """Copy every path dependency of ``manifest`` (absolute paths, see :func:`inherit`) into
    ``stage_dir``, rewrite its Cargo.toml with ``prepare(manifest, source_dir, where)`` (which
    resolves and adjusts it in place), do the same for its own path dependencies, and point
    ``manifest``'s entries at the copies. Returns (staged folder, source folder) pairs.
    """
    import tomli_w

    staged = {} if staged is None else staged
    copies: list[tuple[Path, Path]] = []
    for table in _dependency_tables(manifest):
        for key, spec in table.items():
            if not (isinstance(spec, dict) and isinstance(spec.get("path"), str)):
                continue
            source = Path(spec["path"])
            if source in staged:
                spec["path"] = str(staged[source])
                continue
            path = source / "Cargo.toml"
            if not path.is_file():
                raise WorkspaceError(f"`{key}` = {{ path = \"{source}\" }}: no Cargo.toml there",
                                     "Fix the path dependency (cargo fails the same way).")
            target = stage_dir / f"{len(staged)}-{source.name}"
            staged[source] = target
            _copy_crate(source, target)
            child = read_manifest(path)
            prepare(child, source, str(path))
            copies.append((target, source))
            copies += stage_path_crates(child, stage_dir, prepare, staged)
            (target / "Cargo.toml").write_text(tomli_w.dumps(child))
            spec["path"] = str(target)
    return copies
