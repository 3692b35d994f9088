"""Where the pipeline's progress goes: a :class:`Reporter` (the CLI renders it with rich)."""

from __future__ import annotations

import contextlib
from typing import Iterator, Protocol


class Reporter(Protocol):
    """Receives the pipeline's progress. All methods may be no-ops."""

    def phase(self, name: str, detail: str = "") -> contextlib.AbstractContextManager:
        """A context for one phase; exits with the phase's exception, if any."""

    def output(self, line: str) -> None:
        """One line of a tool's output (called only when verbose)."""

    def warning(self, message: str) -> None:
        """Something the user should know that does not stop the build."""


class QuietReporter:
    """A Reporter that shows nothing (tests, library use)."""

    @contextlib.contextmanager
    def phase(self, name: str, detail: str = "") -> Iterator[None]:
        yield

    def output(self, line: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass
