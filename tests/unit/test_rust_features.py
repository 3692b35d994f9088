"""The rust-axum pack's Cargo feature policy (packs/rust-axum/features.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "packs" / "rust-axum" / "features.py"
_spec = importlib.util.spec_from_file_location("rust_axum_features", _PATH)
features = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = features  # dataclasses look their module up
_spec.loader.exec_module(features)


def test_default_axum_keeps_its_defaults_but_the_server_ones():
    manifest = {"dependencies": {"axum": "0.8"}}
    done = features.adjust(manifest, "Cargo.toml")
    axum = manifest["dependencies"]["axum"]
    assert axum["default-features"] is False and axum["version"] == "0.8"
    assert set(axum["features"]) == set(features.AXUM_DEFAULTS) - {"tokio", "http1"}
    assert done.dropped == ["axum/http1", "axum/tokio"] and done.axum_version == "0.8"


def test_tokio_full_keeps_what_builds_for_wasm():
    manifest = {"dependencies": {"tokio": {"version": "1", "features": ["full"]}}}
    features.adjust(manifest, "Cargo.toml")
    assert set(manifest["dependencies"]["tokio"]["features"]) == {"io-util", "macros", "parking_lot", "rt", "sync", "time"}


def test_renamed_and_target_specific_dependencies_are_found():
    manifest = {"target": {"cfg(unix)": {"dependencies": {"web": {"package": "axum", "version": "0.8",
                                                                   "features": ["http2", "json"]}}}}}
    done = features.adjust(manifest, "Cargo.toml")
    web = manifest["target"]["cfg(unix)"]["dependencies"]["web"]
    assert "http2" not in web["features"] and "json" in web["features"] and "axum/http2" in done.dropped


@pytest.mark.parametrize("crate,feature", [("axum", "ws"), ("tokio", "process"), ("tokio", "fs")])
def test_unsupported_features_fail_by_name(crate, feature):
    manifest = {"dependencies": {crate: {"version": "1", "features": [feature]}}}
    with pytest.raises(features.UnsupportedFeature) as caught:
        features.adjust(manifest, "/app/Cargo.toml")
    assert f"`{feature}` feature" in caught.value.args[0] and "/app/Cargo.toml" in caught.value.args[0]


def test_profiles_and_binaries_leave_the_staged_manifest():
    manifest = {"dependencies": {}, "profile": {"release": {}}, "bin": [{"name": "x"}]}
    features.adjust(manifest, "Cargo.toml")
    assert "profile" not in manifest and "bin" not in manifest


def test_workspace_inherited_entries_are_left_alone():
    manifest = {"dependencies": {"axum": {"workspace": True}}}
    features.adjust(manifest, "Cargo.toml")
    assert manifest["dependencies"]["axum"] == {"workspace": True}
