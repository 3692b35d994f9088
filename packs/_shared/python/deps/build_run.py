"""What every recipe builder shares: its error, and running a build tool with its output
streamed (to ``echo``, and kept, for the first error line of a failure)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class BuildFailed(Exception):
    """The package can't be built; ``args`` = (message, hint)."""


def run(argv: list[str], cwd: Path | str | None, env: dict[str, str], lines: list[str], echo=print) -> int:
    """Run ``argv``, appending each line of its stdout and stderr to ``lines`` and passing it to
    ``echo``; returns the exit status."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace")
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        echo(line.rstrip("\n"))
    return proc.wait()
