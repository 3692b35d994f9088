"""The rust-axum pack end to end: the glue's contract (panics, big bodies, repeated headers,
an async app function) through real components on wasmtime serve, and its build errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from fabricks.packs import Registry
from fabricks.resolve import Flags, resolve

from .harness import ComponentServer, build_app
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
