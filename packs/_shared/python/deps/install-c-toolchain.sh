#!/bin/sh
# Installs the C/C++-to-wasm toolchain of the Python packs' `setuptools` recipes
# (setuptools_build.py), from Debian's packages: clang, llvm-ar, and compiler-rt's wasm32
# builtins; wasm-ld comes with lld-22 (install-toolchain.sh of the Rust toolchain); GNU patch
# applies recipes' `patches`. The
# headers come from c_sysroot.py. Idempotent; run by `make setup`.
exec sh "$(dirname "$0")/../../install-debian.sh" "C toolchain" clang-22 llvm-22 libclang-rt-22-dev-wasm32 lld-22 patch
