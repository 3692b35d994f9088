"""Cold start: from starting ``fabricks service run APP`` (its build cached) to the first 200.

This is what a user waits for after a deploy or a restart: the CLI's own start (Python, reading the
Fabrickfile, hashing the app to find the cached build), wasmtime loading the precompiled .cwasm,
and the first request (a fresh instance of the pre-initialized snapshot).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.baselines import free_port, get_status
from bench.rss import tree

FABRICKS = Path(sys.executable).with_name("fabricks")


def service_run_ms(app_dir: Path, path: str, env: dict[str, str], timeout_s: float = 120.0) -> float:
    """Milliseconds from spawning ``fabricks service run app_dir`` to the first 200 on ``path``
    (polled every 5 ms); the service is stopped (SIGINT, as Ctrl-C) before returning."""
    port = free_port()
    with tempfile.TemporaryFile(mode="w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen([str(FABRICKS), "service", "run", str(app_dir), "--port", str(port)],
                                   env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        spawned: set[tuple[int, str]] = set()
        try:
            while True:
                if get_status(f"http://127.0.0.1:{port}{path}", timeout_s=5.0) == 200:
                    return (time.perf_counter() - started) * 1000
                spawned.update(_identified(tree(process.pid)[1:]))
                if process.poll() is not None or time.perf_counter() - started > timeout_s:
                    log.seek(0)
                    raise RuntimeError(f"fabricks service run {app_dir}: no 200 on {path}\n{log.read()[-3000:]}")
                time.sleep(0.005)
        finally:
            spawned.update(_identified(tree(process.pid)[1:]))
            _stop(process, spawned)


def _start_time(pid: int) -> str:
    """Field 22 of /proc/PID/stat (the process's start time): tells a pid from a later reuse of it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _identified(pids: list[int]) -> set[tuple[int, str]]:
    return {(pid, _start_time(pid)) for pid in pids}


def _stop(process: subprocess.Popen, spawned: set[tuple[int, str]]) -> None:
    """Ctrl-C the CLI (it stops its wasmtime); then kill whatever it started that is still there
    (the same pid with the same start time: never a pid the system gave to another process since)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid, start_time in spawned:
        if not start_time or _start_time(pid) != start_time:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def median_service_run_ms(app_dir: Path, path: str, env: dict[str, str], repeats: int = 3) -> float:
    """The median of ``repeats`` cold starts, in milliseconds."""
    return statistics.median(service_run_ms(app_dir, path, env) for _ in range(repeats))
