"""fabricks_runtime.threads_compat: a thread start that says why it fails in a component."""

from __future__ import annotations

import threading

import pytest

from fabricks_runtime import threads_compat


def test_thread_start_names_the_component_and_keeps_cpythons_type(monkeypatch):
    for module, name in threads_compat.STARTERS:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, getattr(module, name))  # restored after the test
    threads_compat.install()
    thread = threading.Thread(target=lambda: None)
    with pytest.raises(RuntimeError, match="can't start new thread: a WebAssembly component has no threads"):
        thread.start()
    assert thread not in threading.enumerate()  # as after CPython's own failure: nothing half-started
