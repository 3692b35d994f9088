#!/bin/sh
# Installs the benchmark's load generator, wrk, from Debian's packages when it is missing.
# Idempotent; run by `make bench` (not by `make setup` or `make test`: CI doesn't need it).
# Needs root or password-less sudo when wrk is missing.
set -eu
command -v wrk >/dev/null 2>&1 && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"
else
  echo "bench: wrk is missing. Install it as root: apt-get install wrk" >&2
  exit 1
fi
echo "bench: installing wrk (Debian package)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends wrk >/dev/null \
  || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends wrk >/dev/null; }
