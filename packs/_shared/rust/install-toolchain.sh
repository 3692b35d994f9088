#!/bin/sh
# Installs the Rust-to-wasm toolchain the rust-axum pack and the Python packs' native-extension
# recipes build with, from Debian's packages
# (rustup can't add wasm targets on these machines: see docs/rust-axum.md). Idempotent; run by
# `make setup`. Needs root or password-less sudo when something is missing.
set -eu
PACKAGES="rustc-web cargo-web rust-web-src rust-web-llvm lld-22 wasi-libc"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"
else
  echo "Rust toolchain: missing Debian packages:$missing. Install them as root: apt-get install$missing" >&2
  exit 1
fi
echo "Rust toolchain: installing$missing (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null \
  || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null; }
