"""The embedded default host: ``fabricks-host`` (``host/``, on the wasmtime and
wasmtime-wasi-http crates) serving a built component.

The host owns the accept loop and calls the component's
``wasi:http/incoming-handler`` per request. Instances are reused (the app's
state persists between requests, as in a gunicorn worker) unless a fresh
instance per request is asked for, and a client's next request reaches the
instance that served its last one (``host/src/pool.rs``). Only the environment
variables, folders and outbound hosts granted by the Fabrickfile or flags reach
the component.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import toolchain
from .errors import ServeError
from .fabrickfile import HealthCheck
from .pipeline import BuildResult

IDLE_INSTANCE_TIMEOUT_SECONDS = 600
GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: ``port`` on ``host``; ``instance_reuse`` requests per instance (1 = fresh
    each time, 0 = no limit); ``concurrency`` instances at once (0 = one per request in
    flight; more requests wait for one). Each concurrent request runs in its own instance,
    with its own module state, as gunicorn's workers do: ``concurrency = 1`` is gunicorn's
    ``--workers 1``. ``connect``: outbound ``host:port`` patterns granted for this run, over
    the Fabrickfile's ``network.connect``. ``verbose``: the host logs each instance it starts."""

    port: int = 8080
    host: str = "127.0.0.1"
    instance_reuse: int = 0
    concurrency: int = 0
    connect: tuple[str, ...] = field(default_factory=tuple)
    verbose: bool = False


def grants(result: BuildResult, environ: dict[str, str] | None = None) -> tuple[list[dict], list[list[str]], list[str]]:
    """``(dirs, env, notes)`` for the host from the build's mounts and capabilities: dirs as
    ``{"host", "guest", "writable"}``, env as ``[name, value]``.

    ``"NAME"`` env entries take their value from ``environ`` (default: this
    process's environment) and are skipped, with a note, when unset there.
    """
    environ = os.environ if environ is None else environ
    spec = result.spec
    app_root = spec.pack.component.app_root.rstrip("/")
    dirs: list[dict] = []
    envs: list[list[str]] = []
    notes: list[str] = []
    for host, guest in result.mounts:
        dirs.append({"host": str(host), "guest": guest, "writable": False})
    for entry in spec.capabilities.read + spec.capabilities.read_write:
        host, _, guest = entry.partition("::")
        writable = entry in spec.capabilities.read_write
        if Path(host).is_absolute():
            dirs.append({"host": host, "guest": guest or host, "writable": writable})
        elif writable:
            # Relative folders appear where the app sees its own folder.
            dirs.append({"host": str((spec.app_dir / host).resolve()),
                         "guest": guest or app_root + "/" + host.strip("/"), "writable": True})
        # Relative read-only folders are part of the staged app, already mounted.
    for entry in spec.capabilities.env:
        name, eq, value = entry.partition("=")
        if eq:
            envs.append([name, value])
        elif name in environ:
            envs.append([name, environ[name]])
        else:
            notes.append(f"{name} is granted but not set in this environment; the app will not see it")
    return dirs, envs, notes


def service_config(result: BuildResult, options: ServeOptions, environ: dict[str, str] | None = None,
                   route: str = "/") -> dict:
    """One service of the host's configuration (``host/src/config.rs``) for ``result``."""
    dirs, envs, _ = grants(result, environ)
    return {"name": result.spec.name, "route": route, "component": str(result.cwasm), "dirs": dirs, "env": envs,
            "connect": [*result.spec.capabilities.network, *options.connect],
            "instance_reuse": max(0, options.instance_reuse), "max_instances": max(0, options.concurrency),
            "idle_timeout_seconds": IDLE_INSTANCE_TIMEOUT_SECONDS}


def host_config(services: list[dict], options: ServeOptions) -> dict:
    """The host's whole configuration: ``services`` on ``options.host:options.port``."""
    return {"addr": f"{options.host}:{options.port}", "grace_seconds": GRACE_SECONDS, "verbose": options.verbose,
            "services": services}


def command(config_file: Path) -> list[str]:
    """The ``fabricks-host serve`` command line for a configuration written to ``config_file``."""
    return [str(toolchain.require(toolchain.HOST)), "serve", str(config_file)]


def _prctl():
    """libc's prctl, looked up in the parent: a child between fork and exec must not dlopen."""
    try:
        import ctypes  # noqa: PLC0415 - Linux only

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: the CLI's own handlers still stop the host
        return None


_PRCTL = _prctl() if os.name == "posix" else None


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the process that started it dies (Linux'
    PR_SET_PDEATHSIG), so a killed ``fabricks service run`` leaves no host holding its port.
    (The signal follows the *thread* that forked: Services are started from the main thread.)"""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Service:
    """One running host serving ``result`` (or several results by route, see ``routes``).
    ``on_line(name, line)`` receives its log lines."""

    def __init__(self, result: BuildResult, options: ServeOptions,
                 on_line: Callable[[str, str], None] | None = None, environ: dict[str, str] | None = None,
                 routes: list[tuple[str, BuildResult, ServeOptions, dict[str, str] | None]] | None = None) -> None:
        """``routes``: several services on this host's one address, as ``(route, result,
        options, environ)``; the longest route that prefixes a path serves it. Without it,
        ``result`` is served at ``/``."""
        self.result, self.options = result, options
        self.name = result.spec.name
        self.on_line = on_line or (lambda name, line: None)
        self.environ = environ
        self.routes = routes
        self.process: subprocess.Popen | None = None
        self._pump: threading.Thread | None = None
        self._config_dir: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}"

    def config(self) -> dict:
        """The host's configuration for this service (or its routes)."""
        mounted = self.routes or [("/", self.result, self.options, self.environ)]
        return host_config([service_config(r, o, e, route) for route, r, o, e in mounted], self.options)

    def start(self, timeout: float = 60.0) -> "Service":
        """Start the host and wait until the port accepts connections.

        Raises ServeError if the port is taken or the host exits or does not come up.
        """
        if not port_free(self.options.host, self.options.port):
            raise ServeError(f"port {self.options.port} on {self.options.host} is already in use",
                             hint="Stop what is using it, or pass --port with another port.")
        self._config_dir = tempfile.TemporaryDirectory(prefix="fabricks-host-")
        config_file = Path(self._config_dir.name) / "host.json"
        config_file.write_text(json.dumps(self.config(), indent=2))
        argv = command(config_file)
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        errors="replace", bufsize=1, start_new_session=True,
                                        preexec_fn=_die_with_parent if _PRCTL is not None else None)
        self._tail: list[str] = []
        self._pump = threading.Thread(target=self._read_output, daemon=True)
        self._pump.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._pump.join(timeout=2)
                self._cleanup()
                raise ServeError(f"the host exited with status {self.process.returncode}",
                                 hint="See its output below.", output="\n".join(self._tail[-30:]))
            try:
                with socket.create_connection((self.options.host, self.options.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ServeError(f"the host did not accept connections within {timeout:.0f} s")

    def _read_output(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self._tail = (self._tail + [line])[-50:]
            self.on_line(self.name, line)

    def wait(self) -> int:
        assert self.process
        return self.process.wait()

    def _cleanup(self) -> None:
        if self._config_dir is not None:
            self._config_dir.cleanup()
            self._config_dir = None

    def stop(self, timeout: float = GRACE_SECONDS + 2) -> None:
        """Stop gracefully: SIGTERM makes the host stop accepting, close idle keep-alive
        connections and let in-flight requests finish (for its grace period); with nothing
        in flight it exits at once. SIGKILL if it is still there after ``timeout`` seconds."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
            except ProcessLookupError:
                pass
        if self._pump:
            self._pump.join(timeout=2)
        self._cleanup()

    def __enter__(self) -> "Service":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def check_health(url: str, check: HealthCheck, fabrickfile: Path | None = None) -> None:
    """Probe ``url`` (the service's address and ``check.path``) as the Fabrickfile's
    ``[health_check.http]`` says: up to ``check.retries`` tries, each within ``check.timeout``
    seconds, until one answers ``check.expected_status``. Raises ServeError naming the last answer."""
    import urllib.error
    import urllib.request

    last = "no answer"
    for attempt in range(max(1, check.retries)):
        if attempt:
            time.sleep(min(check.interval, 1.0))  # at start-up, not the periodic interval
        try:
            request = urllib.request.Request(url, method=check.method)
            with urllib.request.urlopen(request, timeout=check.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (OSError, ValueError) as error:
            last = f"no answer ({error})"
            continue
        if status == check.expected_status:
            return
        last = f"status {status}"
    raise ServeError(f"the health check {check.method} {url} got {last}, not {check.expected_status}",
                     path=fabrickfile, hint="Fix the app's health route, or the [health_check.http] path "
                                            "and expected_status in the Fabrickfile.")
