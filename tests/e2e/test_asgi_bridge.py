"""The ASGI bridge through a real component and host, against uvicorn, with no framework between."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import requests

from .harness import ComponentServer, Req, assert_instance_survives, assert_truncated, both, build_app, set_cookies, uvicorn

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "asgi-conformance"
ERROR_PAGE = frozenset({"content-type", "content-length"})


@pytest.fixture(scope="module")
def servers():
    result = build_app(APP)
    with uvicorn(APP, "app:app", result=result) as native, ComponentServer(result) as component:
        yield native, component


def test_scope_matches_uvicorn(servers):
    scope = both(servers, Req("GET", "/scope?a=1&b=%20c", {"X-Multi": "1", "Cookie": "k=v"})).json()
    assert scope["lifespan_state"] is True and scope["asgi"] == "3.0"
    both(servers, Req("POST", "/scope/caf%C3%A9%2Fx", {"X-Multi": "1"}))


def test_repeated_headers_keep_their_order(servers):
    import http.client
    import json

    for server in servers:
        host, port = server.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.putrequest("GET", "/scope")
        conn.putheader("X-Multi", "first")
        conn.putheader("X-Multi", "second")
        conn.endheaders()
        headers = json.loads(conn.getresponse().read())["headers"]
        conn.close()
        assert headers == [["x-multi", "first"], ["x-multi", "second"]], server.url


def test_request_body_over_1mb_arrives_whole(servers):
    body = os.urandom(3 * 1024 * 1024 + 5)
    response = both(servers, Req("POST", "/echo", {"Content-Type": "application/octet-stream"}, body))
    assert response.json() == {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def test_chunked_request_body_arrives_whole(servers):
    chunks = [os.urandom(100_000) for _ in range(12)]
    expected = {"length": 1_200_000, "sha256": hashlib.sha256(b"".join(chunks)).hexdigest()}
    for server in servers:
        assert requests.post(server.url + "/echo", data=iter(chunks), timeout=60).json() == expected


def test_streamed_response_over_1mb_arrives_whole(servers):
    assert len(both(servers, Req("GET", "/big?size=4000001")).content) == 4_000_001


def test_several_set_cookie_headers_survive(servers):
    assert set_cookies(both(servers, Req("GET", "/cookies"))) == ["a=1; Path=/", "b=2; HttpOnly",
                                                                   "c=3; SameSite=Lax"]


def test_asyncio_sleep_works(servers):
    assert both(servers, Req("GET", "/sleep")).text == "slept"


def test_head_204_and_404(servers):
    both(servers, Req("HEAD", "/cookies"))
    both(servers, Req("GET", "/no-content"))
    both(servers, Req("GET", "/nope"))


def test_exception_before_start_is_a_500(servers):
    both(servers, Req("GET", "/boom-before", ignore_headers=ERROR_PAGE, compare_body=False))
    assert servers[1].log_contains("RuntimeError: before start"), servers[1].log


def test_exception_after_start_truncates_the_body(servers):
    assert_truncated(servers, "/boom-after")


def test_the_instance_survives_exceptions_with_its_state():
    with ComponentServer(build_app(APP)) as component:
        assert_instance_survives(component, "/boom-before")


def test_a_client_leaving_mid_stream_makes_send_raise(servers):
    """Spec 2.4 "Disconnected Client": once the client has gone, the app's send() raises an
    OSError, so a stream stops early; the component logs one line naming the request (no
    traceback) and goes on serving. (uvicorn 0.54 drops such sends silently, so this is not
    compared with it: its /drip runs to the end.)"""
    import socket
    import time

    component = servers[1]
    host, port = component.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /drip HTTP/1.1\r\nHost: test\r\n\r\n")
        received = b""
        while b"drip 2" not in received:
            received += sock.recv(4096)
    deadline, seen = time.monotonic() + 15, []
    while not seen and time.monotonic() < deadline:
        time.sleep(0.2)
        seen = requests.get(component.url + "/disconnects", timeout=30).json()
    assert seen == [{"oserror": True, "early": True}]
    assert component.log_contains("GET /drip:"), component.log
    assert len([line for line in component.lines if "GET /drip" in line]) == 1, component.log
