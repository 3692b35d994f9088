"""The embedded default host: ``wasmtime serve`` running a built component.

The host owns the accept loop and calls the component's
``wasi:http/incoming-handler`` per request. Instances are reused (the app's
state persists between requests, as in a gunicorn worker) unless a fresh
instance per request is asked for. Only the environment variables and folders
granted by the Fabrickfile or flags reach the component.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import toolchain
from .errors import ServeError
from .pipeline import BuildResult

IDLE_INSTANCE_TIMEOUT = "600s"
STREAMING_MS = 1000


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: ``port`` on ``host``; ``instance_reuse`` requests per instance (1 = fresh
    each time); ``concurrency`` requests in flight at once (0 = no limit). Each concurrent
    request runs in its own instance, with its own module state, as gunicorn's workers do:
    ``concurrency = 1`` is gunicorn's ``--workers 1``."""

    port: int = 8080
    host: str = "127.0.0.1"
    instance_reuse: int = 1000
    concurrency: int = 0


def grants(result: BuildResult, environ: dict[str, str] | None = None) -> tuple[list[str], list[str], list[str]]:
    """``(dir args, env args, notes)`` for wasmtime from the build's mounts and capabilities.

    ``"NAME"`` env entries take their value from ``environ`` (default: this
    process's environment) and are skipped, with a note, when unset there.
    """
    environ = os.environ if environ is None else environ
    spec = result.spec
    app_root = spec.pack.serve.get("app_root", "/").rstrip("/")
    dirs, envs, notes = [], [], []
    for host, guest in result.mounts:
        dirs += ["--dir", f"{host}::{guest}"]
    for entry in spec.capabilities.read + spec.capabilities.read_write:
        host, _, guest = entry.partition("::")
        if Path(host).is_absolute():
            dirs += ["--dir", f"{host}::{guest or host}"]
        elif entry in spec.capabilities.read_write:
            # Relative folders appear where the app sees its own folder.
            dirs += ["--dir", f"{(spec.app_dir / host).resolve()}::{guest or app_root + '/' + host.strip('/')}"]
        # Relative read-only folders are part of the staged app, already mounted.
    for entry in spec.capabilities.env:
        name, eq, value = entry.partition("=")
        if eq:
            envs += ["--env", f"{name}={value}"]
        elif name in environ:
            envs += ["--env", f"{name}={environ[name]}"]
        else:
            notes.append(f"{name} is granted but not set in this environment; the app will not see it")
    return dirs, envs, notes


def command(result: BuildResult, options: ServeOptions, environ: dict[str, str] | None = None) -> list[str]:
    """The ``wasmtime serve`` command line for ``result``."""
    wasmtime = toolchain.require(toolchain.HOST_TOOLS[0])
    dirs, envs, _ = grants(result, environ)
    wasi = [arg for flag in result.spec.pack.serve.get("wasi", []) for arg in ("-S", flag)]
    reuse = max(1, options.instance_reuse)
    limit = ["--max-concurrent-requests", str(options.concurrency)] if options.concurrency > 0 else []
    return [str(wasmtime), "serve", "--addr", f"{options.host}:{options.port}", *wasi,
            "--max-instance-reuse-count", str(reuse), "--idle-instance-timeout", IDLE_INSTANCE_TIMEOUT, *limit,
            *dirs, *envs, "--allow-precompiled", str(result.cwasm)]


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


def requests_in_flight(port: int) -> int | None:
    """How many connections to local ``port`` have a request the host has not answered yet;
    None where the kernel's socket statistics can't be read (``ss`` from iproute2, Linux).

    A connection is in flight when it has received data after the last data it sent (or
    has received a request and sent nothing yet): a request waits for its response. One
    that sent data within the last STREAMING_MS is taken to be streaming a response. What
    TCP can't tell apart, a response stream paused for longer and an idle keep-alive
    connection, counts as idle (only the host knows; wasmtime serve doesn't say).
    Millisecond resolution: a request pipelined within the millisecond of the previous
    response counts as idle.
    """
    try:
        proc = subprocess.run(["ss", "-tinH", "state", "established", f"( sport = :{port} )"],
                              capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    count = 0
    for info in re.findall(r"^\s+(\S.*)$", proc.stdout, flags=re.MULTILINE):
        stats = dict(re.findall(r"\b(bytes_sent|bytes_received|lastsnd|lastrcv):(\d+)", info))
        received, sent = int(stats.get("bytes_received", 0)), int(stats.get("bytes_sent", 0))
        last_sent = int(stats.get("lastsnd", 0))
        if received and (not sent or int(stats.get("lastrcv", 0)) < last_sent or last_sent < STREAMING_MS):
            count += 1
    return count


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Service:
    """One running component. ``on_line(name, line)`` receives its log lines."""

    def __init__(self, result: BuildResult, options: ServeOptions,
                 on_line: Callable[[str, str], None] | None = None, environ: dict[str, str] | None = None) -> None:
        self.result, self.options = result, options
        self.name = result.spec.name
        self.on_line = on_line or (lambda name, line: None)
        self.environ = environ
        self.process: subprocess.Popen | None = None
        self._pump: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}"

    def start(self, timeout: float = 60.0) -> "Service":
        """Start wasmtime serve and wait until the port accepts connections.

        Raises ServeError if the port is taken or the host exits or does not come up.
        """
        if not port_free(self.options.host, self.options.port):
            raise ServeError(f"port {self.options.port} on {self.options.host} is already in use",
                             hint="Stop what is using it, or pass --port with another port.")
        argv = command(self.result, self.options, self.environ)
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
                raise ServeError(f"wasmtime serve exited with status {self.process.returncode}",
                                 hint="See its output below.", output="\n".join(self._tail[-30:]))
            try:
                with socket.create_connection((self.options.host, self.options.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ServeError(f"wasmtime serve did not accept connections within {timeout:.0f} s")

    def _read_output(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self._tail = (self._tail + [line])[-50:]
            self.on_line(self.name, line)

    def wait(self) -> int:
        assert self.process
        return self.process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully: in-flight requests finish (for at most ``timeout`` seconds), then
        the host goes at once.

        SIGINT (as Ctrl-C) makes wasmtime serve stop accepting, but it then waits for every
        open connection to close, idle keep-alive ones (a browser's) included. Once no
        request is in flight (:func:`requests_in_flight`), the host is killed instead of
        waited for; where that can't be told, it gets the whole ``timeout``.
        """
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            deadline = time.monotonic() + timeout
            while self.process.poll() is None and time.monotonic() < deadline:
                if requests_in_flight(self.options.port) == 0:
                    break
                time.sleep(0.02)
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        if self._pump:
            self._pump.join(timeout=2)

    def __enter__(self) -> "Service":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
