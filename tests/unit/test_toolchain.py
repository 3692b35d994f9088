"""Tool checks: a pack script's check and the tool output protocol's error lines."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fabricks import toolchain
from fabricks.errors import ToolchainError
from fabricks.manifest import Tool
from fabricks.report import QuietReporter


def test_failure_said_takes_the_first_error_and_hint():
    lines = ["noise", "fabricks-error: no rustc", "fabricks-hint: install it", "fabricks-error: later"]
    assert toolchain.failure_said(lines) == ("no rustc", "install it")
    assert toolchain.failure_said(["plain failure"]) == (None, None)


def test_a_script_check_expands_python_and_pack(tmp_path: Path):
    (tmp_path / "check.py").write_text("print('toolchain 1.2, ok')\n")
    tool = Tool("demo", ("{python}", "{pack}/check.py"), "install demo", tmp_path)
    assert tool.is_script and toolchain.version(tool) == "toolchain 1.2, ok"


def test_a_script_check_may_live_in_the_shared_packs_folder(tmp_path: Path, monkeypatch):
    """{packs} is the built-in packs' folder, for a pack in any folder."""
    (tmp_path / "_shared").mkdir()
    (tmp_path / "_shared" / "check.py").write_text("print('shared toolchain 3, ok')\n")
    (tmp_path / "elsewhere" / "pack").mkdir(parents=True)
    monkeypatch.setattr(toolchain, "builtin_packs_dir", lambda: tmp_path)
    tool = Tool("demo", ("{python}", "{packs}/_shared/check.py"), "install demo", tmp_path / "elsewhere" / "pack")
    assert toolchain.version(tool) == "shared toolchain 3, ok"


def test_a_failing_script_check_says_its_own_error(tmp_path: Path):
    (tmp_path / "check.py").write_text(
        "print('fabricks-error: libc is missing'); print('fabricks-hint: apt-get install it'); raise SystemExit(1)\n")
    tool = Tool("demo", ("{python}", "{pack}/check.py"), "install demo", tmp_path)
    with pytest.raises(ToolchainError) as caught:
        toolchain.version(tool)
    assert caught.value.message == "demo: libc is missing" and caught.value.hint == "apt-get install it"


def test_run_tool_hands_warnings_to_the_pipeline_when_asked():
    """The pipeline keeps a build tool's warnings with the build (a cached build repeats them)."""
    class Recording(QuietReporter):
        def __init__(self):
            self.warned = []

        def warning(self, message):
            self.warned.append(message)

    command = [sys.executable, "-c", "print('fabricks-warning: baked'); print('other')"]
    reporter, kept = Recording(), []
    output = toolchain.run_tool(command, phase="t", error=ToolchainError, reporter=reporter, verbose=False,
                                warn=kept.append)
    assert kept == ["baked"] and reporter.warned == [] and output.endswith("other")
    toolchain.run_tool(command, phase="t", error=ToolchainError, reporter=reporter, verbose=False)
    assert reporter.warned == ["baked"]
