"""The shims for what WASI's CPython lacks: anyio "threads" run inline, a _multiprocessing stand-in."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from fabricks_asgi import shims


def test_anyio_worker_threads_run_inline(monkeypatch):
    anyio_to_thread = pytest.importorskip("anyio.to_thread")
    from anyio._backends import _asyncio

    monkeypatch.setattr(anyio_to_thread, "run_sync", anyio_to_thread.run_sync)
    monkeypatch.setattr(_asyncio.AsyncIOBackend, "run_sync_in_worker_thread",
                        _asyncio.AsyncIOBackend.run_sync_in_worker_thread)
    assert shims.install_inline_threads() is True

    async def main():
        return await anyio_to_thread.run_sync(threading.get_ident)

    assert asyncio.run(asyncio.wait_for(main(), 5)) == threading.get_ident()


def test_multiprocessing_stand_in_lets_synchronize_import_and_fails_when_used(monkeypatch):
    for name in ("_multiprocessing", "multiprocessing.synchronize"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "_multiprocessing", None)
    assert shims.install_multiprocessing() is True
    from multiprocessing.synchronize import Event, Lock  # noqa: F401 - hypercorn names Event

    with pytest.raises(OSError, match="WASI has no processes"):
        Lock(ctx=None)
    monkeypatch.delitem(sys.modules, "multiprocessing.synchronize")


def test_real_multiprocessing_is_left_alone():
    assert shims.install_multiprocessing() is False
