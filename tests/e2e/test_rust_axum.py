"""The rust-axum pack end to end: the glue's contract (panics, big bodies, repeated headers,
an async app function) through real components on wasmtime serve, and its build errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from fabricks._toml import tomllib
from fabricks.packs import Registry
from fabricks.resolve import Flags, resolve

from .harness import ComponentServer, Req, both, build_app, cargo_native
from .test_cli import assert_clean_failure, assert_nothing_half_written, fabricks

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
EDGE = ROOT / "tests" / "apps" / "axum-edge"


@pytest.fixture(scope="module")
def edge():
    with ComponentServer(build_app(EDGE)) as component:
        yield component


def test_a_panic_answers_500_and_the_next_request_is_served(edge):
    for _ in range(3):
        failed = requests.get(edge.url + "/panic", timeout=30)
        assert (failed.status_code, failed.text) == (500, "Internal Server Error")
        ok = requests.get(edge.url + "/", timeout=30)
        assert (ok.status_code, ok.text) == (200, "ok")  # built by an async fn app()
    # Logged with the user's file and line, not the staged copy's.
    assert edge.log_contains(f"panicked at {EDGE / 'src' / 'lib.rs'}:19"), edge.log
    assert edge.service.process.poll() is None


def test_a_streamed_body_of_any_size_arrives_whole(edge):
    size = 24 * 1024 * 1024 + 5
    with requests.get(edge.url + f"/big?bytes={size}", stream=True, timeout=60) as response:
        received = 0
        for chunk in response.iter_content(1 << 20):
            assert chunk.count(b"a") == len(chunk)
            received += len(chunk)
    assert response.status_code == 200 and received == size


def test_state_lives_as_long_as_the_instance(edge):
    counts = [int(requests.get(edge.url + "/count", timeout=30).text) for _ in range(3)]
    assert counts == sorted(counts) and counts[-1] >= 2, counts


def test_repeated_set_cookie_headers_survive():
    with ComponentServer(build_app(ROOT / "examples" / "axum-inventory")) as component:
        response = requests.post(component.url + "/login", timeout=30)
        cookies = [v for k, v in response.raw.headers.items() if k.lower() == "set-cookie"]
        assert cookies == ["session=abc123; Path=/; HttpOnly", "theme=dark; Path=/; Max-Age=3600",
                           f"agent={len(requests.utils.default_user_agent())}; Path=/"]


def copy_edge(tmp_path: Path) -> Path:
    target = tmp_path / "axum-edge"
    shutil.copytree(EDGE, target, ignore=shutil.ignore_patterns(".fabricks", "target"))
    return target


def test_an_unsupported_feature_fails_by_name(tmp_path):
    app_dir = copy_edge(tmp_path)
    manifest = app_dir / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace('features = ["query"]', 'features = ["query", "ws"]'))
    output = assert_clean_failure(fabricks("adapt", str(app_dir)), f"{manifest}", "the `ws` feature",
                                  "WebSocket")
    assert "Remove \"ws\"" in output
    assert_nothing_half_written(app_dir)


def test_a_binary_only_crate_gets_both_ways_out(tmp_path):
    app_dir = copy_edge(tmp_path)
    (app_dir / "src" / "lib.rs").rename(app_dir / "src" / "main.rs")
    assert_clean_failure(fabricks("adapt", str(app_dir), "--app", "build_app"), "has no library target",
                         'Set app = "main"', "pub fn app() -> axum::Router")
    assert_nothing_half_written(app_dir)


def test_a_serving_main_is_detected_without_a_fabrickfile(tmp_path):
    app_dir = tmp_path / "axum-readme"
    shutil.copytree(ROOT / "examples" / "axum-readme", app_dir, ignore=shutil.ignore_patterns(".fabricks", "target"))
    (app_dir / "Fabrickfile").unlink()
    spec = resolve(app_dir, Registry.discover(), Flags(language="rust"))
    assert (spec.pack.name, spec.framework, spec.app) == ("rust-axum", "axum", "main")
    # (examples/axum-readme itself, built with app = "main", runs in test_examples.)


def test_a_compile_error_names_the_users_line(tmp_path):
    app_dir = copy_edge(tmp_path)
    source = app_dir / "src" / "lib.rs"
    source.write_text(source.read_text().replace('get(|| async { "ok" })', 'get(|| async { "ok" + 1 })'))
    assert_clean_failure(fabricks("adapt", str(app_dir)), f"{source}:", "cannot add")
    assert_nothing_half_written(app_dir)


def test_an_app_path_that_names_nothing(tmp_path):
    app_dir = copy_edge(tmp_path)
    output = assert_clean_failure(fabricks("adapt", str(app_dir), "--app", "axum_edge::no_such_fn"),
                                  "no_such_fn")
    assert "must name a `pub fn`" in output


WORKSPACE = ROOT / "tests" / "apps" / "cargo-workspace"


def lock_versions(path: Path) -> dict[str, set[str]]:
    """``{crate: {versions}}`` of a Cargo.lock."""
    found: dict[str, set[str]] = {}
    for package in tomllib.loads(path.read_text())["package"]:
        found.setdefault(package["name"], set()).add(package["version"])
    return found


def semver_line(version: str) -> str:
    """The semver-compatible line a version belongs to: ``1.2.3`` -> ``1``, ``0.8.9`` -> ``0.8``."""
    major, minor, *_ = version.split(".")
    return major if major != "0" else f"0.{minor}"


def test_a_workspace_member_matches_the_same_crate_run_natively(tmp_path):
    # crates/api inherits version, edition and its dependencies from the root, uses the sibling
    # crates/shared by path, and asks for tokio's `full` on top of the root's tokio entry.
    workspace_dir = tmp_path / "cargo-workspace"
    shutil.copytree(WORKSPACE, workspace_dir, ignore=shutil.ignore_patterns(".fabricks", "target"))
    api = workspace_dir / "crates" / "api"
    result = build_app(api)
    # The component holds the versions of the workspace's one Cargo.lock, nothing newer.
    locked, used = lock_versions(workspace_dir / "Cargo.lock"), lock_versions(result.directory / "stage" / "glue" / "Cargo.lock")
    assert used["axum"] == {"0.8.9"} and used["serde"] == {"1.0.229"}, used
    for name in locked.keys() & used.keys():  # the glue may add other semver lines (wstd's syn 2)
        assert locked[name] <= used[name], (name, locked[name], used[name])
        assert {semver_line(v) for v in used[name] - locked[name]}.isdisjoint(map(semver_line, locked[name])), name
    with cargo_native(api, result.spec.app) as native, ComponentServer(result) as component:
        for req in [Req("GET", "/"), Req("GET", "/items/7"), Req("GET", "/items/x"),
                    Req("GET", "/slug?text=Hello,%20Wasm%20World!"), Req("GET", "/slug"),
                    Req("POST", "/summary", {"Content-Type": "application/json"},
                        b'[{"id":1,"name":"A b","slug":"a-b"},{"id":2,"name":"C","slug":"c"}]'),
                    Req("POST", "/summary", {"Content-Type": "application/json"}, b'[{"id":1}]'),
                    Req("HEAD", "/items/3"), Req("GET", "/missing")]:
            actual = both((native, component), req)
            if req.path == "/":
                assert actual.text == "api 0.3.1"  # version.workspace = true
        assert component.service.process.poll() is None, component.log


def test_a_workspace_root_names_its_members(tmp_path):
    workspace_dir = tmp_path / "cargo-workspace"
    shutil.copytree(WORKSPACE, workspace_dir, ignore=shutil.ignore_patterns(".fabricks", "target"))
    output = assert_clean_failure(fabricks("adapt", str(workspace_dir)), "workspace root with no [package]",
                                  "crates/api, crates/shared", f"fabricks adapt {workspace_dir / 'crates' / 'api'}")
    assert "depending on axum: crates/api" in output
    assert not (workspace_dir / ".fabricks").exists()
