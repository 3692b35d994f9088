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
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import cpython_wasi

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "rust"))
import rust_toolchain  # noqa: E402

TARGET = "wasm32-wasip1"
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyd", "*.dylib")


class BuildFailed(Exception):
    """The package can't be built; ``args`` = (message, hint)."""


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


def layout(source: Path) -> Layout:
    """Read maturin's settings from the unpacked sdist at ``source``.

    Raises BuildFailed for a project that isn't a PyO3 extension (cffi, uniffi, bin bindings).
    """
    pyproject = _load_toml(source / "pyproject.toml") if (source / "pyproject.toml").is_file() else {}
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
          env: dict[str, str] | None = None, echo=print) -> Path:
    """Compile the sdist unpacked at ``source`` and lay its files out in ``tree`` as installed.

    ``cache``: the per-machine cache folder (componentize-py's libraries, the shared cargo
    target folder ``cache/rust-target-pic``); ``features`` and ``env`` come from the recipe
    (Cargo features on top of maturin's, extra environment). ``echo`` receives cargo's output lines.
    Returns the extension module's path in ``tree``. Raises BuildFailed
    (message, hint) for a missing toolchain or a failed compile.
    """
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
    proc = subprocess.Popen(argv, cwd=source, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace")
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        echo(line.rstrip("\n"))
    if proc.wait() != 0:
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
