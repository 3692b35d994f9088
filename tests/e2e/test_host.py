"""The host (fabricks-host, host/) over real HTTP: in-memory state that holds with instance
reuse, instances bounded by the clients in flight, and a stop that doesn't wait for idle
connections but lets in-flight requests finish."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from fabricks.host import ServeOptions, Service

from .harness import build_app, free_port, wait_for_port

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


@pytest.mark.parametrize("app", ["node-http-conformance", "wsgi-conformance", "axum-edge"])
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


def test_services_share_one_address_by_route(tmp_path: Path) -> None:
    """`[serve] route` in a Fabrickfile: `fabricks service run` serves both apps on one port; the
    longest route on a segment boundary wins; a WSGI app sees its mount as SCRIPT_NAME; a
    client's own x-forwarded-prefix never reaches an app."""
    python_app, node_app = tmp_path / "py", tmp_path / "node"
    shutil.copytree(APPS / "wsgi-conformance", python_app, ignore=shutil.ignore_patterns(".fabricks"))
    shutil.copytree(APPS / "node-http-conformance", node_app, ignore=shutil.ignore_patterns(".fabricks"))
    with open(python_app / "Fabrickfile", "a") as fabrickfile:
        fabrickfile.write('\n[serve]\nroute = "/py"\n')
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fabricks", "service", "run", str(python_app), str(node_app),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    output = []
    try:
        for line in proc.stdout:  # builds, then says where each service is served
            output.append(line)
            if "Ctrl-C to stop" in line:
                break
        wait_for_port(port, proc, timeout=10)
        base = f"http://127.0.0.1:{port}"
        environ = requests.get(f"{base}/py/environ", timeout=30).json()
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/py", "/environ")
        seen = requests.get(f"{base}/request", headers={"X-Forwarded-Prefix": "/evil"}, timeout=30).json()
        assert seen["url"] == "/request" and "x-forwarded-prefix" not in seen["headers"]
        # /pyx is not under /py: the Node app at / answers it (with its own 404).
        assert requests.get(f"{base}/pyx/request", timeout=30).text == "no route for GET /pyx/request\n"
        environ = requests.get(f"{base}/py/environ", headers={"X-Forwarded-Prefix": "/evil"}, timeout=30).json()
        assert environ["SCRIPT_NAME"] == "/py"
    finally:
        proc.terminate()
        output = "".join(output) + proc.communicate(timeout=30)[0]
    assert f"serving wsgi-conformance on http://127.0.0.1:{port}/py" in output, output
    assert f"serving node on http://127.0.0.1:{port} " in output, output


def test_rust_calls_out_through_the_host_within_its_grants() -> None:
    """An axum app calls another service with wstd's client (wasi:http/outgoing-handler): a
    granted address answers; a port nothing listens on gives the client ConnectionRefused and
    the instance serves on; an address not granted is refused by the host (the Rust client
    has no check of its own), HTTP-request-denied."""
    import http.server

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = b"hello from the other service"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    target = f"127.0.0.1:{other.server_address[1]}"
    result = build_app(APPS / "axum-caller")
    lines: list[str] = []
    try:
        with Service(result, ServeOptions(port=free_port(), connect=("127.0.0.1:*",)),
                     lambda name, line: lines.append(line)) as service:
            relay = f"{service.url}/relay"
            answer = requests.get(relay, params={"url": f"http://{target}/"}, timeout=30)
            assert (answer.status_code, answer.text) == (200, "200 hello from the other service")
            refused = requests.get(relay, params={"url": f"http://127.0.0.1:{free_port()}/"}, timeout=30)
            assert refused.status_code == 502 and "ConnectionRefused" in refused.text, refused.text
            denied = requests.get(relay, params={"url": f"http://localhost:{other.server_address[1]}/"}, timeout=30)
            assert denied.status_code == 502 and "HttpRequestDenied" in denied.text, denied.text
            again = requests.get(relay, params={"url": f"http://{target}/"}, timeout=30)
            assert again.status_code == 200
    finally:
        other.shutdown()
    assert any(f"add \"localhost:{other.server_address[1]}\" to [capabilities] network.connect" in line
               for line in lines), lines


LINKS_WIT = """package test:links;

interface thing {
  poke: func() -> u32;
}

world bad {
  import thing;
  export wasi:http/incoming-handler@0.2.6;
}

world good {
  export wasi:http/incoming-handler@0.2.6;
}

world provider {
  export thing;
}
"""


def dummy_component(tmp_path: Path, world: str) -> Path:
    """A component of test:links' ``world`` whose functions trap (``wasm-tools component embed --dummy``)."""
    from fabricks import toolchain  # noqa: PLC0415

    wasm_tools = toolchain.require(toolchain.INSPECTOR)
    wit = tmp_path / "wit"
    if not wit.exists():
        shutil.copytree(Path(__file__).resolve().parents[2] / "wit" / "deps", wit / "deps")
        (wit / "world.wit").write_text(LINKS_WIT)
    core, component = tmp_path / f"{world}.core.wasm", tmp_path / f"{world}.wasm"
    subprocess.run([str(wasm_tools), "component", "embed", "--dummy", str(wit), "--world", f"test:links/{world}",
                    "-o", str(core)], check=True)
    subprocess.run([str(wasm_tools), "component", "new", str(core), "-o", str(component)], check=True)
    return component


def test_compile_refuses_a_component_that_imports_what_no_wasi_http_host_provides(tmp_path: Path) -> None:
    """`fabricks-host compile` links the component as `serve` will: one importing an interface
    outside WASI 0.2 fails the build that made it, naming the interface, and leaves no .cwasm;
    the same component without that import compiles."""
    from fabricks import toolchain  # noqa: PLC0415

    host = toolchain.require(toolchain.HOST)
    answers = {}
    for world in ("bad", "good"):
        component, cwasm = dummy_component(tmp_path, world), tmp_path / f"{world}.cwasm"
        proc = subprocess.run([str(host), "compile", str(component), str(cwasm)], capture_output=True, text=True)
        answers[world] = (proc.returncode, proc.stdout, cwasm.exists())
    code, out, made = answers["bad"]
    assert code != 0 and not made
    assert out.startswith("fabricks-error: ") and "imports instance `test:links/thing`" in out and "fabricks-hint: " in out
    assert answers["good"][0] == 0 and answers["good"][2]


def test_plug_satisfies_the_socket_s_import_with_the_plug_s_export(tmp_path: Path) -> None:
    """`fabricks-host plug` (the Python packs' shell is plugged so): the import that kept `bad`
    from compiling is satisfied by `provider`, and the whole compiles; a plug that exports
    nothing the socket imports is refused, and nothing is written."""
    from fabricks import toolchain  # noqa: PLC0415

    host, wasm_tools = toolchain.require(toolchain.HOST), toolchain.require(toolchain.INSPECTOR)
    socket, provider, good = (dummy_component(tmp_path, world) for world in ("bad", "provider", "good"))
    whole = tmp_path / "whole.wasm"
    proc = subprocess.run([str(host), "plug", str(socket), str(provider), str(whole)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    world = subprocess.run([str(wasm_tools), "component", "wit", str(whole)], capture_output=True, text=True,
                           check=True).stdout
    assert "export wasi:http/incoming-handler@0.2.6;" in world and "test:links/thing" not in world.split("}")[0]
    compiled = subprocess.run([str(host), "compile", str(whole), str(tmp_path / "whole.cwasm")], capture_output=True,
                              text=True)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr

    refused = tmp_path / "refused.wasm"
    proc = subprocess.run([str(host), "plug", str(socket), str(good), str(refused)], capture_output=True, text=True)
    assert proc.returncode != 0 and "does not fit" in proc.stderr
    assert not refused.exists() and not refused.with_suffix(".partial").exists()


def test_compile_cache_reuses_functions_and_changes_no_byte(tmp_path: Path) -> None:
    """`fabricks-host compile --cache DIR` (the pipeline's precompile): the first compile fills
    the cache; a second finds most functions there (some keys change between compiles:
    compile_cache.rs); every compile writes the same .cwasm as one without the cache, and as
    the pipeline's own. Above ``--cache-max-mib`` the least recently used entries go."""
    from fabricks import toolchain  # noqa: PLC0415

    host = toolchain.require(toolchain.HOST)
    result = build_app(APPS / "wsgi-conformance")
    cache = tmp_path / "functions"

    def compile_(name: str, *cache_args: str) -> bytes:
        out = tmp_path / f"{name}.cwasm"
        subprocess.run([str(host), "compile", str(result.wasm), str(out), *cache_args], check=True)
        return out.read_bytes()

    def entries() -> list[Path]:
        return [p for p in cache.rglob("*") if p.is_file()]

    plain = compile_("plain")
    first = compile_("first", "--cache", str(cache))
    stored = len(entries())
    second = compile_("second", "--cache", str(cache))
    assert stored > 1000  # libpython's and libc's functions, at least
    assert len(entries()) - stored < stored // 4
    assert plain == first == second == result.cwasm.read_bytes()

    third = compile_("third", "--cache", str(cache), "--cache-max-mib", "2")
    assert third == plain
    assert 0 < sum(p.stat().st_size for p in entries()) <= 2 << 20
