"""Build fabricks:node-crypto (this crate) into OUTPUT/node-crypto.wasm, a component that
exports wit/deps/node-crypto@0.1.0's `hashes` and imports nothing; build.mjs composes it into
every JavaScript component.

    python build.py --target-dir DIR --wasm-tools WASM_TOOLS --output OUTPUT

Rust for wasm32-unknown-unknown from Debian's rustc-web, with std built from rust-web-src
(packs/_shared/rust/rust_toolchain.py), in one target folder per machine; crates from
crates.io as Cargo.lock pins them. Failures print `fabricks-error:`/`fabricks-hint:` lines
(docs/packs.md) and exit 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "rust"))

import rust_toolchain  # noqa: E402

TARGET = "wasm32-unknown-unknown"


def fail(message: str, hint: str) -> int:
    print(f"fabricks-error: {message}")
    print(f"fabricks-hint: {hint}")
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-dir", required=True, type=Path)
    parser.add_argument("--wasm-tools", required=True)
    parser.add_argument("--output", required=True, type=Path)
    args = parser.parse_args(argv)
    try:
        tc = rust_toolchain.find()
    except rust_toolchain.ToolchainMissing as error:
        return fail(f"node:crypto's compiled hashes need the Rust toolchain: {error}", rust_toolchain.INSTALL_HINT)
    env = dict(os.environ, RUSTC=str(tc.rustc), RUSTC_BOOTSTRAP="1", CARGO_TARGET_DIR=str(args.target_dir))
    env.pop("RUSTFLAGS", None)
    cargo = [str(tc.cargo), "build", "--release", "--locked", "--target", TARGET, "-Zbuild-std=std,panic_abort",
             "--manifest-path", str(HERE / "Cargo.toml"), "--quiet"]
    if subprocess.run(cargo, env=env).returncode != 0:
        return fail("cargo could not build packs/_shared/node/native-crypto (its messages are above)",
                    "Its crates come from crates.io as Cargo.lock pins them: check that crates.io is reachable.")
    core = args.target_dir / TARGET / "release" / "fabricks_node_crypto.wasm"
    args.output.mkdir(parents=True, exist_ok=True)
    component = args.output / "node-crypto.wasm"
    made = subprocess.run([args.wasm_tools, "component", "new", str(core), "-o", str(component)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        return fail(f"wasm-tools component new failed: {made.stderr.strip()}", "Run `make setup` again.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
