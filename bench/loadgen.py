"""The load generator: wrk (Debian's package, installed by bench/install-tools.sh), and its output parsed.

wrk is a C event loop: on these machines it drives tens of thousands of requests/s from one
core, so it is not the bottleneck a Python client was. It keeps connections alive and reconnects
when a server closes them (gunicorn's sync workers close after every response).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

# wrk prints durations with these units (src/units.c: time_units_us).
_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: ``rps`` requests/s (wrk's own count over its measured duration); latency
    percentiles ``p50_ms``/``p99_ms`` in milliseconds; ``requests`` completed; ``errors`` = socket
    errors (connect, read, write, timeout) + non-2xx/3xx responses."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def to_ms(text: str) -> float:
    """``"610.00us"``, ``"1.79ms"``, ``"2.01s"`` -> milliseconds."""
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _TIME_UNITS_MS[match.group(2)]


def parse(output: str) -> WrkResult:
    """Parse the text wrk prints with ``--latency``; raises ValueError when a figure is missing."""
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)
    count = re.search(r"^\s*(\d+) requests in ", output, re.M)
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", output, re.M))
    if not rps or not count or "50" not in percentiles or "99" not in percentiles:
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    return WrkResult(rps=float(rps.group(1)), p50_ms=to_ms(percentiles["50"]), p99_ms=to_ms(percentiles["99"]),
                     requests=int(count.group(1)), errors=errors)


def command(url: str, threads: int = 2, connections: int = 8, duration_s: float = 10, timeout_s: float = 10) -> list[str]:
    """The wrk command line: ``threads`` threads, ``connections`` kept-alive connections in
    total, ``duration_s`` seconds, latency percentiles on."""
    return ["wrk", f"-t{threads}", f"-c{max(connections, threads)}", f"-d{duration_s:g}s",
            f"--timeout={timeout_s:g}s", "--latency", url]


def run(url: str, threads: int = 2, connections: int = 8, duration_s: float = 10) -> WrkResult:
    """Load ``url`` with wrk and return what it measured."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: run `sh bench/install-tools.sh` (or `make bench`)")
    done = subprocess.run(command(url, threads, connections, duration_s), capture_output=True, text=True,
                          timeout=duration_s + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)
