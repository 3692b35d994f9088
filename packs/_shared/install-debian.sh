#!/bin/sh
# Installs the Debian packages a toolchain needs, when missing: install-debian.sh WHAT PACKAGE...
# Idempotent; needs root or password-less sudo when something is missing.
set -eu
what="$1"; shift

missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"
else
  echo "$what: missing Debian packages:$missing. Install them as root: apt-get install$missing" >&2
  exit 1
fi
echo "$what: installing$missing (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null \
  || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null; }
