"""The servers compared: each pack's native baselines as users deploy them, and the component.

Native baselines (one worker per core where the server has workers):
- WSGI: gunicorn, sync workers, ``-w $(nproc)``;
- ASGI: uvicorn[standard] (httptools, uvloop), ``--workers $(nproc)``;
- Node: one ``node`` process, and node:cluster with one process per core
  (tests/native-node/serve-cluster.mjs around the tests' serve-node.mjs / serve-fetch.mjs);
- Rust: the crate's own binary (``axum::serve`` on tokio's multi-threaded runtime), release build.
Python baselines import the example's pinned requirements.txt installed for the host's own
interpreter (native wheels: MarkupSafe's speedups, pydantic-core), as a user's deploy would.

The component is served through the same code path as ``fabricks service run`` (fabricks.host.Service)
with the Fabrickfile's [serve] settings or their defaults (instance reuse on, no concurrency
limit); a second component server takes a fresh instance per request (``--fresh-instances``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from fabricks import cache
from fabricks._toml import tomllib
from fabricks.host import ServeOptions, Service
from fabricks.pipeline import BuildResult

ROOT = Path(__file__).resolve().parents[1]
NATIVE_NODE = ROOT / "tests" / "native-node"


def cores() -> int:
    """CPU cores this process may use (what ``nproc`` prints)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_status(url: str, timeout_s: float = 2.0) -> int:
    """The status of GET ``url`` (0 when no answer)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def wait_for_200(url: str, timeout_s: float = 60.0, alive=lambda: True, poll_s: float = 0.01) -> float:
    """Poll GET ``url`` until it answers 200; return the seconds waited. Raises RuntimeError when
    ``alive()`` turns false or ``timeout_s`` passes."""
    started = time.perf_counter()
    last = 0
    while time.perf_counter() - started < timeout_s:
        if not alive():
            raise RuntimeError(f"the server exited before answering {url}")
        last = get_status(url, timeout_s=5.0)
        if last == 200:
            return time.perf_counter() - started
        time.sleep(poll_s)
    raise RuntimeError(f"{url} did not answer 200 within {timeout_s:.0f} s (last status {last})")


class Server:
    """A server under test: ``label`` (shown in the tables), ``kind`` ("native" or "component"),
    ``url`` (no trailing slash) and ``pid``, the root of the process tree whose RSS counts."""

    label: str
    kind: str
    url: str

    @property
    def pid(self) -> int:
        raise NotImplementedError

    def alive(self) -> bool:
        raise NotImplementedError

    def __enter__(self) -> "Server":
        raise NotImplementedError

    def __exit__(self, *exc: Any) -> None:
        raise NotImplementedError


class NativeProcess(Server):
    """``argv`` (``{port}`` substituted) run in ``cwd``; its output goes to a temporary file
    (shown if it fails), never to a pipe that could fill up during a long run."""

    kind = "native"

    def __init__(self, label: str, argv: list[str], cwd: Path, env: dict[str, str], probe: str = "/") -> None:
        self.label, self.cwd, self.probe = label, cwd, probe
        self.port = free_port()
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.env = {**os.environ, **{k: v.replace("{port}", str(self.port)) for k, v in env.items()}}
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile(mode="w+")

    @property
    def pid(self) -> int:
        assert self.process
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> "NativeProcess":
        self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_200(self.url + self.probe, alive=self.alive)
        except Exception as error:
            self.__exit__()
            self._log.seek(0)
            raise RuntimeError(f"{self.label}: {error}\n{self._log.read()[-3000:]}") from None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.alive():
            assert self.process
            self.process.terminate()  # gunicorn, uvicorn and the cluster stop their workers on SIGTERM
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)  # its own session: only the tree this benchmark started
                self.process.wait()


class ComponentServer(Server):
    """The built component under fabricks-host, through fabricks.host.Service; ``fresh`` takes a
    new instance per request, otherwise the build's [serve] settings (defaults: reuse on)."""

    kind = "component"

    def __init__(self, result: BuildResult, env: dict[str, str], fresh: bool = False, probe: str = "/") -> None:
        serve = result.spec.serve
        self.label = "component, fresh instance per request" if fresh else "component (service run defaults)"
        self.probe = probe
        options = ServeOptions(port=free_port(), instance_reuse=1 if fresh else serve.instance_reuse,
                               concurrency=serve.concurrency)
        self.lines: list[str] = []
        self.service = Service(result, options, lambda name, line: self.lines.append(line),
                               {**os.environ, **env})
        self.url = self.service.url

    @property
    def pid(self) -> int:
        assert self.service.process
        return self.service.process.pid

    def alive(self) -> bool:
        return self.service.process is not None and self.service.process.poll() is None

    def __enter__(self) -> "ComponentServer":
        self.service.start()
        try:
            wait_for_200(self.url + self.probe, alive=self.alive)
        except Exception as error:
            self.service.stop()
            raise RuntimeError(f"{self.label}: {error}\n" + "\n".join(self.lines[-30:])) from None
        return self

    def __exit__(self, *exc: Any) -> None:
        self.service.stop()


# -- native baselines, by pack ------------------------------------------------------------------

def native_python_path(app_dir: Path) -> dict[str, str]:
    """``PYTHONPATH`` holding the app's requirements.txt (pinned) installed for this interpreter,
    once per machine, under the build cache (bench-native/)."""
    requirements = app_dir / "requirements.txt"
    if not requirements.is_file():
        return {}
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
    key = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    folder = cache.root() / "bench-native" / f"{app_dir.name}-{key}-{tag}"
    if not (folder / ".done").is_file():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--target", str(folder), "-r", str(requirements)], check=True)
        (folder / ".done").touch()
    return {"PYTHONPATH": str(folder)}


def gunicorn(app_dir: Path, result: BuildResult, env: dict[str, str], probe: str) -> list[Server]:
    workers = cores()
    return [NativeProcess(f"gunicorn, {workers} sync workers",
                          [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", "127.0.0.1:{port}",
                           "--log-level", "warning", result.spec.app],
                          app_dir, {**native_python_path(app_dir), **env}, probe)]


def uvicorn(app_dir: Path, result: BuildResult, env: dict[str, str], probe: str) -> list[Server]:
    workers = cores()
    return [NativeProcess(f"uvicorn[standard], {workers} workers",
                          [sys.executable, "-m", "uvicorn", result.spec.app, "--host", "127.0.0.1", "--port", "{port}",
                           "--workers", str(workers), "--http", "httptools", "--loop", "uvloop",
                           "--lifespan", "auto", "--no-access-log", "--log-level", "warning"],
                          app_dir, {**native_python_path(app_dir), **env}, probe)]


def _node(script: str, app_dir: Path, result: BuildResult, env: dict[str, str], probe: str) -> list[Server]:
    """One node process, and a node:cluster of one process per core, on the component's own
    staged node_modules (the same dependency releases on both sides)."""
    deps = result.outputs.get("deps")
    link = app_dir / "node_modules"
    if deps and not link.exists():
        link.symlink_to(Path(deps) / "node_modules", target_is_directory=True)
    app, handler = result.spec.app, result.spec.options.get("handler", "")
    loader = ["--import", (NATIVE_NODE / "node_modules" / "tsx" / "dist" / "loader.mjs").as_uri()] \
        if app.endswith((".ts", ".mts", ".cts", ".tsx")) else []
    args = [app, "{port}", *([handler] if handler else [])]
    # As deployed: NODE_ENV as the component was built with it (the pack's node_env option).
    mode = result.spec.options.get("node_env", "production")
    env = {**({"NODE_ENV": mode} if mode else {}), **env}
    workers = cores()
    return [NativeProcess("node, 1 process", ["node", *loader, str(NATIVE_NODE / script), *args], app_dir, env, probe),
            NativeProcess(f"node cluster, {workers} processes",
                          ["node", *loader, str(NATIVE_NODE / "serve-cluster.mjs"), script, *args],
                          app_dir, {"WORKERS": str(workers), **env}, probe)]


def node_http(app_dir: Path, result: BuildResult, env: dict[str, str], probe: str) -> list[Server]:
    return _node("serve-node.mjs", app_dir, result, env, probe)


def node_fetch(app_dir: Path, result: BuildResult, env: dict[str, str], probe: str) -> list[Server]:
    return _node("serve-fetch.mjs", app_dir, result, env, probe)


def axum_serve(app_dir: Path, result: BuildResult, env: dict[str, str], probe: str) -> list[Server]:
    """The crate's own binary (its ``main`` runs ``axum::serve`` at ``PORT``), ``cargo build --release``
    from the same Cargo.lock as the component (as tests/e2e/harness.py's cargo_native builds it)."""
    name = tomllib.loads((app_dir / "Cargo.toml").read_text())["package"]["name"]
    target = cache.root() / "rust-native-target"
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", name], cwd=app_dir,
                   env={**os.environ, "CARGO_TARGET_DIR": str(target)}, check=True, timeout=1800)
    return [NativeProcess("axum::serve (release)", [str(target / "release" / name)], app_dir,
                          {"PORT": "{port}", **env}, probe)]


BASELINES = {"python-wsgi": gunicorn, "python-asgi": uvicorn, "node-express": node_http, "node-hono": node_fetch,
             "rust-axum": axum_serve}


def natives(app_dir: Path, result: BuildResult, env: dict[str, str], probe: str = "/") -> list[Server]:
    """The native baselines of ``result``'s pack, serving the copy of the app in ``app_dir``."""
    return BASELINES[result.spec.pack.name](app_dir, result, env, probe)
