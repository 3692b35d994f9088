#!/bin/sh
# Installs the Rust-to-wasm toolchain the rust-axum pack and the Python packs' native-extension
# recipes build with, from Debian's packages
# (rustup can't add wasm targets on these machines: see docs/rust-axum.md). Idempotent; run by
# `make setup`. Needs root or password-less sudo when something is missing.
exec sh "$(dirname "$0")/../install-debian.sh" "Rust toolchain" rustc-web cargo-web rust-web-src rust-web-llvm lld-22 wasi-libc
