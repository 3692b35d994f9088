#!/bin/sh
# Installs the OCI registry the deploy tests push to (tests/e2e/test_deploy.py): Debian's
# docker-registry (CNCF Distribution), run by the tests themselves on 127.0.0.1 with storage in
# a temporary folder; the package's own service is not needed. Idempotent; run by `make setup`.
# Needs root or password-less sudo when the package is missing.
set -eu
[ -x /usr/bin/docker-registry ] && exit 0
sh "$(dirname "$0")/../packs/_shared/install-debian.sh" "OCI registry for the tests" docker-registry
# The package starts its own service where an init system runs; the tests start their own.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo -n"
  $SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
