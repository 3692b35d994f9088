"""A cargo workspace member made standalone for the staged build (packs/rust-axum/workspace.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PACK = Path(__file__).resolve().parents[2] / "packs" / "rust-axum"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"rust_axum_{name}", _PACK / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


workspace = _load("workspace")
features = _load("features")

ROOT = """
[workspace]
members = ["crates/*"]
exclude = ["crates/scratch"]
resolver = "2"

[workspace.package]
version = "0.3.1"
edition = "2021"
readme = "README.md"

[workspace.dependencies]
axum = "0.8"
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["macros"] }
lean = { version = "2", default-features = false }
shared = { path = "crates/shared" }

[workspace.lints.rust]
unsafe_code = "forbid"

[patch.crates-io]
serde = { path = "vendor/serde" }
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write(tmp_path / "Cargo.toml", ROOT)
    write(tmp_path / "Cargo.lock", "version = 4\n")
    write(tmp_path / "crates/shared/Cargo.toml", '[package]\nname = "shared"\nversion.workspace = true\n'
                                                   'edition.workspace = true\n[dependencies]\nserde.workspace = true\n'
                                                   'util = { path = "../../util" }\n')
    write(tmp_path / "util/Cargo.toml", '[package]\nname = "util"\nversion = "0.1.0"\n')
    write(tmp_path / "crates/api/Cargo.toml", '[package]\nname = "api"\nversion.workspace = true\n')
    write(tmp_path / "crates/scratch/Cargo.toml", '[package]\nname = "scratch"\nversion = "0.1.0"\n')
    return tmp_path


def member(**tables) -> dict:
    return {"package": {"name": "api", "version": {"workspace": True}, "edition": {"workspace": True}}, **tables}


def test_inherited_package_fields_and_dependencies_take_the_roots_values(tree):
    manifest = member(dependencies={
        "axum": {"workspace": True},
        "serde": {"workspace": True, "features": ["rc"], "optional": True},
        "shared": {"path": "../shared"},
    }, lints={"workspace": True})
    found = workspace.resolve(manifest, tree / "crates" / "api", "api/Cargo.toml")
    assert manifest["package"] == {"name": "api", "version": "0.3.1", "edition": "2021"}
    deps = manifest["dependencies"]
    assert deps["axum"] == {"version": "0.8"}
    assert deps["serde"] == {"version": "1", "features": ["derive", "rc"], "optional": True}
    assert deps["shared"] == {"path": str(tree / "crates" / "shared")}  # absolute: the copy is elsewhere
    assert manifest["lints"] == {"rust": {"unsafe_code": "forbid"}}
    assert found.root == tree and found.lockfile == tree / "Cargo.lock" and found.resolver == "2"
    assert found.patch == {"crates-io": {"serde": {"path": str(tree / "vendor" / "serde")}}}


def test_default_features_merge_as_cargo_merges_them(tree):
    manifest = member(dependencies={"axum": {"workspace": True, "default-features": False},
                                    "lean": {"workspace": True}})
    workspace.resolve(manifest, tree / "crates" / "api", "Cargo.toml")
    assert "default-features" not in manifest["dependencies"]["axum"]  # the root keeps them: ignored
    assert manifest["dependencies"]["lean"] == {"version": "2", "default-features": False}
    manifest = member(dependencies={"lean": {"workspace": True, "default-features": True}})
    workspace.resolve(manifest, tree / "crates" / "api", "Cargo.toml")
    assert manifest["dependencies"]["lean"] == {"version": "2"}


def test_workspace_path_dependencies_are_read_from_the_root(tree):
    manifest = member(**{"target": {"cfg(unix)": {"dependencies": {"shared": {"workspace": True}}}}})
    workspace.resolve(manifest, tree / "crates" / "api", "Cargo.toml")
    assert manifest["target"]["cfg(unix)"]["dependencies"]["shared"] == {"path": str(tree / "crates" / "shared")}


def test_dev_dependencies_and_root_only_tables_leave_the_staged_manifest(tree):
    manifest = member(**{"dev-dependencies": {"tokio": {"workspace": True}}, "patch": {"crates-io": {}}})
    workspace.resolve(manifest, tree / "crates" / "api", "Cargo.toml")
    assert "dev-dependencies" not in manifest and "patch" not in manifest


def test_the_feature_policy_reaches_inherited_dependencies(tree):
    manifest = member(dependencies={"tokio": {"workspace": True, "features": ["full"]}})
    workspace.resolve(manifest, tree / "crates" / "api", "Cargo.toml")
    done = features.adjust(manifest, "Cargo.toml")
    tokio = manifest["dependencies"]["tokio"]
    assert set(tokio["features"]) == {"io-util", "macros", "parking_lot", "rt", "sync", "time"}
    assert tokio["default-features"] is False and "tokio/net" in done.dropped


def test_what_the_root_lacks_fails_by_name(tree):
    manifest = member(dependencies={"reqwest": {"workspace": True}})
    with pytest.raises(workspace.WorkspaceError) as caught:
        workspace.resolve(manifest, tree / "crates" / "api", "api/Cargo.toml")
    assert "`reqwest`" in caught.value.args[0] and "[workspace.dependencies]" in caught.value.args[0]
    manifest = member(package={"name": "api", "license": {"workspace": True}})
    with pytest.raises(workspace.WorkspaceError, match="`license`"):
        workspace.resolve(manifest, tree / "crates" / "api", "api/Cargo.toml")


def test_members_follow_globs_exclude_and_path_dependencies(tree):
    found = workspace.members(tree, workspace.read_manifest(tree / "Cargo.toml"))
    # util is no glob's, but shared's path dependency under the root: a member, as cargo counts.
    assert found == [tree / "crates" / "api", tree / "crates" / "shared", tree / "util"]


def test_the_nearest_root_that_does_not_exclude_the_crate(tree):
    root, _ = workspace.find_root(tree / "crates" / "api", {"package": {"name": "api"}})
    assert root == tree
    assert workspace.find_root(tree / "crates" / "scratch", {"package": {"name": "scratch"}}) is None


def test_a_crate_its_workspace_does_not_list_is_refused(tree):
    write(tree / "tools/gen/Cargo.toml", '[package]\nname = "gen"\nversion = "0.1.0"\n')
    with pytest.raises(workspace.WorkspaceError) as caught:
        workspace.resolve({"package": {"name": "gen", "version": "0.1.0"}}, tree / "tools" / "gen", "gen/Cargo.toml")
    assert "not one of its members" in caught.value.args[0] and "tools/gen" in caught.value.args[1]


def test_a_standalone_crate_keeps_its_own_lockfile_and_patches(tmp_path):
    write(tmp_path / "app/Cargo.lock", "version = 4\n")
    manifest = {"package": {"name": "app", "version": "0.1.0"}, "dependencies": {"util": {"path": "../util"}},
                "patch": {"crates-io": {"axum": {"path": "../axum"}}}}
    found = workspace.resolve(manifest, tmp_path / "app", "Cargo.toml")
    assert found.root is None and found.lockfile == tmp_path / "app" / "Cargo.lock"
    assert found.patch == {"crates-io": {"axum": {"path": str(tmp_path / "axum")}}}
    assert manifest["dependencies"]["util"] == {"path": str(tmp_path / "util")} and "patch" not in manifest


def test_a_workspace_root_without_a_package_names_its_members(tree):
    write(tree / "crates/api/Cargo.toml", '[package]\nname = "api"\nversion = "0.1.0"\n[dependencies]\naxum = "0.8"\n')
    with pytest.raises(workspace.WorkspaceError) as caught:
        workspace.resolve(workspace.read_manifest(tree / "Cargo.toml"), tree, "Cargo.toml")
    message, hint = caught.value.args
    assert "workspace root with no [package]" in message and "crates/api, crates/shared, util" in message
    assert "depending on axum: crates/api" in message and f"fabricks adapt {tree / 'crates' / 'api'}" in hint


def test_path_crates_are_staged_rewritten_and_pointed_at(tree, tmp_path_factory):
    write(tree / "crates/shared/src/lib.rs", "")
    write(tree / "crates/shared/target/junk", "")
    stage = tmp_path_factory.mktemp("stage")
    manifest = member(dependencies={"shared": {"path": str(tree / "crates" / "shared")}})
    seen = []

    def prepare(crate: dict, source: Path, where: str) -> None:
        seen.append(source)
        workspace.resolve(crate, source, where, check=False)

    copies = workspace.stage_path_crates(manifest, stage, prepare)
    staged_shared = Path(manifest["dependencies"]["shared"]["path"])
    assert staged_shared.parent == stage and (staged_shared / "src" / "lib.rs").is_file()
    assert not (staged_shared / "target").exists()
    shared = workspace.read_manifest(staged_shared / "Cargo.toml")
    assert shared["package"]["version"] == "0.3.1" and shared["dependencies"]["serde"]["features"] == ["derive"]
    staged_util = Path(shared["dependencies"]["util"]["path"])  # its own path dependency, staged too
    assert staged_util.parent == stage
    assert [source for _, source in copies] == seen == [tree / "crates" / "shared", tree / "util"]
