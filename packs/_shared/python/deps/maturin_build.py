"""The ``maturin`` recipe builder: a PyO3 extension, laid out for maturin, compiled with cargo
into a wasm shared library that componentize-py links (cpython_wasi.py says what that is).

maturin itself isn't used: it tags a WASI build ``py3-none-any`` and asks the target
interpreter for its config; cargo with PyO3's cross config does the compiling, and this
module does maturin's layout (``[tool.maturin] python-source`` and ``module-name``).

The compile (docs/python-native.md): Rust std is rebuilt from source as position-independent
code (``-Zbuild-std``, ``-C relocation-model=pic``: wasm targets default to static
relocation) in a target folder shared by every recipe on the machine, so std compiles once;
wasm-ld links with ``--shared --experimental-pic`` against componentize-py's ``libc.so``, and
Python's C API stays as imports (``--allow-undefined``, rustc's default for wasm).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import cpython_wasi
from build_run import BuildFailed, run

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "rust"))
import rust_toolchain  # noqa: E402

TARGET = "wasm32-wasip1"
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyd", "*.dylib")


@dataclass(frozen=True)
class Layout:
    """Where maturin would put things, read from the sdist's pyproject.toml and Cargo.toml."""

    manifest: Path          # Cargo.toml of the extension crate
    lib_name: str           # the crate's [lib] name: the artifact is <lib_name>.wasm
    module: str             # dotted module name of the extension, e.g. pydantic_core._pydantic_core
    python_source: Path | None  # folder holding the Python package, for mixed projects
    features: tuple[str, ...] = field(default=())


def _load_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise BuildFailed(f"{path}: {error}", "The source distribution looks damaged; try another version.") from None


def _setuptools_rust_layout(source: Path, pyproject: dict, modules: list) -> Layout:
    """setuptools-rust's declarative form (``[[tool.setuptools-rust.ext-modules]]`` with
    ``target`` and ``path``; bcrypt, cryptography): one PyO3 module, Python sources where
    ``[tool.setuptools] package-dir`` says."""
    if len(modules) != 1 or not isinstance(modules[0], dict) or "target" not in modules[0]:
        raise BuildFailed(f"{source.name}: [[tool.setuptools-rust.ext-modules]] declares {len(modules)} modules; "
                          "the builder builds exactly one, with a `target`.",
                          "Write a recipe with a local source folder (docs/python-native.md).")
    if modules[0].get("binding", "PyO3") != "PyO3":
        raise BuildFailed(f"{source.name}: setuptools-rust binding {modules[0].get('binding')!r}; "
                          "the builder builds PyO3 extensions only.", "")
    manifest = source / modules[0].get("path", "Cargo.toml")
    cargo = _load_toml(manifest)
    package = cargo.get("package", {}).get("name", source.name)
    lib_name = cargo.get("lib", {}).get("name", package.replace("-", "_"))
    package_dir = pyproject.get("tool", {}).get("setuptools", {}).get("package-dir", {}).get("", "")
    module = modules[0]["target"]
    python_source = source / package_dir if (source / package_dir / module.split(".")[0]).is_dir() else None
    features = tuple(modules[0].get("features", ()))
    return Layout(manifest, lib_name, module, python_source, features)


def layout(source: Path) -> Layout:
    """Read the PyO3 module's layout from the unpacked sdist at ``source``: maturin's
    ``[tool.maturin]``, or setuptools-rust's ``[[tool.setuptools-rust.ext-modules]]``.

    Raises BuildFailed for a project that isn't a PyO3 extension (cffi, uniffi, bin bindings).
    """
    pyproject = _load_toml(source / "pyproject.toml") if (source / "pyproject.toml").is_file() else {}
    rust_modules = pyproject.get("tool", {}).get("setuptools-rust", {}).get("ext-modules")
    if rust_modules and "maturin" not in pyproject.get("tool", {}):
        return _setuptools_rust_layout(source, pyproject, rust_modules)
    maturin = pyproject.get("tool", {}).get("maturin", {})
    bindings = maturin.get("bindings", "pyo3")
    if bindings not in ("pyo3", "pyo3-ffi"):
        raise BuildFailed(f"{source.name}: maturin bindings = {bindings!r}; the maturin recipe builder builds "
                          "PyO3 extensions only.", "Write a recipe with another builder (docs/python-native.md).")
    manifest = source / maturin.get("manifest-path", "Cargo.toml")
    cargo = _load_toml(manifest)
    package = cargo.get("package", {}).get("name", source.name)
    lib_name = cargo.get("lib", {}).get("name", package.replace("-", "_"))
    module = maturin.get("module-name", lib_name)
    python_source = source / maturin["python-source"] if "python-source" in maturin else None
    top = module.split(".")[0]
    if python_source is None and (source / top / "__init__.py").is_file():
        python_source = source
    return Layout(manifest, lib_name, module, python_source, tuple(maturin.get("features", ())))


def cargo_command(tc: rust_toolchain.RustToolchain, lay: Layout, libs: Path,
                  target_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The cargo invocation and its environment (``libs`` from cpython_wasi.link_libraries)."""
    rustflags = ["-C", "relocation-model=pic", "-C", "link-self-contained=no", "-L", f"native={libs}",
                 "-C", "link-arg=--shared", "-C", "link-arg=--experimental-pic", "-C", "link-arg=--allow-undefined"]
    argv = [str(tc.cargo), "rustc", "--release", "--lib", "--crate-type", "cdylib", "--target", TARGET,
            "-Zbuild-std=std,panic_abort", "--manifest-path", str(lay.manifest),
            "--config", f"target.{TARGET}.linker={json.dumps(str(tc.wasm_ld))}",
            "--config", f"target.{TARGET}.rustflags={json.dumps(rustflags)}"]
    if lay.features:
        argv += ["--features", ",".join(lay.features)]
    env = dict(os.environ, RUSTC=str(tc.rustc), RUSTC_BOOTSTRAP="1", CARGO_TARGET_DIR=str(target_dir),
               PYO3_CONFIG_FILE=str(libs / "pyo3-config.txt"), PYO3_BUILD_EXTENSION_MODULE="1")
    for name in ("RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "PYO3_PYTHON", "PYO3_CROSS_LIB_DIR"):
        env.pop(name, None)
    return argv, env


def first_error(lines: list[str]) -> str:
    """The compiler's first error line, or the last line of output."""
    for line in lines:
        if re.match(r"error(\[E\d+\])?:", line):
            return line.strip()
    return lines[-1].strip() if lines else "no output"


def build(source: Path, tree: Path, cache: Path, *, features: tuple[str, ...] = (),
          env: dict[str, str] | None = None, settings: dict | None = None, libraries: tuple = (),
          echo=print) -> Path:
    """Compile the sdist unpacked at ``source`` and lay its files out in ``tree`` as installed.

    ``cache``: the per-machine cache folder (componentize-py's libraries, the shared cargo
    target folder ``cache/rust-target-pic``); ``features`` and ``env`` come from the recipe
    (Cargo features on top of maturin's, extra environment). ``echo`` receives cargo's output lines.
    Returns the extension module's path in ``tree``. Raises BuildFailed
    (message, hint) for a missing toolchain or a failed compile.
    """
    if settings or libraries:
        raise BuildFailed("`config-settings` and `c-library` are for the C builders; the maturin builder runs cargo",
                          "Remove them.")
    try:
        tc = rust_toolchain.find()
    except rust_toolchain.ToolchainMissing as error:
        raise BuildFailed(f"the Rust toolchain is needed to build it: {error}", rust_toolchain.INSTALL_HINT) from None
    try:
        libs = cpython_wasi.link_libraries(cache)
    except cpython_wasi.InterpreterMissing as error:
        raise BuildFailed(str(error), "Reinstall Fabricks (`make setup`): it pins componentize-py.") from None
    lay = layout(source)
    lay = replace(lay, features=(*lay.features, *features))
    argv, environ = cargo_command(tc, lay, libs, cache / "rust-target-pic")
    environ.update(env or {})
    lines: list[str] = []
    if run(argv, source, environ, lines, echo) != 0:
        raise BuildFailed(f"cargo failed: {first_error(lines)}",
                          "Run with --verbose to see cargo's output; the recipe may need features or "
                          "environment (docs/python-native.md).")
    artifact = cache / "rust-target-pic" / TARGET / "release" / f"{lay.lib_name}.wasm"
    if not artifact.is_file():
        raise BuildFailed(f"cargo succeeded but {artifact} is missing", "Check the crate's [lib] name.")

    parts = lay.module.split(".")
    if lay.python_source is not None and (lay.python_source / parts[0]).is_dir():
        shutil.copytree(lay.python_source / parts[0], tree / parts[0], ignore=COPY_IGNORE, dirs_exist_ok=True)
    module = tree.joinpath(*parts[:-1]) / (parts[-1] + cpython_wasi.EXT_SUFFIX)
    module.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(artifact, module)
    return module
