"""Outbound HTTP from a Python component through the host (wasi:http/outgoing-handler), compared
with the same app under gunicorn calling the same loopback service with real sockets."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from .harness import ComponentServer, Req, assert_same, build_app, free_port, gunicorn, send, wait_for_port

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "outbound-http"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CLIENTS = ["urllib", "http.client", "requests", "httpx"]


class Upstream(BaseHTTPRequestHandler):
    """The service called: echoes the method, path, caller and body; sets two cookies."""

    protocol_version = "HTTP/1.1"

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/missing"):
            payload, status = b"no such thing", 404
        else:
            payload = json.dumps({"method": self.command, "path": self.path, "caller": self.headers.get("X-Caller"),
                                  "length": len(body), "sha": __import__("hashlib").sha256(body).hexdigest()}).encode()
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if status == 200 else "text/plain")
        self.send_header("Set-Cookie", "a=1; Path=/")
        self.send_header("Set-Cookie", "b=2; Path=/")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def servers():
    result = build_app(APP)
    with gunicorn(APP, "app:app", result=result) as native, ComponentServer(result) as component:
        yield native, component


@contextlib.contextmanager
def service_run(*args: str, services: int = 1):
    """`fabricks service run ARGS --port P` (P, P+1, ... for several services); yields P once all listen."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fabricks", "service", "run", *args, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    try:
        for offset in range(services):
            wait_for_port(port + offset, proc, timeout=600)
        yield port
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


@pytest.mark.parametrize("client", CLIENTS)
def test_calls_reach_the_service_as_natively(servers, upstream, client):
    native, component = servers
    for req in (Req("GET", f"/call?client={client}&url={upstream}/items%3Fq%3D1"),
                Req("POST", f"/call?client={client}&method=POST&url={upstream}/upload",
                    {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 1200),
                Req("GET", f"/call?client={client}&url={upstream}/missing")):
        assert_same(send(native.url, req), send(component.url, req), req)


@pytest.mark.parametrize("client, raised", [
    ("urllib", "urllib.error.URLError"), ("http.client", "builtins.ConnectionRefusedError"),
    ("requests", "requests.exceptions.ConnectionError"), ("httpx", "httpx.ConnectError"),
])
def test_a_port_nothing_listens_on_raises_the_clients_own_error(servers, client, raised):
    """Both sides raise the client library's own exception; the instance serves on."""
    native, component = servers
    req = Req("GET", f"/call?client={client}&url=http://127.0.0.1:{free_port()}/")
    for server in (native, component):
        answer = send(server.url, req)
        assert answer.status_code == 502 and answer.json()["raised"] == raised, answer.text
    assert send(component.url, Req("GET", "/call?client=urllib&url=http://127.0.0.1:1/")).status_code == 502


@pytest.mark.parametrize("client, raised", [
    ("urllib", "urllib.error.URLError"), ("requests", "requests.exceptions.ConnectionError"),
    ("httpx", "httpx.ConnectError"),
])
def test_a_host_not_granted_is_refused_naming_the_grant(servers, upstream, client, raised):
    """The Fabrickfile grants 127.0.0.1 only: localhost, the same service, is refused."""
    _, component = servers
    port = upstream.rsplit(":", 1)[1]
    answer = send(component.url, Req("GET", f"/call?client={client}&url=http://localhost:{port}/")).json()
    assert answer["raised"] == raised
    assert f"localhost:{port} is not granted" in answer["message"], answer
    assert f'network.connect = ["localhost:{port}"]' in answer["message"], answer


def test_services_on_one_network_find_and_may_call_each_other():
    """`service run A B --network`: A gets B's address as HONO_API_URL and may call it, though A's
    Fabrickfile grants only 127.0.0.1 and the call goes to localhost."""
    with service_run(str(APP), str(EXAMPLES / "hono-api"), "--network", "default", services=2) as port:
        answer = requests.get(f"http://127.0.0.1:{port}/call", timeout=60,
                              params={"client": "requests", "url": f"http://localhost:{port + 1}/"}).json()
        assert answer["status"] == 200 and answer["body"] == "Hello from Hono", answer


def test_a_node_service_calls_a_python_one_with_fetch():
    """The other direction: a fetch app reads FLASK_HELLO_URL from process.env and fetches it."""
    with service_run(str(APP.parent / "fetch-caller"), str(EXAMPLES / "flask-hello"), "--network", "default",
                     services=2) as port:
        answer = requests.get(f"http://127.0.0.1:{port}/call", params={"service": "FLASK_HELLO", "path": "/users/1"},
                              timeout=60).json()
        assert answer == {"status": 200, "type": "application/json", "body": '{"id":1,"name":"User 1"}\n'}, answer
        # A port nothing listens on: Node's (undici's) error, and the instance serves on.
        refused = requests.get(f"http://127.0.0.1:{port}/call", params={"url": f"http://127.0.0.1:{free_port()}/"},
                               timeout=60)
        assert refused.status_code == 502
        assert refused.json() == {"raised": "TypeError", "message": "fetch failed", "code": "ECONNREFUSED"}
        again = requests.get(f"http://127.0.0.1:{port}/call", params={"service": "FLASK_HELLO", "path": "/users/2"},
                             timeout=60).json()
        assert again["status"] == 200 and '"id":2' in again["body"], again


def test_node_http_request_reaches_the_service_as_natively(upstream, tmp_path):
    """http.request/http.get (what axios' Node adapter, got and node-fetch use) through the host."""
    import shutil

    from .harness import node_http

    app = tmp_path / "node-http-client"
    shutil.copytree(APP.parent / "node-http-client", app)
    result = build_app(app)
    with node_http(app, "server.js", result=result) as native, ComponentServer(result) as component:
        for req in (Req("GET", f"/call?url={upstream}/items%3Fq%3D1"),
                    Req("GET", f"/call?how=get&url={upstream}/missing"),
                    Req("POST", f"/call?method=POST&url={upstream}/upload", {"Content-Type": "application/octet-stream"},
                        bytes(range(256)) * 1200),
                    Req("GET", f"/call?url=http://127.0.0.1:{free_port()}/"),  # ECONNREFUSED, as an 'error'
                    Req("GET", f"/call?how=get&url={upstream}/after")):  # and the instance serves on
            assert_same(send(native.url, req), send(component.url, req), req)
        # Its Fabrickfile grants 127.0.0.1 only: the same service as localhost is refused.
        port = upstream.rsplit(":", 1)[1]
        refused = send(component.url, Req("GET", f"/call?url=http://localhost:{port}/"))
        assert refused.status_code == 502 and refused.json() == {"code": "EACCES"}, refused.text


def test_a_host_granted_on_the_command_line_may_be_called(upstream):
    """`service run --connect localhost:PORT` grants what the Fabrickfile doesn't, for that run."""
    target = upstream.rsplit(":", 1)[1]
    with service_run(str(APP), "--connect", f"localhost:{target}") as port:
        answer = requests.get(f"http://127.0.0.1:{port}/call", timeout=60,
                              params={"client": "httpx", "url": f"http://localhost:{target}/granted"}).json()
        assert answer["status"] == 200 and '"path": "/granted"' in answer["body"], answer
