"""cache.locked: a second process building the same key waits for the first."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from fabricks import cache

WAITER = """
import sys, time
from fabricks import cache
started = time.monotonic()
with cache.locked("build-k", on_wait=lambda: print("waiting", flush=True)):
    print(f"held after {time.monotonic() - started:.2f}", flush=True)
"""


def _waiter(env_cache: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WAITER], stdout=subprocess.PIPE, text=True,
                            env={"FABRICKS_CACHE_DIR": str(env_cache), "PATH": "/usr/bin:/bin"})


def test_a_second_holder_waits_until_the_first_releases(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("FABRICKS_CACHE_DIR", str(tmp_path))
    with cache.locked("build-k"):
        waiter = _waiter(tmp_path)
        assert waiter.stdout.readline().strip() == "waiting"
        time.sleep(0.3)
        assert waiter.poll() is None  # still blocked while this process holds the lock
    out, _ = waiter.communicate(timeout=30)
    assert waiter.returncode == 0
    assert float(out.split()[-1]) >= 0.3


def test_an_unheld_lock_is_taken_without_waiting(tmp_path: Path):
    waiter = _waiter(tmp_path)
    out, _ = waiter.communicate(timeout=30)
    assert out.splitlines()[0].startswith("held after"), out


def test_a_killed_holder_releases_its_lock(tmp_path: Path):
    holder = subprocess.Popen([sys.executable, "-c", "from fabricks import cache; import time\n"
                               "with cache.locked('build-k'):\n    print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, env={"FABRICKS_CACHE_DIR": str(tmp_path)})
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    waiter = _waiter(tmp_path)
    out, _ = waiter.communicate(timeout=30)
    assert out.splitlines()[0].startswith("held after"), out
