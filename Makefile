# Set-up lives here: `make demo` and `make test` work on a fresh machine with python3 (>= 3.10)
# and Node.js (>= 20) with npm; the Rust pack installs its toolchain from Debian packages (root or sudo).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test unit bench clean

# Two jobs at once: the host's cargo build (minutes of CPU) beside the Python and Node
# installs (mostly downloads), once the Rust toolchain is in.
setup:
	$(MAKE) -j2 $(VENV)/.ready

# Set-up ends by checking every tool the packs and the host need.
$(VENV)/.ready: $(VENV)/.installed $(BIN)/fabricks-host
	$(BIN)/fabricks doctor
	touch $@

# The rust-axum pack's toolchain, from Debian's packages (rustup can't add wasm targets here);
# first, as its own job: apt-get runs one at a time, and the host builds with it.
$(VENV)/.rust-toolchain: packs/_shared/install-debian.sh packs/_shared/rust/install-toolchain.sh
	sh packs/_shared/rust/install-toolchain.sh
	mkdir -p $(VENV)
	touch $@

# The host (host/, on the wasmtime crates), built with the Debian Rust toolchain that
# install-toolchain.sh installs for the rust-axum pack too (rustup's may be older than wasmtime needs).
$(BIN)/fabricks-host: $(VENV)/.rust-toolchain host/Cargo.toml host/Cargo.lock $(wildcard host/src/*.rs)
	RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked --manifest-path host/Cargo.toml
	mkdir -p $(BIN)
	install -m 755 host/target/release/fabricks-host $@

$(VENV)/.installed: $(VENV)/.rust-toolchain pyproject.toml packs/_shared/install-debian.sh packs/_shared/python/deps/install-c-toolchain.sh packs/_shared/node/package-lock.json tests/native-node/package-lock.json tests/install-registry.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# The C toolchain of the Python recipes that build C extensions (MarkupSafe's speedups).
	sh packs/_shared/python/deps/install-c-toolchain.sh
	# The OCI registry the deploy tests push to (Debian's docker-registry), started by the tests.
	sh tests/install-registry.sh
	# The Node packs' toolchain (componentize-js, esbuild) and the tests' native Node baselines,
	# at the versions of their lockfiles. `npm install --no-save`, not `npm ci`: npm leaves some
	# other platforms' optional binaries out of the lockfile, and `npm ci` then refuses it as
	# out of sync. No install scripts run: nothing here needs one.
	npm install --prefix packs/_shared/node --no-save --ignore-scripts --no-audit --no-fund
	npm install --prefix tests/native-node --no-save --ignore-scripts --no-audit --no-fund
	touch $@

# Build examples/flask-hello into a component and serve it on http://127.0.0.1:8080 (Ctrl-C stops).
demo: setup
	$(BIN)/fabricks service run examples/flask-hello --port 8080

# Unit tests and end-to-end tests that build and serve real components, on two workers
# (pytest-xdist): one worker's build overlaps the other's servers and single-threaded steps.
# Builds of one key wait for each other (cache.locked), so none is made twice.
test: setup
	$(BIN)/pytest -n 2 --durations=25

unit: setup
	$(BIN)/pytest tests/unit

# The benchmark (docs/benchmarks.md): wrk from Debian and uvicorn[standard] for the ASGI baseline,
# installed here only (CI doesn't need them); rewrites the tables of docs/benchmarks.md.
# One example while developing: .venv/bin/python bench/run.py --quick --example NAME
bench: setup
	sh bench/install-tools.sh
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py --write-docs

clean:
	rm -rf $(VENV) host/target .fabricks examples/*/.fabricks packs/_shared/node/node_modules tests/native-node/node_modules
