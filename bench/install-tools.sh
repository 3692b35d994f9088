#!/bin/sh
# Installs the benchmark's tools from Debian's packages when they are missing: the load
# generator, wrk, and perf (package linux-perf), which profiles the host (docs/host.md,
# "Where the time goes").
# Idempotent; run by `make bench` (not by `make setup` or `make test`: CI doesn't need them).
# Needs root or password-less sudo when one is missing.
exec sh "$(dirname "$0")/../packs/_shared/install-debian.sh" bench wrk linux-perf
