"""The Rust-to-wasm toolchain (the rust-axum pack; the Python packs' native-extension recipes):
where it is and whether it works.

The route (docs/rust-axum.md): Debian's rustc-web knows the wasm32-wasip1 target but ships
no std for it, so std is built from rust-web-src with ``-Zbuild-std`` (once per machine, in
the shared target folder); rust-web-llvm's ``wasm-component-ld`` links the core module into
a component with the wasi:http proxy adapter; Debian's wasi-libc provides crt1 and libc.

``python rust_toolchain.py check`` prints one version line (``fabricks doctor``) or, on a
missing piece, ``fabricks-error:``/``fabricks-hint:`` lines and exits 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TARGET = "wasm32-wasip1"
INSTALL_HINT = ("Run `make setup` in the Fabricks checkout (it runs packs/_shared/rust/install-toolchain.sh: "
                "apt-get install rustc-web cargo-web rust-web-src rust-web-llvm lld-22 wasi-libc).")


class ToolchainMissing(Exception):
    """A piece of the toolchain is absent; ``args[0]`` says which and where it was looked for."""


@dataclass(frozen=True)
class RustToolchain:
    """Absolute paths of the pieces a build needs."""

    cargo: Path
    rustc: Path
    std_source: Path        # library/ of the Rust source, for -Zbuild-std
    component_linker: Path  # wasm-component-ld
    wasi_libc: Path         # folder holding crt1-command.o and libc.a for wasm32-wasi
    wasm_ld: Path           # rust-lld or wasm-ld, for core modules and shared libraries
    version: str


def _run(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def find() -> RustToolchain:
    """Locate the toolchain. ``FABRICKS_RUSTC``/``FABRICKS_CARGO`` override Debian's paths.

    Raises ToolchainMissing naming the first missing piece.
    """
    rustc = Path(os.environ.get("FABRICKS_RUSTC", "/usr/bin/rustc"))
    cargo = Path(os.environ.get("FABRICKS_CARGO", "/usr/bin/cargo"))
    for tool in (rustc, cargo):
        if not os.access(tool, os.X_OK):
            raise ToolchainMissing(f"{tool} was not found (Debian's rustc-web and cargo-web install it)")
    try:
        version = _run(str(rustc), "--version")
        sysroot = Path(_run(str(rustc), "--print", "sysroot"))
        host = _host(rustc)
        targets = _run(str(rustc), "--print", "target-list").split()
    except (OSError, subprocess.SubprocessError) as error:
        raise ToolchainMissing(f"{rustc} does not run: {error}") from None
    if TARGET not in targets:
        raise ToolchainMissing(f"{rustc} ({version}) does not know the {TARGET} target")
    std_source = sysroot / "lib/rustlib/src/rust/library"
    if not (std_source / "std/Cargo.toml").is_file():
        raise ToolchainMissing(f"the Rust std sources are not at {std_source} (Debian's rust-web-src)")
    linker = sysroot / "lib/rustlib" / host / "bin/wasm-component-ld"
    if not os.access(linker, os.X_OK):
        raise ToolchainMissing(f"wasm-component-ld is not at {linker} (Debian's rust-web-llvm)")
    libc = Path(os.environ.get("FABRICKS_WASI_LIBC", "/usr/lib/wasm32-wasi"))
    if not (libc / "crt1-command.o").is_file():
        raise ToolchainMissing(f"wasi-libc is not at {libc} (Debian's wasi-libc)")
    # wasm-component-ld runs wasm-ld (or rust-lld, which Debian links to lld-22's lld).
    wasm_ld = shutil.which("rust-lld") or shutil.which("wasm-ld")
    if not wasm_ld:
        raise ToolchainMissing("neither rust-lld nor wasm-ld is on PATH (Debian's rust-web-llvm and lld-22)")
    return RustToolchain(cargo, rustc, std_source, linker, libc, Path(wasm_ld), version)


def _host(rustc: Path) -> str:
    for line in _run(str(rustc), "-vV").splitlines():
        if line.startswith("host:"):
            return line.split(":", 1)[1].strip()
    raise ToolchainMissing(f"{rustc} -vV names no host")


def main(argv: list[str]) -> int:
    if argv[1:] != ["check"]:
        print("usage: rust_toolchain.py check", file=sys.stderr)
        return 2
    try:
        found = find()
    except ToolchainMissing as error:
        print(f"fabricks-error: {error}")
        print(f"fabricks-hint: {INSTALL_HINT}")
        return 1
    print(f"{found.version}, {TARGET} (std built from source)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
