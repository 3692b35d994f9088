"""The ASGI lifespan protocol: the app's startup and shutdown (asgiref "Lifespan Protocol" 2.0).

:func:`make_lifespan` picks the implementation by mode, as uvicorn's ``LIFESPAN``
table does: :class:`LifespanOn` for ``"auto"`` and ``"on"``, the do-nothing
:class:`LifespanOff` for ``"off"``. Both have the :class:`Lifespan` interface, so the
caller never branches on the mode.
"""

from __future__ import annotations

import asyncio
import enum
import sys
import traceback
from typing import Protocol, TextIO

from .http import UnexpectedMessage

SCOPE_ASGI = {"version": "3.0", "spec_version": "2.0"}


class LifespanFailure(Exception):
    """Startup or shutdown failed: the app sent ``lifespan.startup.failed`` or
    ``lifespan.shutdown.failed`` (the message says why), broke the protocol, or crashed
    where that counts ("on" mode, or after ``lifespan.startup.complete``)."""


class NotLifespan(Exception):
    """Raised into the app's ``send()`` when it answers a lifespan event with a
    non-lifespan message: it does not speak the protocol."""


class Lifespan(Protocol):
    """What the component's handler drives, whatever the mode."""

    state: dict
    """The lifespan scope's ``state`` ("Lifespan State"); each HTTP scope gets a shallow copy."""

    async def startup(self) -> None:
        """Return once the app is ready for requests. Raises :class:`LifespanFailure`."""

    async def shutdown(self) -> None:
        """Return once the app has cleaned up. Raises :class:`LifespanFailure`."""


class LifespanPhase(enum.Enum):
    """Where the lifespan connection stands (not to be confused with the app's ``state`` dict).

    * **CONNECTING** - initial. The app's task is started and ``lifespan.startup`` is
      queued, but the app has not received it yet.
    * **STARTUP** - the app received ``lifespan.startup``; ``startup()`` waits for
      ``lifespan.startup.complete`` or ``.failed``.
    * **RUNNING** - startup complete; the app's task stays alive, awaiting ``receive()``.
    * **SHUTDOWN** - the app received ``lifespan.shutdown``; ``shutdown()`` waits for
      ``lifespan.shutdown.complete`` or ``.failed``.
    * **COMPLETE** - shutdown complete, or the app's call returned after startup.
    * **UNSUPPORTED** - "auto" mode: the app raised, returned, or sent a non-lifespan
      message before completing startup; requests are served without lifespan.
    * **FAILED** - a :class:`LifespanFailure` is pending, raised by the next
      ``startup()`` or ``shutdown()``.
    """

    CONNECTING = enum.auto()
    STARTUP = enum.auto()
    RUNNING = enum.auto()
    SHUTDOWN = enum.auto()
    COMPLETE = enum.auto()
    UNSUPPORTED = enum.auto()
    FAILED = enum.auto()


# The messages the app may send in each phase ("Startup Complete" to "Shutdown Failed").
_EXPECTED = {
    LifespanPhase.STARTUP: ("lifespan.startup.complete", "lifespan.startup.failed"),
    LifespanPhase.SHUTDOWN: ("lifespan.shutdown.complete", "lifespan.shutdown.failed"),
}


def describe(error: Exception) -> str:
    """``"TypeName: first line of the message"``: one log line even for pytest's multi-line asserts."""
    lines = str(error).splitlines()
    return type(error).__name__ + (f": {lines[0]}" if lines else "")


class LifespanOn:
    """Runs ``app({"type": "lifespan", ...}, receive, send)`` as a task from startup to shutdown.

    The spec ("Scope") says a server must carry on when the app raises on a lifespan
    scope, for apps that do not support it: in ``"auto"`` mode that is one log line,
    in ``"on"`` mode a :class:`LifespanFailure`. ``*.failed`` is a failure in both.
    """

    def __init__(self, app, mode: str = "auto", errors: TextIO | None = None) -> None:
        self.app = app
        self.mode = mode
        self.errors = errors if errors is not None else sys.stderr
        self.state: dict = {}
        self.phase = LifespanPhase.CONNECTING
        self.failure: LifespanFailure | None = None
        self.task: asyncio.Task | None = None
        self.queue: asyncio.Queue[dict] = asyncio.Queue()
        self.started = asyncio.Event()
        self.stopped = asyncio.Event()

    async def startup(self) -> None:
        if self.task is not None:
            raise RuntimeError("lifespan startup() called twice")
        # Kept on self: the event loop only holds weak references to tasks.
        self.task = asyncio.get_running_loop().create_task(self.main())
        self.queue.put_nowait({"type": "lifespan.startup"})
        await self.started.wait()
        self.raise_failure()

    async def shutdown(self) -> None:
        if self.phase is LifespanPhase.RUNNING:
            self.queue.put_nowait({"type": "lifespan.shutdown"})
            await self.stopped.wait()
        self.raise_failure()

    async def main(self) -> None:
        scope = {"type": "lifespan", "asgi": dict(SCOPE_ASGI), "state": self.state}
        try:
            await self.app(scope, self.receive, self.send)
        except Exception as error:
            self.app_ended(error)
        else:
            self.app_ended(None)
        finally:
            self.started.set()
            self.stopped.set()

    async def receive(self) -> dict:
        """The app's ``receive()``: ``{"type": "lifespan.startup"}``, later ``"lifespan.shutdown"``."""
        message = await self.queue.get()
        self.phase = LifespanPhase.STARTUP if message["type"] == "lifespan.startup" else LifespanPhase.SHUTDOWN
        return message

    async def send(self, message: dict) -> None:
        """The app's ``send()``: ``lifespan.{startup,shutdown}.{complete,failed}``."""
        kind = message.get("type")
        before_startup = self.phase in (LifespanPhase.CONNECTING, LifespanPhase.STARTUP)
        if before_startup and not (isinstance(kind, str) and kind.startswith("lifespan.")):
            raise NotLifespan(f"sent {kind!r} in reply to lifespan.startup")
        if kind not in _EXPECTED.get(self.phase, ()):
            raise UnexpectedMessage(f"unexpected ASGI message {kind!r} in lifespan phase {self.phase.name}")
        if kind == "lifespan.startup.complete":
            self.phase = LifespanPhase.RUNNING
            self.started.set()
        elif kind == "lifespan.shutdown.complete":
            self.phase = LifespanPhase.COMPLETE
            self.stopped.set()
        else:
            # "Startup Failed": the server should log/print the message provided, then exit.
            self.fail(f"{kind}: {message.get('message') or '(no message)'}")

    def app_ended(self, error: Exception | None) -> None:
        """Decide what the end of the app's lifespan call means, by phase and mode."""
        if self.phase in (LifespanPhase.CONNECTING, LifespanPhase.STARTUP):
            if isinstance(error, UnexpectedMessage):
                self.fail(f"lifespan startup failed: {error}")
            elif self.mode == "auto":
                how = "returned before completing startup" if error is None else describe(error)
                self.phase = LifespanPhase.UNSUPPORTED
                self.log(f"ASGI 'lifespan' protocol appears unsupported ({how}); continuing without it.")
            elif error is None:
                self.fail("lifespan startup failed: the app returned before lifespan.startup.complete")
            else:
                self.fail(f"lifespan startup failed: {describe(error)}", error)
        elif self.phase in (LifespanPhase.RUNNING, LifespanPhase.SHUTDOWN):
            if error is None:
                self.phase = LifespanPhase.COMPLETE
            else:
                self.fail(f"lifespan failed after startup: {describe(error)}", error)
        # FAILED or COMPLETE: already decided (Starlette raises again after sending *.failed).

    def fail(self, text: str, error: Exception | None = None) -> None:
        self.phase = LifespanPhase.FAILED
        self.failure = LifespanFailure(text)
        self.failure.__cause__ = error
        if error is not None and not isinstance(error, (UnexpectedMessage, NotLifespan)):
            text += "\n" + "".join(traceback.format_exception(error))
        self.log(text)
        self.started.set()
        self.stopped.set()

    def raise_failure(self) -> None:
        """Raise the pending failure, once: a later ``shutdown()`` does not repeat it."""
        failure, self.failure = self.failure, None
        if failure is not None:
            raise failure

    def log(self, text: str) -> None:
        self.errors.write(text.rstrip("\n") + "\n")
        self.errors.flush()


class LifespanOff:
    """``"off"``: no lifespan scope is sent; ``state`` stays empty."""

    def __init__(self, app=None, mode: str = "off", errors: TextIO | None = None) -> None:
        self.state: dict = {}

    async def startup(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


LIFESPAN = {"auto": LifespanOn, "on": LifespanOn, "off": LifespanOff}


def make_lifespan(app, mode: str, errors: TextIO | None = None) -> Lifespan:
    """The lifespan for ``mode`` (``"auto"``, ``"on"`` or ``"off"``). Raises ValueError otherwise."""
    if mode not in LIFESPAN:
        raise ValueError(f"lifespan mode {mode!r} is not one of 'auto', 'on', 'off'")
    return LIFESPAN[mode](app, mode, errors)
