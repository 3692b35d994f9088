"""Peak resident memory of a server's whole process tree, sampled from Linux's /proc.

gunicorn, uvicorn --workers and node:cluster serve from child processes: the tree (the root and
all its descendants) is what the server costs. For a component it is the fabricks-host process.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (all its threads'), from /proc; [] once it is gone."""
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree(pid: int, children_of: Callable[[int], Iterable[int]] = children) -> list[int]:
    """``pid`` and all its descendants, parents first (cycle-safe)."""
    seen, order, todo = set(), [], [pid]
    while todo:
        p = todo.pop(0)
        if p in seen:
            continue
        seen.add(p)
        order.append(p)
        todo += list(children_of(p))
    return order


def vmrss_kb(status: str) -> int:
    """The ``VmRSS:`` line of a /proc/PID/status text, in KiB (0 when absent: a zombie)."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid``'s process tree now, in MB (10^6 bytes)."""
    total_kb = 0
    for p in tree(pid):
        try:
            total_kb += vmrss_kb(Path(f"/proc/{p}/status").read_text())
        except OSError:
            pass
    return total_kb * 1024 / 1e6


class PeakRss:
    """Samples ``tree_rss_mb(pid)`` every ``interval_s`` seconds while in the ``with`` block;
    ``peak_mb`` is the largest sample (MB), including one taken on entry and one on exit."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    def __enter__(self) -> "PeakRss":
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._sample()
