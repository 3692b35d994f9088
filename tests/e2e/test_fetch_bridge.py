"""The fetch bridge of the node-hono pack through a real component and host, against the same
handler on @hono/node-server (Node), with no framework between."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from .harness import (ComponentServer, Req, assert_client_gone_is_no_error, assert_instance_survives, assert_streams,
                      assert_truncated, both, build_app, node_fetch, set_cookies)

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "fetch-conformance"
ERROR_PAGE = frozenset({"content-type", "content-length"})


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    copy = tmp_path_factory.mktemp("native") / APP.name
    shutil.copytree(APP, copy)
    result = build_app(APP)
    with node_fetch(copy, "app.js", result=result) as native, ComponentServer(result) as component:
        yield native, component


def test_request_parts_match_node(servers):
    both(servers, Req("GET", "/request?a=1&b=%20c", {"X-One": "1", "X-Two": "caf\u00e9".encode().decode("latin-1")}))
    both(servers, Req("PUT", "/request/", {"X-Multi": "1"}, b"body"))


def test_a_client_gone_mid_response_cancels_the_body_quietly(servers):
    """The app's stream is cancelled (as workerd and Deno cancel it), nothing is logged as the
    app's error, and the instance serves on: a 64 MB body abandoned after 64 KiB."""
    assert_client_gone_is_no_error(servers[1], f"/big?size={64 << 20}")


def test_request_body_over_1mb_arrives_whole(servers):
    body = bytes(range(256)) * 12_289
    assert both(servers, Req("POST", "/echo", {"Content-Type": "application/octet-stream"}, body)).json()["length"] == len(body)


def test_chunked_request_body_arrives_whole(servers):
    chunks = [bytes([i]) * 100_000 for i in range(12)]
    answers = [requests.post(s.url + "/echo", data=iter(chunks), timeout=60).json() for s in servers]
    assert answers[0] == answers[1] and answers[0]["length"] == 1_200_000


def test_streamed_response_over_1mb_arrives_whole(servers):
    assert len(both(servers, Req("GET", "/big?size=3000001")).content) == 3_000_001


def test_response_streams_before_the_body_is_done(servers):
    _, component = servers
    assert_streams(component.url + "/slow-stream")


def test_several_set_cookie_headers_survive(servers):
    response = both(servers, Req("GET", "/cookies"))
    assert set_cookies(response) == ["a=1; Path=/", "b=2; HttpOnly", "c=3, d=4; SameSite=Lax"]


def test_head_and_204(servers):
    both(servers, Req("HEAD", "/cookies"))
    both(servers, Req("GET", "/no-content"))


def test_exception_before_the_response_is_a_500(servers):
    both(servers, Req("GET", "/throw", ignore_headers=ERROR_PAGE, compare_body=False))
    assert servers[1].log_contains("thrown before the response"), servers[1].log


def test_exception_while_streaming_truncates_the_body(servers):
    assert_truncated(servers, "/throw-in-stream")


def test_the_instance_survives_exceptions_with_its_state():
    with ComponentServer(build_app(APP)) as component:
        assert_instance_survives(component, "/throw")


def test_fetch_apps_get_nodes_environment(tmp_path):
    """process (env from the Fabrickfile's grants), Buffer, timers and node: built-ins in a
    fetch app, as on @hono/node-server."""
    app = APP.parent / "fetch-node-env"
    shutil.copytree(app, tmp_path / app.name)
    result = build_app(app)
    env = {"FABRICKS_GREETING": "hej", "NOT_GRANTED": "secret"}
    with node_fetch(tmp_path / app.name, "app.js", env={"FABRICKS_GREETING": "hej"}, result=result) as native, \
            ComponentServer(result, env=env) as component:
        assert both((native, component), Req("GET", "/node")).json()["from"] == "immediate"
        answer = both((native, component), Req("GET", "/env", ignore_headers=frozenset({"content-length"}),
                                               compare_body=False)).json()
        assert answer == {"greeting": "hej", "missing": None, "cwd": "/app", "platform": "linux"}


@pytest.mark.parametrize("path, logged", [
    ("/timer-throw", "Uncaught exception at app.js:"),
    ("/stuck", "Promise rejected but never handled: rejected and never awaited"),
])
def test_uncaught_errors_in_fetch_apps_fail_the_request_and_the_service_serves_on(path, logged):
    """As in the node:http bridge: a 500, the error logged once, the instance replaced."""
    with ComponentServer(build_app(APP.parent / "fetch-node-env")) as component:
        assert requests.get(component.url + "/count", timeout=30).status_code == 200
        response = requests.get(component.url + path, timeout=30)
        assert response.status_code == 500 and response.text == "Internal Server Error\n"
        assert requests.get(component.url + "/count", timeout=30).status_code == 200
        assert component.log_contains(logged), component.log
        assert component.log.count("Node would exit here") == 1, component.log
