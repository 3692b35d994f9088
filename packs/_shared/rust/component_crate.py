"""Build a Rust crate into a wasm component, once per machine: the small components the packs
compose into an app's (node:crypto's compiled hashes in packs/_shared/node/native-crypto, the
Python packs' wasi:http shell in packs/_shared/python/shell).

    python component_crate.py --crate DIR --target-dir DIR --wasm-tools WASM_TOOLS --output FILE.wasm

Rust for wasm32-unknown-unknown from Debian's rustc-web, with std built from rust-web-src
(rust_toolchain.py, beside this file), in one target folder per crate and machine; crates from
crates.io as the crate's Cargo.lock pins them. The crate is a cdylib whose wit-bindgen
bindings name its world; `wasm-tools component new` makes the component. Failures print
`fabricks-error:`/`fabricks-hint:` lines (docs/packs.md) and exit 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rust_toolchain  # noqa: E402

TARGET = "wasm32-unknown-unknown"


def fail(message: str, hint: str) -> int:
    print(f"fabricks-error: {message}")
    print(f"fabricks-hint: {hint}")
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crate", required=True, type=Path, help="the crate's folder (Cargo.toml, Cargo.lock)")
    parser.add_argument("--target-dir", required=True, type=Path)
    parser.add_argument("--wasm-tools", required=True)
    parser.add_argument("--output", required=True, type=Path, help="the component to write")
    args = parser.parse_args(argv)
    try:
        tc = rust_toolchain.find()
    except rust_toolchain.ToolchainMissing as error:
        return fail(f"{args.crate} needs the Rust toolchain: {error}", rust_toolchain.INSTALL_HINT)
    # Panic locations name source paths: remapped, the bytes don't depend on where cargo keeps
    # the crates (CARGO_HOME, under HOME) or where the checkout is. CARGO_ENCODED_RUSTFLAGS
    # separates flags with 0x1f, so a path may hold spaces.
    cargo_home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo").resolve()
    remaps = "\x1f".join([f"--remap-path-prefix={cargo_home}=/cargo",
                           f"--remap-path-prefix={args.crate.resolve()}=/crate"])
    env = dict(os.environ, RUSTC=str(tc.rustc), RUSTC_BOOTSTRAP="1", CARGO_TARGET_DIR=str(args.target_dir),
               CARGO_ENCODED_RUSTFLAGS=remaps)
    env.pop("RUSTFLAGS", None)
    cargo = [str(tc.cargo), "build", "--release", "--locked", "--target", TARGET, "-Zbuild-std=std,panic_abort",
             "--manifest-path", str(args.crate / "Cargo.toml"), "--quiet"]
    if subprocess.run(cargo, env=env).returncode != 0:
        return fail(f"cargo could not build {args.crate} (its messages are above)",
                    "Its crates come from crates.io as Cargo.lock pins them: check that crates.io is reachable.")
    name = tomllib.loads((args.crate / "Cargo.toml").read_text())["package"]["name"].replace("-", "_")
    core = args.target_dir / TARGET / "release" / f"{name}.wasm"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([args.wasm_tools, "component", "new", str(core), "-o", str(args.output)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        return fail(f"wasm-tools component new failed: {made.stderr.strip()}", "Run `make setup` again.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
