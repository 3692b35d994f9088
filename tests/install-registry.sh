#!/bin/sh
# Installs the OCI registry the deploy tests push to (tests/e2e/test_deploy.py): Debian's
# docker-registry (CNCF Distribution), run by the tests themselves on 127.0.0.1 with storage in
# a temporary folder; the package's own service is not needed. Idempotent; run by `make setup`.
# Needs root or password-less sudo when the package is missing.
set -eu
[ -x /usr/bin/docker-registry ] && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"
else
  echo "OCI registry for the tests: missing Debian package docker-registry. Install it as root: apt-get install docker-registry" >&2
  exit 1
fi
echo "OCI registry for the tests: installing docker-registry (Debian package)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends docker-registry >/dev/null \
  || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends docker-registry >/dev/null; }
# The package starts its own service where an init system runs; the tests start their own.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  $SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
