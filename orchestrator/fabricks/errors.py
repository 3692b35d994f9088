"""The one error type the CLI renders, and one subclass per phase.

Errors are raised where they happen and rendered once, at the CLI boundary: a
short paragraph naming the file (and line, when known) and the fix, never a
traceback unless ``--verbose``.
"""

from __future__ import annotations

from pathlib import Path


class FabricksError(Exception):
    """An expected failure, explained to the user.

    Args:
        message: what went wrong, one or two sentences.
        hint: how to fix it, or ``None``.
        path: the file the problem is in, when there is one.
        line: the 1-based line in ``path``, when known.
        output: the tail of a tool's output, shown under the message.
    """

    phase = "fabricks"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: Path | str | None = None,
        line: int | None = None,
        output: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = Path(path) if path is not None else None
        self.line = line
        self.output = output

    @property
    def location(self) -> str | None:
        """``path:line`` (or just ``path``) for the message header, or ``None``."""
        if self.path is None:
            return None
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        parts = [f"{self.location}: {self.message}" if self.location else self.message]
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)


class FabrickfileError(FabricksError):
    """The Fabrickfile (or the flags standing in for it) is invalid."""

    phase = "resolve"


class PackError(FabricksError):
    """A pack manifest is invalid, or no pack serves the requested framework."""

    phase = "packs"


class ToolchainError(FabricksError):
    """A tool a pack needs is missing or unusable."""

    phase = "toolchain"


class StageError(FabricksError):
    """Copying the sources or installing the dependencies failed."""

    phase = "stage"


class BuildError(FabricksError):
    """Rendering the template, componentizing, verifying or precompiling failed."""

    phase = "build"


class ServeError(FabricksError):
    """The host could not start or stopped with an error."""

    phase = "serve"


class PushError(FabricksError):
    """Pushing a component to an OCI registry failed: a bad reference, no registry, refused credentials."""

    phase = "push"


class ExportError(FabricksError):
    """Writing a deployment manifest for another engine (Spin, SpinKube, wasmCloud) failed."""

    phase = "export"


def closest(word: str, known: list[str]) -> str:
    """`` (did you mean `x`?)`` for the known word nearest ``word`` (difflib's ratio >= 0.6), or ``""``."""
    import difflib

    match = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""
