#!/bin/sh
# Installs the benchmark's tools from Debian's packages when they are missing: the load
# generator, wrk, and perf (package linux-perf), which profiles the host (docs/host.md,
# "Where the time goes").
# Idempotent; run by `make bench` (not by `make setup` or `make test`: CI doesn't need them).
# Needs root or password-less sudo when one is missing.
set -eu
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v perf >/dev/null 2>&1 || missing="$missing linux-perf"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"
else
  echo "bench: missing:$missing. Install as root: apt-get install$missing" >&2
  exit 1
fi
echo "bench: installing$missing (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # $missing is a list of package names
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null \
  || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null; }
