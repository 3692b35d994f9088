"""The smallest stand-ins for what WASI's CPython lacks, so frameworks import unchanged.

(``ssl`` is fabricks_runtime.ssl_compat's, for every Python pack: real contexts, no TLS.)

- threads: FastAPI and Starlette run plain ``def`` endpoints (and sync iterators) in
  anyio's worker threads; ``Thread.start()`` fails in WASI. :func:`install_inline_threads`
  makes anyio's ``to_thread.run_sync`` call the function inline, on the event loop: with
  one request per instance (wasi:http 0.2) that is the same as a thread pool of one.
- ``_multiprocessing``: WASI has no processes or semaphores. Hypercorn (which Quart
  imports) names ``multiprocessing.synchronize.Event`` in its type hints, and that module
  needs ``_multiprocessing.SemLock`` to import. :func:`install_multiprocessing` provides a
  ``SemLock`` that fails loudly when a lock is really made.
"""

from __future__ import annotations

import importlib
import sys
import types


def _missing(name: str) -> bool:
    """Whether ``import name`` fails: a stand-in is installed only then."""
    try:
        importlib.import_module(name)
        return False
    except ImportError:
        return True


NO_PROCESSES = ("multiprocessing is not available inside a WebAssembly component: WASI has no "
                "processes or semaphores. The host runs instances side by side instead.")


class _SemLock:
    """``_multiprocessing.SemLock``, which can't be made here."""

    SEM_VALUE_MAX = 2**31 - 1

    def __init__(self, *args, **kwargs):
        raise OSError(NO_PROCESSES)

    @classmethod
    def _rebuild(cls, *args):
        raise OSError(NO_PROCESSES)


def _sem_unlink(name: str) -> None:
    raise OSError(NO_PROCESSES)


def install_multiprocessing() -> bool:
    """Install the ``_multiprocessing`` stand-in when the real one is missing. Returns True if installed."""
    if not _missing("_multiprocessing"):
        return False
    module = types.ModuleType("_multiprocessing", "Stand-in inside a WebAssembly component: " + NO_PROCESSES)
    module.SemLock, module.sem_unlink, module.flags = _SemLock, _sem_unlink, {}
    sys.modules["_multiprocessing"] = module
    return True


async def _run_sync_inline(func, *args, abandon_on_cancel=False, cancellable=None, limiter=None):
    return func(*args)


def install_inline_threads() -> bool:
    """Make anyio's worker threads run inline. Returns True when anyio is installed."""
    try:
        import anyio.to_thread
        from anyio._backends import _asyncio
    except ImportError:
        return False
    anyio.to_thread.run_sync = _run_sync_inline

    async def run_sync_in_worker_thread(cls, func, args, abandon_on_cancel=False, limiter=None):
        return func(*args)

    _asyncio.AsyncIOBackend.run_sync_in_worker_thread = classmethod(run_sync_in_worker_thread)
    return True
