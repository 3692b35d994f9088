"""The smallest stand-ins for what WASI's CPython lacks, so frameworks import unchanged.

- ``ssl``: there is no ``_ssl`` in the component. anyio, httpx and hypercorn import
  ``ssl`` at module level for types and constants; :func:`install_ssl` provides a module
  whose every name exists, and whose classes and functions fail loudly when used.
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


NO_SSL = ("TLS is not available inside a WebAssembly component (WASI's CPython has no _ssl): the "
          "host terminates TLS in front of the app; outgoing TLS is not supported yet.")


class _SSLUnavailable(OSError):
    pass


class _StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return 0


class _Unusable(metaclass=_StubMeta):
    def __init__(self, *args, **kwargs):
        raise _SSLUnavailable(NO_SSL)


def _ssl_getattr(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    if name.endswith(("Error", "Exception")):
        cls = type(name, (_SSLUnavailable,), {})
    elif name.isupper() or name.startswith(("OP_", "PROTOCOL_", "CERT_", "HAS_", "VERIFY_")):
        return 0
    elif name[:1].islower():
        def unavailable(*args, **kwargs):
            raise _SSLUnavailable(NO_SSL)
        unavailable.__name__ = name
        return unavailable
    else:
        cls = type(name, (_Unusable,), {})
    setattr(sys.modules["ssl"], name, cls)
    return cls


def install_ssl() -> bool:
    """Install the ``ssl`` stand-in when the real module can't be imported. Returns True if installed."""
    if not _missing("ssl"):
        return False
    module = types.ModuleType("ssl", "Stand-in for ssl inside a WebAssembly component: " + NO_SSL)
    module.__getattr__ = _ssl_getattr
    module.SSLError = type("SSLError", (_SSLUnavailable,), {})
    sys.modules["ssl"] = module
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
