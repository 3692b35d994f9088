"""componentize.py's one-line summary of componentize-py's errors (anyhow chains with backtraces)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packs" / "_shared" / "python" / "componentize.py"
spec = importlib.util.spec_from_file_location("componentize_script", SCRIPT)
componentize = importlib.util.module_from_spec(spec)
spec.loader.exec_module(componentize)

BACKTRACE = """
Stack backtrace:
   0: <anyhow::Error>::msg::<alloc::string::String>
   1: componentize_py::select_world
  12: cfunction_call
             at /tmp/python-build/Python-3.11.7/Objects/methodobject.c:542:18
"""


@pytest.mark.parametrize("text, summary", [
    # A native module that is not a wasm module: the message is empty, the cause says it all.
    ("\n\nCaused by:\n    section size mismatch: unexpected data at the end of the section (at offset 0x9fae27)\n"
     + BACKTRACE, "section size mismatch: unexpected data at the end of the section (at offset 0x9fae27)"),
    # A multi-line message: its first line, then the numbered causes.
    ('Unable to resolve `Some("wasi:http/nosuch@0.2.6")`.\nAvailable worlds: [\n    "wasi:http/proxy@0.2.6",\n]\n'
     + BACKTRACE + "\nCaused by:\n    0: World `nosuch` not found\n    1: in package `wasi:http@0.2.6`\n",
     'Unable to resolve `Some("wasi:http/nosuch@0.2.6")`.: World `nosuch` not found: in package `wasi:http@0.2.6`'),
    # The app's import failed: the exception line, once.
    ('Traceback (most recent call last):\n  File "/0/bad.py", line 1, in <module>\n    raise RuntimeError("boom")\n'
     'RuntimeError: boom\n\n\nCaused by:\n    RuntimeError: boom\n' + BACKTRACE, "RuntimeError: boom"),
    ("", "componentize-py failed without saying why"),
])
def test_the_summary_keeps_the_message_and_causes_and_drops_backtraces(text, summary):
    assert componentize.error_summary(text) == summary
