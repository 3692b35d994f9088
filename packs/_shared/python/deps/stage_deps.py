"""Install an app's requirements for componentize-py's CPython (3.14, wasm32-wasi).

Run by the python packs' ``dependencies`` step, on the host interpreter:

    python stage_deps.py [--source APP_DIR] [--requirements FILE] --target DIR [--cache DIR]
                         [--extra PKG ...] [--builtin RECIPE ...] [--fallback NAME ...]

What the app declares is found by sources.py: ``--requirements`` (a requirements file
or a pyproject.toml), else the app folder's requirements.txt, else its pyproject.toml,
with a uv.lock/poetry.lock/pylock.toml beside it as constraints. Resolution happens once, for the host's own platform tags and CPython 3.14, so pip
picks the versions a native install would pick. Each pinned distribution is then
installed for ``wasi_0_0_0_wasm32``. A pin with only native wheels (``cp314-manylinux``)
can't be loaded by the component's interpreter; instead of letting pip backtrack
silently to an old pure-Python release (pydantic 2 -> 1), a wasm32-wasi wheel is
looked for: on pip's index, in the machine's wheel cache (under ``--cache``), or
built into that cache from the package's recipe (recipes.py: pydantic-core). A pin with
neither is reported by name, with the requirement that pulled it in and how a recipe is
added. Names given with ``--fallback`` are
packages known to run without their C extension (MarkupSafe's speedups): their
native wheel is installed and its extension files removed. ``--extra`` adds
packages the component needs whatever the app (``tzdata``: WASI has no
/usr/share/zoneinfo, so zoneinfo reads the IANA database from that package).
``--builtin`` does the same for a recipe with a local source folder (``fabricks-hashlib``:
hashlib.pbkdf2_hmac and hashlib.scrypt, which the interpreter lacks without OpenSSL): its
wheel is built once per machine and source change, and installed into every component.

What was installed is written to ``DIR/fabricks-dependencies.json`` (the pipeline's
dependency report, docs/packs.md): ``{"declared_in": "pyproject.toml (uv.lock)",
"packages": [{"name", "version", "source": "index" | "recipe" | "fallback", "purl"}]}``.

Errors are printed as ``fabricks-error:`` / ``fabricks-hint:`` lines (the pipeline's
protocol for tool output) and the exit status is 3.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import recipes
import sources

PYTHON_VERSION = "3.14"
WASI_PLATFORM = "wasi_0_0_0_wasm32"
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib")


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, text=True, capture_output=True)


def fail(message: str, hint: str, output: str = "") -> None:
    if output:
        sys.stdout.write(output)
    print(f"fabricks-error: {message}")
    print(f"fabricks-hint: {hint}")
    sys.exit(3)


def resolve(declared: sources.Declared, extra: list[str]) -> list[dict]:
    """Resolve what the app declares as a CPython 3.14 install on this host would.

    Returns pip's installation report entries (``pip install --report`` format).
    """
    what = declared.describe()
    with tempfile.TemporaryDirectory() as tmp:
        report, args = Path(tmp) / "report.json", []
        if declared.requirements_file:
            args += ["-r", str(declared.requirements_file)]
        if declared.requirements:
            listed = Path(tmp) / "requirements.txt"
            listed.write_text("\n".join(declared.requirements) + "\n")
            args += ["-r", str(listed)]
        if declared.constraints:
            pinned = Path(tmp) / "constraints.txt"
            pinned.write_text("\n".join(declared.constraints) + "\n")
            args += ["-c", str(pinned)]
        command = ["install", "--dry-run", "--ignore-installed", "--target", str(Path(tmp) / "never"),
                   "--report", str(report), "--python-version", PYTHON_VERSION, "--implementation", "cp",
                   "--only-binary=:all:", *args, *extra]
        proc = pip(*command[:2], "--quiet", *command[2:])
        if proc.returncode != 0 and declared.lock:
            unusable_pins(declared, pip(*command))
        if proc.returncode != 0:
            missing = re.search(r"No matching distribution found for (\S+)", proc.stderr)
            if missing:
                fail(
                    f"{what}: no wheel of {missing.group(1)} exists for CPython {PYTHON_VERSION}.",
                    "Fabricks installs wheels only (the component's interpreter can't run build "
                    "scripts); pin a version that publishes a wheel, or a pure-Python alternative.",
                    proc.stdout + proc.stderr,
                )
            fail(
                f"pip could not resolve the dependencies declared in {declared.manifest or what}"
                + (f" with the pins of {declared.lock.name}" if declared.lock else "") + ".",
                "Run `pip install -r requirements.txt` (or `pip install .`) on the host to see the conflict"
                + (f"; if {declared.lock.name} is stale, lock again." if declared.lock else "."),
                proc.stdout + proc.stderr,
            )
        return json.loads(report.read_text())["install"]


def unusable_pins(declared: sources.Declared, proc: subprocess.CompletedProcess[str]) -> None:
    """Fail naming the lockfile's pins that have no wheel for the component's CPython, if
    pip's (unquiet) account of the conflict names any."""
    output = proc.stdout + proc.stderr
    listed = re.search(r"no matching distributions available for your environment:\n((?:[ \t]+\S+\n?)+)", output)
    names = {recipes.canonical(n) for n in listed.group(1).split()} if listed else set()
    pins = [c for c in declared.constraints if recipes.canonical(c.split("==")[0]) in names]
    if pins:
        fail(f"{declared.lock}: the lock pins {', '.join(pins)}, with no wheel for CPython {PYTHON_VERSION} "
             f"(the component's interpreter) and no pure-Python wheel.",
             f"Lock again for Python {PYTHON_VERSION} (its requires-python must allow it), e.g. "
             f"`uv lock --upgrade-package {pins[0].split('==')[0]}`, or pin a release that ships such a wheel.",
             output)


def is_pure(wheel_url: str) -> bool:
    """True for a wheel tagged ``none-any`` (runs on any interpreter, any platform)."""
    return wheel_url.rsplit("/", 1)[-1].endswith("-none-any.whl")


def required_by(items: list[dict]) -> dict[str, str]:
    """Map each project to the first project that depends on it."""
    parents: dict[str, str] = {}
    for item in items:
        meta = item["metadata"]
        for req in meta.get("requires_dist") or []:
            if ";" in req and "extra ==" in req.split(";", 1)[1]:
                continue
            dep = recipes.canonical(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0])
            parents.setdefault(dep, meta["name"])
    return parents


def install(target: Path, pins: list[str], platform: str,
            find_links: Path | None = None) -> subprocess.CompletedProcess[str]:
    return pip(
        "install", "--no-deps", "--quiet", "--target", str(target),
        "--platform", platform, "--python-version", PYTHON_VERSION,
        "--implementation", "cp", "--only-binary=:all:", "--upgrade",
        *(["--find-links", str(find_links)] if find_links and find_links.is_dir() else []), *pins,
    )


def install_from_recipe(target: Path, name: str, pin: str, cache: Path, known: dict,
                        fallback: bool = False) -> bool:
    """Build (or reuse) the recipe's wheel for ``pin`` and install it; False without a recipe,
    or when its build fails and the package runs without its extension (``fallback``): that
    failure is a warning, and the pure-Python fallback is used."""
    recipe = known.get(name)
    if recipe is None or recipe.source is not None:  # a local source builds its own version only
        return False
    wheels = recipes.wheel_cache(cache)
    try:
        recipes.wheel(recipe, pin.split("==", 1)[1], wheels, cache)
    except recipes.RecipeError as error:
        if fallback:
            print(f"fabricks-warning: {error.args[0]}; using {pin} without its C extension. {error.args[1]}")
            return False
        fail(error.args[0], error.args[1] or "See the output above (--verbose).")
    proc = install(target, [pin], WASI_PLATFORM, find_links=wheels)
    if proc.returncode != 0:
        fail(f"pip could not install the {pin} wheel built from its recipe.", "See pip's output above.",
             proc.stdout + proc.stderr)
    return True


def install_builtins(target: Path, names: list[str], cache: Path | None) -> list[tuple[str, str]]:
    """Build (or reuse) and install the wheel of each named recipe with a local ``source``;
    returns ``(package, version)`` of each.

    These are part of the component whatever the app, so a build that can't make one fails
    (exit 3) rather than leave it out: an app would otherwise break only when a request first
    calls the missing function, and the step's cached output would keep the gap after the
    toolchain is installed. The builder's hint names `make setup` when Rust is missing.
    """
    if not names:
        return []
    if cache is None:
        fail("--builtin needs --cache (the per-machine cache where built wheels are kept).",
             "Pass --cache {cache} in the pack's dependencies step.")
    try:
        known = recipes.load()
    except recipes.RecipeError as error:
        fail(error.args[0], error.args[1])
    installed = []
    for name in names:
        recipe = known.get(recipes.canonical(name))
        if recipe is None or recipe.source is None:
            fail(f"--builtin {name}: no recipe with a local `source` has that name.",
                 f"Recipes with a source folder: {', '.join(sorted(n for n, r in known.items() if r.source)) or 'none'}.")
        try:
            built = recipes.wheel(recipe, recipes.local_version(recipe), recipes.wheel_cache(cache), cache)
        except recipes.RecipeError as error:
            fail(f"{recipe.package}, which every Python component includes ({recipe.path.name}), could not be "
                 f"built: {error.args[0]}", error.args[1] or "See the output above (--verbose).")
        proc = install(target, [str(built)], WASI_PLATFORM)
        if proc.returncode != 0:
            fail(f"pip could not install {built.name}.", "See pip's output above.", proc.stdout + proc.stderr)
        installed.append((recipe.package, recipes.local_version(recipe)))
    return installed


def strip_native(target: Path) -> list[Path]:
    removed = [p for p in target.rglob("*") if p.suffix in NATIVE_SUFFIXES and p.is_file()]
    for path in removed:
        path.unlink()
    return removed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("."), help="the app folder (default: here)")
    parser.add_argument("--requirements", type=lambda v: Path(v) if v else None, default=None,
                        help="the Fabrickfile's requirements file or pyproject.toml (default: found by convention)")
    parser.add_argument("--target", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None,
                        help="per-machine cache: wheels built from recipes, and their toolchain's files")
    parser.add_argument("--extra", action="append", default=[], help="a package to install whatever the app")
    parser.add_argument("--builtin", action="append", default=[],
                        help="a recipe with a local source folder, built and installed whatever the app")
    parser.add_argument("--fallback", action="append", default=[],
                        help="a project that runs without its C extension")
    args = parser.parse_args(argv)
    args.target.mkdir(parents=True, exist_ok=True)
    fallback = {recipes.canonical(n) for n in args.fallback}

    try:
        declared = sources.find(args.source.resolve(), args.requirements)
    except sources.SourceError as error:
        fail(error.args[0], error.args[1] or "Fix the file named above.")
    items = resolve(declared, args.extra)
    origin: dict[str, str] = {}  # canonical name -> how it was installed, when not from the index
    pure, native = [], []
    for item in items:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        pin = f"{name}=={version}"
        (pure if is_pure(item["download_info"]["url"]) else native).append((recipes.canonical(name), pin))

    if pure:
        proc = install(args.target, [pin for _, pin in pure], WASI_PLATFORM)
        if proc.returncode != 0:
            fail("pip could not install the pure-Python requirements for wasm32-wasi.",
                 "See pip's output above.", proc.stdout + proc.stderr)

    parents = required_by(items)
    try:
        known = recipes.load()
    except recipes.RecipeError as error:
        fail(error.args[0], error.args[1])
    wheel_cache = recipes.wheel_cache(args.cache) if args.cache else None
    unusable = []
    for name, pin in native:
        if wheel_cache and name in known:  # a wheel built from an older state of its recipe is rebuilt
            recipes.drop_stale(known[name], pin.split("==", 1)[1], wheel_cache)
        # A wasm32-wasi wheel of the same version: on an index, or built earlier from a recipe.
        if install(args.target, [pin], WASI_PLATFORM, find_links=wheel_cache).returncode == 0:
            if wheel_cache and (wheel_cache / recipes.wheel_name(name, pin.split("==", 1)[1])).is_file():
                origin[name] = "recipe"  # built from its recipe by an earlier build on this machine
            continue
        if args.cache and install_from_recipe(args.target, name, pin, args.cache, known, name in fallback):
            origin[name] = "recipe"
            continue
        if name in fallback:
            proc = pip("download", "--no-deps", "--quiet", "--only-binary=:all:",
                       "--python-version", PYTHON_VERSION, "--implementation", "cp",
                       "--dest", str(args.target / ".fallback"), pin)
            wheels = list((args.target / ".fallback").glob("*.whl"))
            if proc.returncode != 0 or not wheels:
                fail(f"could not download {pin}.", "See pip's output above.", proc.stdout + proc.stderr)
            import zipfile  # noqa: PLC0415 - only needed on this path

            for wheel in wheels:
                with zipfile.ZipFile(wheel) as zf:
                    zf.extractall(args.target)
                wheel.unlink()
            (args.target / ".fallback").rmdir()
            removed = strip_native(args.target)
            print(f"fabricks-warning: {pin} has only native wheels; installed it without its "
                  f"C extension ({len(removed)} file(s)), using its pure-Python fallback.")
            origin[name] = "fallback"
            continue
        chain, parent = [pin], parents.get(name)
        while parent and len(chain) < 8:
            chain.append(parent)
            parent = parents.get(recipes.canonical(parent))
        unusable.append(" <- ".join(chain))

    if unusable:
        fail(
            f"{declared.manifest or 'requirements'}: {'; '.join(unusable)}: "
            f"only native wheels exist "
            f"(compiled for this machine's CPU), which the component's CPython "
            f"{PYTHON_VERSION} for wasm32-wasi cannot load.",
            "Use a version or an alternative that ships a pure-Python wheel (py3-none-any); "
            "or build a wasm32-wasi wheel of it and put it on pip's index; or add a WASI build "
            f"recipe for it: {recipes.HOW_TO_ADD}. Recipes exist for: {', '.join(sorted(known)) or 'none'}.",
        )
    builtins = install_builtins(args.target, args.builtin, args.cache)
    write_report(args.target, declared, items, origin, builtins)
    print(f"dependencies from {declared.describe()}: installed {len(items)} distribution(s) into {args.target}")


def write_report(target: Path, declared: sources.Declared, items: list[dict], origin: dict[str, str],
                 builtins: list[tuple[str, str]] = ()) -> None:
    """``fabricks-dependencies.json``: what went into the component, for its SBOM (docs/packs.md).
    ``builtins`` are Fabricks' own packages (source ``fabricks``), in every component."""
    packages = [{"name": name, "version": version, "source": "fabricks", "purl": f"pkg:generic/{name}@{version}"}
                for name, version in builtins]
    for item in items:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        packages.append({"name": name, "version": version, "source": origin.get(recipes.canonical(name), "index"),
                         "purl": f"pkg:pypi/{recipes.canonical(name)}@{version}"})
    report = {"ecosystem": "pypi", "declared_in": declared.describe(), "packages": packages}
    (target / "fabricks-dependencies.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
