"""The WSGI bridge through a real component and host, against gunicorn, under wsgiref.validate."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import requests

from .harness import ComponentServer, Req, assert_instance_survives, assert_streams, both, build_app, gunicorn, send, set_cookies

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "wsgi-conformance"
MB = 1024 * 1024


SANDBOX_ENV = {"FABRICKS_TEST_GRANTED": "granted-value", "FABRICKS_TEST_HIDDEN": "must-not-leak"}


@pytest.fixture(scope="module")
def servers():
    result = build_app(APP)
    with gunicorn(APP, "app:application", result=result) as native, ComponentServer(result, env=SANDBOX_ENV) as component:
        yield native, component


def test_environ_matches_gunicorn(servers):
    both(servers, Req("GET", "/environ?a=1&b=%20c&a=2"))
    both(servers, Req("POST", "/environ/caf%C3%A9%2Fx", {"Content-Type": "text/plain", "X-Multi": "1"}, b"x"))


def test_cookie_headers_are_joined_for_the_app(servers):
    response = both(servers, Req("GET", "/environ", {"Cookie": "a=1; b=2"}))
    assert response.json()["HTTP_COOKIE"] == "a=1; b=2"


def test_request_body_over_1mb_arrives_whole(servers):
    body = os.urandom(3 * MB + 17)
    response = both(servers, Req("POST", "/echo", {"Content-Type": "application/octet-stream"}, body))
    assert response.json() == {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def test_chunked_request_body_arrives_whole(servers):
    chunks = [os.urandom(100_000) for _ in range(15)]
    expected = {"length": 1_500_000, "sha256": hashlib.sha256(b"".join(chunks)).hexdigest()}
    for server in servers:
        # A generator body is sent chunked, without Content-Length: the app reads to EOF.
        response = requests.post(server.url + "/echo", data=iter(chunks), timeout=60)
        assert response.json() == expected, server.url


def test_readline_and_readlines(servers):
    both(servers, Req("POST", "/lines", {"Content-Type": "text/plain"}, b"one\ntwo\nthree"))


def test_response_body_over_1mb_arrives_whole(servers):
    response = both(servers, Req("GET", "/big?size=5000001"))
    assert len(response.content) == 5_000_001


def test_several_set_cookie_headers_survive(servers):
    response = both(servers, Req("GET", "/cookies"))
    assert set_cookies(response) == ["a=1; Path=/", "b=2; HttpOnly", "c=3; SameSite=Lax"]


def test_write_callable(servers):
    assert both(servers, Req("GET", "/write")).content == b"written, then returned"


def test_exc_info_error_page(servers):
    assert both(servers, Req("GET", "/error-page")).status_code == 503


def test_head_has_headers_and_no_body(servers):
    response = both(servers, Req("HEAD", "/big?size=1000"))
    assert response.headers["content-length"] == "1000" and response.content == b""


def test_204_and_304_have_no_body(servers):
    assert both(servers, Req("GET", "/no-content")).content == b""
    assert both(servers, Req("GET", "/not-modified")).content == b""


def test_exception_gives_500_and_the_next_request_is_served(servers):
    # The error page is each server's own (gunicorn's is HTML): the status must match.
    both(servers, Req("GET", "/boom", ignore_headers=frozenset({"content-type", "content-length"}),
                      compare_body=False))
    assert both(servers, Req("GET", "/environ")).status_code == 200
    assert servers[1].log_contains("RuntimeError: boom"), servers[1].log


def test_the_instance_survives_an_exception_with_its_state():
    with ComponentServer(build_app(APP)) as component:
        assert_instance_survives(component, "/boom")


def test_response_streams_before_the_generator_finishes(servers):
    _, component = servers
    assert_streams(component.url + "/slow-stream")


def test_validator_saw_no_violation(servers):
    _, component = servers
    assert "AssertionError" not in component.log and "WSGIWarning" not in component.log, component.log


def test_fresh_instance_per_request_resets_state():
    with ComponentServer(build_app(APP), instance_reuse=1) as component:
        counts = [send(component.url, Req("GET", "/count")).text for _ in range(3)]
    assert counts == ["1", "1", "1"]


def test_only_granted_env_vars_and_no_host_files_reach_the_app(servers):
    _, component = servers
    assert send(component.url, Req("GET", "/sandbox")).json() == {
        "granted": "granted-value", "fixed": "fixed-value", "hidden": None, "etc_visible": False}


def test_script_name_option_mounts_the_app_under_a_prefix(tmp_path):
    import shutil

    app_dir = tmp_path / "mounted"
    shutil.copytree(APP, app_dir)
    fabrickfile = app_dir / "Fabrickfile"
    fabrickfile.write_text(fabrickfile.read_text().replace('warmup = []', 'warmup = []\nscript_name = "/mount"'))
    with ComponentServer(build_app(app_dir)) as component:
        environ = send(component.url, Req("GET", "/mount/environ?x=1")).json()
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"], environ["QUERY_STRING"]) == ("/mount", "/environ", "x=1")


def test_a_request_in_flight_finishes_when_the_host_stops():
    """Stopping waits for the request under way (answered after 1.5 s), not for idle connections."""
    import threading
    import time

    with ComponentServer(build_app(APP)) as component:
        idle = requests.Session()  # a kept-alive connection that stays open, as a browser's does
        assert idle.get(component.url + "/count", timeout=30).status_code == 200
        got = {}

        def fetch():
            got["body"] = requests.get(component.url + "/slow", timeout=30).content

        client = threading.Thread(target=fetch)
        client.start()
        time.sleep(0.5)  # the request is in, its answer 1 s away
        started = time.monotonic()
        component.service.stop()
        stopped_after = time.monotonic() - started
        client.join(timeout=30)
        idle.close()
    assert got.get("body") == b"slow but whole"
    assert 0.5 < stopped_after < 5, stopped_after
