"""The differential harness: the same requests to an app served natively and as a component.

Reusable by every pack: a :class:`NativeServer` runs any command that serves the
app on a port (gunicorn, uvicorn, node, a Rust binary); a :class:`ComponentServer`
builds the app through the real pipeline and serves it with the real host
(fabricks-host). :func:`assert_same` compares status, the headers that matter
and the body.
"""

from __future__ import annotations

import datetime
import email.utils
import http.client
import http.cookiejar
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from fabricks import cache
from fabricks._toml import tomllib
from fabricks.host import ServeOptions, Service
from fabricks.packs import Registry
from fabricks.pipeline import BuildResult, build
from fabricks.resolve import Flags, resolve

# Headers that differ between any two servers, whatever the app does.
SERVER_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding"})
# Headers whose comma-separated values are a set: frameworks build them from Python sets,
# whose order changes with each process's hash seed (Flask's and Django's Allow).
UNORDERED_HEADERS = frozenset({"allow"})
# Headers holding an HTTP-date taken from the clock as the response is made (Django's
# never_cache sets Expires to now): the two servers answer a moment apart, so the dates
# may straddle a second.
CLOCK_HEADERS = frozenset({"expires"})
CLOCK_SLACK = datetime.timedelta(seconds=5)
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


class NativeServer:
    """Runs ``argv`` (with ``{port}`` substituted) in ``cwd`` and waits for the port."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.cwd, self.env = cwd, env
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "NativeServer":
        env = {**os.environ, **{k: v.replace("{port}", str(self.port)) for k, v in (self.env or {}).items()}}
        self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        try:
            wait_for_port(self.port, self.process)
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def built_from_recipes(deps: Path) -> list[str]:
    """``name==version`` of each distribution in ``deps`` whose wheel is a wasm32-wasi build of a
    PyPI project. Builds of Fabricks' own sources (a local version, ``0.1.0+src.<hash>``:
    fabricks-hashlib) are left out: no index has them, and the host's CPython has what they add."""
    pins = []
    for wheel in deps.glob("*.dist-info/WHEEL"):
        if "wasi_0_0_0_wasm32" in wheel.read_text():
            name, version = wheel.parent.name.removesuffix(".dist-info").rsplit("-", 1)
            if "+" not in version:
                pins.append(f"{name}=={version}")
    return sorted(pins)


def native_overlay(pins: list[str]) -> Path:
    """The host's own wheels of ``pins`` (same versions), installed once per machine."""
    folder = cache.root() / "native-overlay" / "-".join(pins) / f"py{sys.version_info[0]}{sys.version_info[1]}"
    with cache.locked("native-overlay"):  # parallel test workers install it once
        if not (folder / ".done").is_file():
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--only-binary=:all:",
                            "--target", str(folder), *pins], check=True)
            (folder / ".done").touch()
    return folder


def same_dependencies(result: BuildResult | None) -> dict[str, str]:
    """Environment that makes a native Python import the component's own dependency versions.

    The dependencies staged for the component are pure Python, so the host's interpreter
    can run them too: both sides then run the very same framework release. A distribution
    built for wasm32-wasi from a recipe (pydantic-core) can't load natively: the host's own
    wheel of the same version goes first on the path.
    """
    deps = result.outputs.get("deps") if result else None
    if not deps:
        return {}
    pins = built_from_recipes(Path(deps))
    return {"PYTHONPATH": os.pathsep.join([*([str(native_overlay(pins))] if pins else []), str(deps)])}


def gunicorn(app_dir: Path, app: str, env: dict[str, str] | None = None,
             result: BuildResult | None = None) -> NativeServer:
    """The app under gunicorn (one sync worker), the WSGI baseline, with ``result``'s dependencies."""
    return NativeServer([sys.executable, "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", app],
                        cwd=app_dir, env={**same_dependencies(result), **(env or {})})


def uvicorn(app_dir: Path, app: str, env: dict[str, str] | None = None,
            result: BuildResult | None = None) -> NativeServer:
    """The app under uvicorn (one process, lifespan auto), the ASGI baseline."""
    return NativeServer([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "{port}",
                         "--lifespan", "auto", "--no-access-log"],
                        cwd=app_dir, env={**same_dependencies(result), **(env or {})})


NATIVE_NODE = Path(__file__).resolve().parents[1] / "native-node"


def _node_server(script: str, app_dir: Path, app: str, env: dict[str, str] | None,
                 result: BuildResult | None) -> NativeServer:
    """``node tests/native-node/SCRIPT APP PORT [HANDLER]`` in ``app_dir`` (a test's copy of the
    app), with the component's staged node_modules linked in, so both sides run the same
    dependency releases."""
    deps = result.outputs.get("deps") if result else None
    link = app_dir / "node_modules"
    if deps and not link.exists():
        link.symlink_to(Path(deps) / "node_modules", target_is_directory=True)
    handler = result.spec.options.get("handler", "") if result else ""
    # A TypeScript entry runs as its users run it on Node 20 (which can't strip types): with tsx.
    loader = ["--import", (NATIVE_NODE / "node_modules" / "tsx" / "dist" / "loader.mjs").as_uri()] \
        if app.endswith((".ts", ".mts", ".cts", ".tsx")) else []
    # Node runs in the mode the component was built in (the pack's node_env, "production"
    # unless the Fabrickfile says otherwise), as the app's users deploy it.
    mode = result.spec.options.get("node_env", "production") if result else "production"
    return NativeServer(["node", *loader, str(NATIVE_NODE / script), app, "{port}", *([handler] if handler else [])],
                        cwd=app_dir, env={**({"NODE_ENV": mode} if mode else {}), **(env or {})})


def node_fetch(app_dir: Path, app: str, env: dict[str, str] | None = None,
               result: BuildResult | None = None) -> NativeServer:
    """The app's fetch handler on @hono/node-server (Node on the host), the node-hono baseline."""
    return _node_server("serve-fetch.mjs", app_dir, app, env, result)


def node_http(app_dir: Path, app: str, env: dict[str, str] | None = None,
              result: BuildResult | None = None) -> NativeServer:
    """The app on Node's own node:http (serve-node.mjs), the node-express baseline."""
    return _node_server("serve-node.mjs", app_dir, app, env, result)


def cargo_native(app_dir: Path, app: str, env: dict[str, str] | None = None,
                 result: BuildResult | None = None) -> NativeServer:
    """The crate's own binary, whose ``main`` runs ``axum::serve`` on tokio at ``PORT``: the
    rust-axum baseline, built natively (release) from the same Cargo.lock as the component."""
    manifest = tomllib.loads((app_dir / "Cargo.toml").read_text())
    name = manifest["package"]["name"]
    target = cache.root() / "rust-native-target"
    build_env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", name], cwd=app_dir, env=build_env,
                   check=True, timeout=900)
    return NativeServer([str(target / "release" / name)], cwd=app_dir, env={"PORT": "{port}", **(env or {})})


def cgi_http_server(app_dir: Path, app: str, env: dict[str, str] | None = None,
                    result: BuildResult | None = None) -> NativeServer:
    """Python's own CGI server (``python -m http.server --cgi``: CGIHTTPRequestHandler) in the
    app folder: a process per request, for the scripts under /cgi-bin. It answers every script
    with 200 and passes a Status or Location field on as a header (it does not read the
    output), and passes only some request headers (Accept, User-Agent, Cookie, Referer)."""
    assert app.strip("/") == "cgi-bin", f"http.server serves scripts from cgi-bin/ only, not {app!r}"
    # As root it runs each script as `nobody`, who may not read the test's folder or the
    # interpreter under /root: the scripts run as the test's own user instead.
    serve = ("import http.server as s, os, sys; s.nobody_uid = os.getuid; "
             "s.test(HandlerClass=s.CGIHTTPRequestHandler, port=int(sys.argv[1]), bind='127.0.0.1')")
    return NativeServer([sys.executable, "-c", serve, "{port}"], cwd=app_dir,
                        env={**same_dependencies(result), **(env or {})})


# The native baseline of each pack, by pack name.
NATIVE_SERVERS = {"python-wsgi": gunicorn, "python-asgi": uvicorn, "node-hono": node_fetch, "node-express": node_http,
                  "rust-axum": cargo_native, "python-cgi": cgi_http_server}


def native_server(app_dir: Path, result: BuildResult, env: dict[str, str] | None = None) -> NativeServer:
    """The same app, served natively by its pack's baseline server with the same dependencies."""
    return NATIVE_SERVERS[result.spec.pack.name](app_dir, result.spec.app, env=env, result=result)


def build_app(app_dir: Path, flags: Flags = Flags()) -> BuildResult:
    """Build through the real pipeline (cached per machine)."""
    return build(resolve(app_dir, Registry.discover(), flags))


class ComponentServer:
    """A built component served by the host (``fabricks-host``) on a free port."""

    def __init__(self, result: BuildResult, env: dict[str, str] | None = None, instance_reuse: int = 0,
                 concurrency: int = 1) -> None:
        """``concurrency = 1`` mirrors the one-worker native baselines: one instance, one state."""
        self.port = free_port()
        self.lines: list[str] = []
        environ = {**os.environ, **(env or {})}
        options = ServeOptions(port=self.port, instance_reuse=instance_reuse, concurrency=concurrency)
        self.service = Service(result, options,
                               lambda name, line: self.lines.append(line), environ)
        self.url = self.service.url

    def __enter__(self) -> "ComponentServer":
        self.service.start()
        session = requests.Session()
        # Only the connection is kept: cookies are sent only when a request says so, as natively.
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        _SESSIONS[self.url] = session
        return self

    def __exit__(self, *exc: Any) -> None:
        session = _SESSIONS.pop(self.url, None)
        if session is not None:
            session.close()
        self.service.stop()

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def log_contains(self, text: str, timeout: float = 10.0) -> bool:
        """Whether ``text`` shows up in the log within ``timeout`` s (logs arrive asynchronously)."""
        deadline = time.monotonic() + timeout
        while text not in self.log:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


@dataclass
class Req:
    """One request of a differential test, and what to leave out of the comparison."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    ignore_headers: frozenset[str] = frozenset()
    compare_body: bool = True

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


# Components are sent requests on one kept-alive connection, as a browser would send them.
_SESSIONS: dict[str, requests.Session] = {}


def send(base: str, req: Req) -> requests.Response:
    """Send ``req`` to ``base``: on a kept-alive connection for a component, a new one otherwise.

    A browser keeps its connection; fabricks-host gives a client's next request to the
    instance that served its last, so state holds either way (tests/e2e/test_host.py).
    The native baselines get a connection per request: uvicorn closes a kept-alive
    connection after an app exception without saying so, and gunicorn's sync workers
    close every connection anyway.
    """
    session = _SESSIONS.get(base) or requests
    return session.request(req.method, base + req.path, headers=req.headers, data=req.body,
                           allow_redirects=False, timeout=TIMEOUT)


def assert_instance_survives(component: "ComponentServer", failing: str, rounds: int = 10) -> None:
    """Assert that an instance whose app raised at ``failing`` goes on serving, state intact.

    The app counts every request and answers ``/count`` with the count. A trap would kill
    the instance, so every ``/count`` after a failure would find a fresh one (count 1 or 2).
    After a request that logged (a traceback), the host takes some milliseconds to return the
    instance to its pool; a request arriving first goes to a second instance, which then gets the
    ``/count`` requests while the first takes the failures. Either way one surviving
    instance counts at least half the rounds; hence a bound, not an exact number.
    """
    counts = []
    for _ in range(rounds):
        assert send(component.url, Req("GET", failing)).status_code == 500
        counts.append(int(send(component.url, Req("GET", "/count")).text))
    assert max(counts) >= rounds // 2 + 1, counts


def assert_client_gone_is_no_error(component: "ComponentServer", path: str) -> None:
    """Assert that a client closing its connection after 64 KiB of GET ``path`` (a long body)
    is no error: nothing logged as the app's failure, and the instance serves on with its state.

    The app counts every request and answers ``/count`` with the count (one instance:
    ``concurrency`` 1, so the requests after wait for it).
    """
    before = int(send(component.url, Req("GET", "/count")).text)
    parts = urlsplit(component.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 200 and len(response.read(65536)) == 65536
    connection.close()
    counts = [int(send(component.url, Req("GET", "/count")).text) for _ in range(5)]
    assert counts == list(range(before + 2, before + 7)), (before, counts, component.log)
    assert "Error handling" not in component.log and "Uncaught" not in component.log, component.log


def assert_streams(url: str, first: bytes = b"first\n", rest: bytes = b"second\n", pause: float = 1.0) -> None:
    """Assert that ``url`` sends ``first`` before the app's pause of over ``pause`` s, then
    ``rest``: the first chunk reached the client before the body was done (not collected)."""
    started = time.monotonic()
    with requests.get(url, stream=True, timeout=30) as response:
        chunks = response.iter_content(chunk_size=None)
        got_first = next(chunks)
        first_at = time.monotonic() - started
        got_rest = b"".join(chunks)
        done_at = time.monotonic() - started
    assert got_first == first and got_rest == rest
    assert first_at < pause < done_at, (first_at, done_at)


def assert_truncated(servers: tuple, path: str) -> None:
    """Assert that no server gives a complete response to GET ``path``, whose app fails mid-body.

    A server may close the connection before its headers are even flushed (uvicorn; hyper
    in wasmtime when the body fails before it wrote them), or end a chunked body early.
    """
    for server in servers:
        with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            requests.get(server.url + path, timeout=TIMEOUT).content


def set_cookies(response: requests.Response) -> list[str]:
    return list(response.raw.headers.getlist("Set-Cookie"))


def comparable(response: requests.Response, req: Req) -> dict[str, Any]:
    """The parts of a response that must match: status, headers (repeats kept), body."""
    ignored = SERVER_HEADERS | {h.lower() for h in req.ignore_headers}
    headers: dict[str, list[str]] = {}
    for name, value in response.raw.headers.items():
        name = name.lower()
        if name in UNORDERED_HEADERS:
            value = ", ".join(sorted(v.strip() for v in value.split(",")))
        if name == "content-type":
            # Media type parameters may be written with or without a space after ";"
            # (RFC 9110 section 5.6.6): Fetch writes none, @hono/node-server one.
            value = ";".join(part.strip() for part in value.split(";"))
        if name not in ignored:
            headers.setdefault(name, []).append(value)
    return {"status": response.status_code, "headers": headers,
            "body": response.content if req.compare_body else None}


def assert_same(native: requests.Response, component: requests.Response, req: Req) -> None:
    """Assert the component answered ``req`` as the native server did.

    Content-Length is compared only when both sent one: a server may stream
    (chunked) what the other sends with a length.
    """
    a, b = comparable(native, req), comparable(component, req)
    if "content-length" not in a["headers"] or "content-length" not in b["headers"]:
        a["headers"].pop("content-length", None)
        b["headers"].pop("content-length", None)
    for name in CLOCK_HEADERS & a["headers"].keys() & b["headers"].keys():
        if _close_dates(a["headers"][name], b["headers"][name]):
            b["headers"][name] = a["headers"][name]
    assert b["status"] == a["status"], f"{req}: status {b['status']} != native {a['status']}"
    assert b["headers"] == a["headers"], f"{req}: headers differ:\n component {b['headers']}\n native    {a['headers']}"
    assert b["body"] == a["body"], f"{req}: body differs"


def _close_dates(native: list[str], component: list[str]) -> bool:
    """Whether two lists of HTTP-dates (RFC 9110 section 5.6.7) pair up within CLOCK_SLACK."""
    if len(native) != len(component):
        return False
    try:
        pairs = [(email.utils.parsedate_to_datetime(a), email.utils.parsedate_to_datetime(b))
                 for a, b in zip(native, component)]
    except (TypeError, ValueError):  # not a date ("0", "-1"): compared as written
        return False
    return all(abs(a - b) <= CLOCK_SLACK for a, b in pairs)


def both(servers: tuple, req: Req) -> requests.Response:
    """Send ``req`` to ``(native, component)`` servers, assert the answers match, return the component's."""
    native, component = servers
    expected, actual = send(native.url, req), send(component.url, req)
    assert_same(expected, actual, req)
    return actual
