"""[health_check.http]: `service run` probes each service once it is up (a real HTTP server here)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fabricks.errors import ServeError
from fabricks.fabrickfile import HealthCheck
from fabricks.host import check_health


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 503)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_expected_status_passes(server):
    check_health(server + "/health", HealthCheck(path="/health"))


def test_another_status_fails_naming_it(server):
    with pytest.raises(ServeError, match="got status 503, not 200"):
        check_health(server + "/ready", HealthCheck(path="/ready", retries=2, timeout=1))


def test_no_answer_fails():
    with pytest.raises(ServeError, match="no answer"):
        check_health("http://127.0.0.1:9/health", HealthCheck(retries=1, timeout=0.5))
