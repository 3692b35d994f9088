"""The shims for what WASI's CPython lacks: an ssl stand-in and anyio "threads" run inline."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from fabricks_asgi import shims


@pytest.fixture
def no_ssl(monkeypatch):
    monkeypatch.setitem(sys.modules, "ssl", None)  # `import ssl` now raises ImportError
    assert shims.install_ssl() is True
    yield sys.modules["ssl"]


def test_ssl_stand_in_imports_and_names_exist(no_ssl):
    import ssl

    from ssl import SSLContext, SSLError  # noqa: F401 - `from ssl import X` must work
    assert ssl.PROTOCOL_TLS_CLIENT == 0 and ssl.HAS_ALPN == 0
    assert issubclass(ssl.SSLEOFError, OSError) and issubclass(ssl.SSLError, OSError)


def test_ssl_stand_in_fails_loudly_when_used(no_ssl):
    import ssl

    with pytest.raises(OSError, match="TLS is not available inside a WebAssembly component"):
        ssl.create_default_context()
    with pytest.raises(OSError, match="host terminates TLS"):
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def test_real_ssl_is_left_alone():
    assert shims.install_ssl() is False


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
