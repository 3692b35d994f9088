"""Install an app's requirements for componentize-py's CPython (3.14, wasm32-wasi).

Run by the python packs' ``dependencies`` step, on the host interpreter:

    python stage_deps.py [--requirements requirements.txt] --target DIR [--cache DIR]
                         [--extra PKG ...] [--fallback NAME ...]

Resolution happens once, for the host's own platform tags and CPython 3.14, so pip
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


def resolve(requirements: Path | None, extra: list[str]) -> list[dict]:
    """Resolve the requirements as a CPython 3.14 install on this host would.

    Returns pip's installation report entries (``pip install --report`` format).
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        proc = pip(
            "install", "--dry-run", "--ignore-installed", "--quiet",
            "--target", str(Path(tmp) / "never"), "--report", str(report),
            "--python-version", PYTHON_VERSION, "--implementation", "cp",
            "--only-binary=:all:", *(["-r", str(requirements)] if requirements else []), *extra,
        )
        if proc.returncode != 0:
            missing = re.search(r"No matching distribution found for (\S+)", proc.stderr)
            if missing:
                fail(
                    f"{requirements.name if requirements else 'requirements'}: no wheel of {missing.group(1)} exists for CPython "
                    f"{PYTHON_VERSION}.",
                    "Fabricks installs wheels only (the component's interpreter can't run build "
                    "scripts); pin a version that publishes a wheel, or a pure-Python alternative.",
                    proc.stdout + proc.stderr,
                )
            fail(
                f"pip could not resolve {requirements}.",
                "Run `pip install -r requirements.txt` on the host to see the conflict.",
                proc.stdout + proc.stderr,
            )
        return json.loads(report.read_text())["install"]


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


def install_from_recipe(target: Path, name: str, pin: str, cache: Path, known: dict) -> bool:
    """Build (or reuse) the recipe's wheel for ``pin`` and install it; False without a recipe."""
    recipe = known.get(name)
    if recipe is None:
        return False
    wheels = recipes.wheel_cache(cache)
    try:
        recipes.wheel(recipe, pin.split("==", 1)[1], wheels, cache)
    except recipes.RecipeError as error:
        fail(error.args[0], error.args[1] or "See the output above (--verbose).")
    proc = install(target, [pin], WASI_PLATFORM, find_links=wheels)
    if proc.returncode != 0:
        fail(f"pip could not install the {pin} wheel built from its recipe.", "See pip's output above.",
             proc.stdout + proc.stderr)
    return True


def strip_native(target: Path) -> list[Path]:
    removed = [p for p in target.rglob("*") if p.suffix in NATIVE_SUFFIXES and p.is_file()]
    for path in removed:
        path.unlink()
    return removed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=lambda v: Path(v) if v else None, default=None)
    parser.add_argument("--target", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None,
                        help="per-machine cache: wheels built from recipes, and their toolchain's files")
    parser.add_argument("--extra", action="append", default=[], help="a package to install whatever the app")
    parser.add_argument("--fallback", action="append", default=[],
                        help="a project that runs without its C extension")
    args = parser.parse_args(argv)
    args.target.mkdir(parents=True, exist_ok=True)
    fallback = {recipes.canonical(n) for n in args.fallback}

    items = resolve(args.requirements, args.extra)
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
        # A wasm32-wasi wheel of the same version: on an index, or built earlier from a recipe.
        if install(args.target, [pin], WASI_PLATFORM, find_links=wheel_cache).returncode == 0:
            continue
        if args.cache and install_from_recipe(args.target, name, pin, args.cache, known):
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
            continue
        chain, parent = [pin], parents.get(name)
        while parent and len(chain) < 8:
            chain.append(parent)
            parent = parents.get(recipes.canonical(parent))
        unusable.append(" <- ".join(chain))

    if unusable:
        fail(
            f"{args.requirements or 'requirements'}: {'; '.join(unusable)}: "
            f"only native wheels exist "
            f"(compiled for this machine's CPU), which the component's CPython "
            f"{PYTHON_VERSION} for wasm32-wasi cannot load.",
            "Use a version or an alternative that ships a pure-Python wheel (py3-none-any); "
            "or build a wasm32-wasi wheel of it and put it on pip's index; or add a WASI build "
            f"recipe for it: {recipes.HOW_TO_ADD}. Recipes exist for: {', '.join(sorted(known)) or 'none'}.",
        )
    print(f"installed {len(items)} distribution(s) into {args.target}")


if __name__ == "__main__":
    main()
