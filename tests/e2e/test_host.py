"""The host (fabricks-host, host/) over real HTTP: in-memory state that holds with instance
reuse, instances bounded by the clients in flight, and a stop that doesn't wait for idle
connections but lets in-flight requests finish."""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

import pytest

from fabricks.host import ServeOptions, Service
from .harness import build_app, free_port

APPS = Path(__file__).resolve().parents[1] / "apps"
pytestmark = pytest.mark.e2e


def counts(port: int, n: int) -> list[int]:
    """``n`` sequential GET /count on one keep-alive connection, as one client sends them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        values = []
        for _ in range(n):
            connection.request("GET", "/count")
            response = connection.getresponse()
            assert response.status == 200
            values.append(int(response.read()))
        return values
    finally:
        connection.close()


@pytest.mark.parametrize("app", ["node-http-conformance", "wsgi-conformance"])
def test_sequential_requests_see_one_instances_state(app: str) -> None:
    """10,000 sequential keep-alive requests to a counter route return 10,000 consecutive values
    (each request counts itself), with the defaults of `fabricks service run`: reuse on, no
    instance limit. The client sends each request as soon as it has the previous response,
    while the instance is still returning from handle."""
    result = build_app(APPS / app)
    with Service(result, ServeOptions(port=free_port())) as service:
        values = counts(service.options.port, 10_000)
    gaps = [(a, b) for a, b in zip(values, values[1:]) if b != a + 1]
    assert not gaps, f"{len(gaps)} requests reached another instance, first {gaps[:5]}"
    assert values[-1] - values[0] == 9_999


def test_concurrent_clients_need_at_most_as_many_instances() -> None:
    """N clients, each sending requests one after another: at most N instances are started."""
    result = build_app(APPS / "node-http-conformance")
    lines: list[str] = []
    clients = 3
    with Service(result, ServeOptions(port=free_port(), verbose=True), lambda name, line: lines.append(line)) as service:
        errors: list[BaseException] = []

        def client() -> None:
            try:
                counts(service.options.port, 300)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
    started = [line for line in lines if "instance started" in line]
    assert 1 <= len(started) <= clients, "\n".join(started)


def test_stop_is_quick_with_an_idle_connection_and_waits_for_one_in_flight() -> None:
    """An idle keep-alive connection doesn't hold the stop; a response being streamed completes."""
    result = build_app(APPS / "node-http-conformance")
    service = Service(result, ServeOptions(port=free_port())).start()
    try:
        idle = http.client.HTTPConnection("127.0.0.1", service.options.port, timeout=30)
        idle.request("GET", "/count")
        idle.getresponse().read()  # the connection stays open, idle
        started = time.monotonic()
        service.stop()
        assert time.monotonic() - started < 1.0
        idle.close()
    finally:
        service.stop()

    service = Service(result, ServeOptions(port=free_port())).start()
    try:
        streaming = http.client.HTTPConnection("127.0.0.1", service.options.port, timeout=30)
        streaming.request("GET", "/slow-stream")
        response = streaming.getresponse()  # headers and the first chunk are out; the rest in 1.5 s
        stopper = threading.Thread(target=service.stop)
        stopper.start()
        assert response.read() == b"first\nsecond\n"
        stopper.join()
        assert service.process.returncode == 0
    finally:
        service.stop()
