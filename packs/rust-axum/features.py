"""Which Cargo features of axum and tokio a crate may use in a component, and the staged
manifest that asks only for those.

A component has no sockets and no threads: the host owns the accept loop
(wasi:http/incoming-handler). So the features that exist only to run axum's own server
(axum's ``tokio``, ``http1``, ``http2``; tokio's ``net``, ``rt-multi-thread``, ``signal``)
are dropped from the staged copy of the crate's Cargo.toml (the user's file is never
written); they matter only to the native ``main`` that calls ``axum::serve``. Features
that would change what handlers can do and that WASI can't give (WebSocket upgrades,
subprocesses, tokio's thread-pool file I/O, async stdin) fail the build by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# axum 0.8's default features, and those needing hyper's or tokio's server.
AXUM_DEFAULTS = ("form", "http1", "json", "matched-path", "original-uri", "query", "tokio", "tower-log", "tracing")
AXUM_SERVER_ONLY = frozenset({"tokio", "http1", "http2"})
# tokio builds for wasm with only these (tokio's lib.rs: "Only features sync,macros,io-util,rt,time
# are supported on wasm").
TOKIO_SUPPORTED = frozenset({"sync", "macros", "io-util", "rt", "time", "test-util", "parking_lot"})
TOKIO_SERVER_ONLY = frozenset({"net", "rt-multi-thread", "signal"})
TOKIO_FULL = ("fs", "io-util", "io-std", "macros", "net", "parking_lot", "process", "rt", "rt-multi-thread",
              "signal", "sync", "time")

UNSUPPORTED = {
    ("axum", "ws"): "WebSocket upgrades need the connection's socket, and wasi:http hands a component "
                    "requests and responses only",
    ("tokio", "process"): "a component can't start processes",
    ("tokio", "fs"): "tokio's file I/O runs on a thread pool, and a component has one thread",
    ("tokio", "io-std"): "a wasi:http component has no stdin to read",
}


class UnsupportedFeature(Exception):
    """A dependency asks for a feature a component can't have. ``args``: (message, hint)."""


@dataclass
class Adjustment:
    """What :func:`adjust` changed: ``dropped`` holds ``"crate/feature"`` strings."""

    dropped: list[str] = field(default_factory=list)
    axum_version: str | None = None


def _dependency_tables(manifest: dict) -> list[dict]:
    tables = [manifest.get(k, {}) for k in ("dependencies", "build-dependencies")]
    for target in manifest.get("target", {}).values():
        tables.append(target.get("dependencies", {}))
    return [t for t in tables if isinstance(t, dict)]


def _real_name(key: str, spec: Any) -> str:
    return spec.get("package", key) if isinstance(spec, dict) else key


def adjust(manifest: dict, where: str) -> Adjustment:
    """Rewrite ``manifest`` (a parsed Cargo.toml, changed in place) for a wasm32-wasip1 build.

    ``where`` names the file in errors. Raises UnsupportedFeature for a feature in
    UNSUPPORTED that the manifest names. build.py resolves workspace inheritance first
    (workspace.py), so inherited axum/tokio entries arrive here merged; one still marked
    ``workspace = true`` is left as it is.
    """
    result = Adjustment()
    for table in _dependency_tables(manifest):
        for key, spec in list(table.items()):
            crate = _real_name(key, spec)
            if crate not in ("axum", "tokio"):
                continue
            if isinstance(spec, str):
                spec = {"version": spec}
            if spec.get("workspace"):
                continue
            if crate == "axum":
                result.axum_version = spec.get("version")
            defaults = spec.pop("default-features", spec.pop("default_features", True))
            named = list(spec.get("features", []))
            for feature in named:
                if (crate, feature) in UNSUPPORTED:
                    raise UnsupportedFeature(
                        f"{where}: `{key}` asks for the `{feature}` feature, which a WebAssembly component "
                        f"can't have: {UNSUPPORTED[(crate, feature)]}.",
                        f"Remove \"{feature}\" from {key}'s features (code that needs it can't run on a "
                        f"wasi:http host). The features components support are listed in docs/rust-axum.md.")
            wanted = list(named)
            if crate == "axum" and defaults:
                wanted = list(AXUM_DEFAULTS) + wanted
            if crate == "tokio" and "full" in wanted:
                wanted = [f for f in wanted if f != "full"] + list(TOKIO_FULL)
            kept: list[str] = []
            for feature in wanted:
                dropped = (feature in AXUM_SERVER_ONLY if crate == "axum"
                           else feature not in TOKIO_SUPPORTED)
                if dropped:
                    if f"{crate}/{feature}" not in result.dropped:
                        result.dropped.append(f"{crate}/{feature}")
                elif feature not in kept:
                    kept.append(feature)
            spec["default-features"] = False
            spec["features"] = kept
            table[key] = spec
    # Only the crate's library is built, as a dependency of the generated glue: its profiles
    # would be ignored with a warning, and its binaries, examples and tests are not built.
    for section in ("profile", "bin", "example", "test", "bench"):
        manifest.pop(section, None)
    return result
