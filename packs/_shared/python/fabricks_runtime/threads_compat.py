"""A clear error for a thread the component can't start.

WASI's CPython (wasm32-wasi, without wasi-threads) imports ``threading`` and ``_thread``, but
starting a thread fails with CPython's bare ``RuntimeError: can't start new thread``, the message
a native server gives when it runs out of threads: it sends the reader looking for a limit.
:func:`install` makes it say why. The type stays ``RuntimeError``, so an app or library that
catches it (and runs the work inline) behaves as it does natively.
"""

from __future__ import annotations

import _thread
import threading

NO_THREADS = ("can't start new thread: a WebAssembly component has no threads (wasm32-wasi); run the work "
              "within the request, or in another service that the app calls (docs/python-native.md)")
# Where CPython 3.14 starts threads: _thread's functions, and threading's own reference to one.
STARTERS = ((_thread, "start_new_thread"), (_thread, "start_new"), (_thread, "start_joinable_thread"),
            (threading, "_start_joinable_thread"), (threading, "_start_new_thread"))


def refuse(*args, **kwargs):
    """Stands in for every thread starter. Raises RuntimeError(NO_THREADS)."""
    raise RuntimeError(NO_THREADS)


def install() -> None:
    """Replace the thread starters of ``_thread`` and ``threading`` with :func:`refuse`. Idempotent."""
    for module, name in STARTERS:
        if hasattr(module, name):
            setattr(module, name, refuse)
