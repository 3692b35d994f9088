"""The ASGI HTTP request/response cycle, streamed both ways over a :class:`Transport`.

Follows asgiref's "HTTP & WebSocket ASGI Message Format" 2.4, sections "Request",
"Response Start", "Response Body", "Disconnected Client" and "Disconnect". An
explicit state machine like Mangum's ``HTTPCycle``, but nothing is collected:
the request body is read as the app asks for it, and each response chunk goes to
the transport when the app sends it. Transport-neutral: the component implements
the transport over wasi:http, the tests in memory.
"""

from __future__ import annotations

import asyncio
import enum
import re
import sys
import traceback
from typing import Awaitable, Callable, Iterable, Protocol, TextIO

from fabricks_runtime.http_rules import HOP_BY_HOP, INTERNAL_ERROR, body_forbidden, plain_response

CHUNK = 64 * 1024
# CR, LF and NUL in a header name or value (header injection). A regex, not `b"\r" in name`:
# bytes.__contains__ first tries its argument as an int and formats the TypeError it then
# clears, which was 4 % of a Starlette request's CPU in the component.
_CONTROL = re.compile(rb"[\r\n\0]")


class UnexpectedMessage(RuntimeError):
    """The app sent a message its response's state does not allow (raised in its ``send()``)."""


class ClientDisconnected(ConnectionError):
    """Raised by ``send()`` once the response can no longer reach the client.

    An ``OSError`` subclass, as spec 2.4 asks ("Disconnected Client - send exception").
    """


class Transport(Protocol):
    """Where a response goes. Calls arrive in the order start, write*, then finish or abort;
    abort alone when the client went away before the response began."""

    def start(self, status: int, headers: list[tuple[str, bytes]]) -> None:
        """Send the status code and header fields (lower-case names)."""

    async def write(self, data: bytes) -> None:
        """Send part of the body. Raises ``ConnectionError`` if the client is gone."""

    def flush(self) -> None:
        """More of the body will follow, maybe later: what was written must reach the client
        now (a transport may hold a response whose body turns out whole, to send it at once)."""

    def finish(self) -> None:
        """End the body normally. May raise ``ConnectionError``."""

    def abort(self) -> None:
        """End the body abnormally (the client sees a truncated response)."""


class CycleState(enum.Enum):
    """Where one request's response stands; ``send()`` branches on it.

    * **REQUEST** - initial. The app runs and has not sent ``http.response.start``.
      An exception now becomes a 500.
    * **STARTED** - ``http.response.start`` arrived; status and headers are held, not
      yet at the transport (see :class:`HTTPCycle`). An exception now still becomes a 500.
    * **STREAMING** - headers sent, body chunks going out (``more_body`` was true).
      An exception now truncates the body.
    * **COMPLETE** - the final body message went out and the transport finished.
      ``receive()`` returns ``http.disconnect``; any ``send()`` is unexpected.
    * **ABORTED** - the transport was aborted: the client went away (a write or a body
      read failed), or the app failed or returned mid-body. ``send()`` raises
      :class:`ClientDisconnected`; ``receive()`` returns ``http.disconnect``.
    """

    REQUEST = enum.auto()
    STARTED = enum.auto()
    STREAMING = enum.auto()
    COMPLETE = enum.auto()
    ABORTED = enum.auto()


def content_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The request's Content-Length, or ``None`` when absent, repeated differently or invalid."""
    values = {value.strip() for name, value in headers if name == b"content-length"}
    if len(values) != 1:
        return None
    value = values.pop()
    return int(value) if value.isdigit() else None


def response_headers(headers: Iterable) -> list[tuple[str, bytes]]:
    """Check the app's ``[name, value]`` byte pairs ("Response Start" ``headers``).

    Returns ``(name, value)`` with names lower-cased (str, for the transport), order
    and repeats kept (several Set-Cookie), hop-by-hop fields dropped. Raises
    TypeError for non-bytes, ValueError for CR, LF or NUL (header injection) or a
    pseudo-header (``:status``).
    """
    out = []
    for name, value in headers:
        if not isinstance(name, (bytes, bytearray)) or not isinstance(value, (bytes, bytearray)):
            raise TypeError(f"header {name!r}: names and values must be bytes (ASGI 'Response Start')")
        if _CONTROL.search(name) or _CONTROL.search(value):
            raise ValueError(f"header {bytes(name)!r}: control characters are not allowed")
        if name.startswith(b":"):
            raise ValueError(f"header {bytes(name)!r}: pseudo-headers are not allowed")
        lowered = bytes(name).lower().decode("latin-1")
        if lowered not in HOP_BY_HOP:
            out.append((lowered, bytes(value)))
    return out


class HTTPCycle:
    """One request: ``await HTTPCycle(scope, read_body, transport).run(app)``.

    ``read_body(max_bytes)`` returns the next chunk of the request body, ``b""`` at its
    end, and raises ``OSError`` if the body cannot be read (the client is gone); its
    message is logged as is.

    Status and headers are held from ``http.response.start`` until the first
    ``http.response.body``, even an empty one, which "Response Start" allows ("need not
    flush ... until the first Response Body event") so that an exception right after
    the start still becomes a clean 500. uvicorn sends them at once; an app that wants
    them out early (server-sent events) sends an empty chunk with ``more_body``.

    Errors never escape :meth:`run`; they are logged to ``errors`` (default stderr).
    """

    def __init__(
        self,
        scope: dict,
        read_body: Callable[[int], Awaitable[bytes]],
        transport: Transport,
        errors: TextIO | None = None,
    ) -> None:
        self.scope = scope
        self.read_body = read_body
        self.transport = transport
        self.errors = errors if errors is not None else sys.stderr
        self.state = CycleState.REQUEST
        self.status: int | None = None
        self.headers: list[tuple[str, bytes]] = []
        self.no_body = False
        self.body_left = True
        # With a Content-Length the last chunk is known as such, without one more read.
        self.remaining = content_length(scope.get("headers", ()))
        # Set once nothing more can happen on the connection: response complete or aborted.
        self.done = asyncio.Event()

    async def run(self, app) -> None:
        """Call ``app(scope, receive, send)``; the transport is ended exactly once."""
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:
            # Once the client is gone, what the app raises is our ClientDisconnected or a
            # framework's wrapper of it (Starlette's ClientDisconnect): spec 2.4 says
            # servers should not log that as an error.
            if self.state is not CycleState.ABORTED:
                self.log(f"Exception in ASGI application: {self.where()}\n{traceback.format_exc()}")
        else:
            if self.state in (CycleState.REQUEST, CycleState.STARTED):
                self.log(f"ASGI app returned without completing the response, 500 sent: {self.where()}")
            elif self.state is CycleState.STREAMING:
                self.log(f"ASGI app returned without completing the response, body truncated: {self.where()}")
        finally:
            await self.end()

    async def receive(self) -> dict:
        """The app's ``receive()``: the next request event.

        ``{"type": "http.request", "body": bytes, "more_body": bool}`` while the body
        lasts, read lazily in chunks of at most 64 KiB; then ``{"type": "http.disconnect"}``,
        but only once the response is over: until then it waits, as uvicorn does, so an
        app listening for disconnects is not told the client left while it streams.
        """
        if self.body_left and not self.done.is_set():
            return await self.next_body()
        await self.done.wait()
        return {"type": "http.disconnect"}

    async def next_body(self) -> dict:
        size = CHUNK if self.remaining is None else min(CHUNK, self.remaining)
        try:
            chunk = await self.read_body(size) if size > 0 else b""
        except OSError as error:
            self.lose_client(error)
            return {"type": "http.disconnect"}
        if self.remaining is not None:
            self.remaining -= len(chunk)
        self.body_left = bool(chunk) and (self.remaining is None or self.remaining > 0)
        return {"type": "http.request", "body": chunk, "more_body": self.body_left}

    async def send(self, message: dict) -> None:
        """The app's ``send()``: ``http.response.start`` then ``http.response.body`` messages."""
        kind = message.get("type")
        if self.state is CycleState.ABORTED:
            raise ClientDisconnected(f"{kind!r} sent after the response was aborted")
        if self.state is CycleState.REQUEST and kind == "http.response.start":
            self.on_start(message)
        elif self.state in (CycleState.STARTED, CycleState.STREAMING) and kind == "http.response.body":
            await self.on_body(message)
        elif self.state is CycleState.REQUEST:
            raise UnexpectedMessage(f"expected ASGI message 'http.response.start', got {kind!r}")
        elif self.state is CycleState.COMPLETE:
            raise UnexpectedMessage(f"ASGI message {kind!r} sent after the response was complete")
        else:
            raise UnexpectedMessage(f"expected ASGI message 'http.response.body', got {kind!r}")

    def on_start(self, message: dict) -> None:
        status = message.get("status")
        if type(status) is not int or not 100 <= status <= 599:
            raise ValueError(f"http.response.start: invalid status {status!r}, expected an int from 100 to 599")
        # Checked before the state changes, so bad headers still become a 500.
        self.headers = response_headers(message.get("headers", ()))
        self.status = status
        self.no_body = body_forbidden(self.scope.get("method", "GET"), status)
        self.state = CycleState.STARTED

    async def on_body(self, message: dict) -> None:
        body = message.get("body", b"")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError(f"http.response.body: body must be bytes, not {type(body).__name__}")
        try:
            if self.state is CycleState.STARTED:
                # State after start(): if the transport refuses the headers, a 500 can follow.
                self.transport.start(self.status, self.headers)
                self.state = CycleState.STREAMING
            if body and not self.no_body:
                await self.transport.write(bytes(body))
            if message.get("more_body", False):
                self.transport.flush()
            else:
                self.transport.finish()
                self.state = CycleState.COMPLETE
                self.done.set()
        except ConnectionError as error:
            self.lose_client(error)
            raise ClientDisconnected(str(error)) from error

    def lose_client(self, error) -> None:
        """The connection broke: abort the transport; receive and send report it from now on."""
        # One line, no traceback: a client leaving is not the app's fault.
        self.log(f"{self.where()}: {error}")
        self.state = CycleState.ABORTED
        self.transport.abort()
        self.done.set()

    async def end(self) -> None:
        """After the app: a 500 if nothing was sent yet, a truncated body if some was."""
        if self.state in (CycleState.REQUEST, CycleState.STARTED):
            await self.internal_error()
        elif self.state is CycleState.STREAMING:
            self.state = CycleState.ABORTED
            self.transport.abort()
        self.done.set()

    async def internal_error(self) -> None:
        self.status, headers, body = plain_response(500, INTERNAL_ERROR, self.scope.get("method", "GET"))
        try:
            self.transport.start(self.status, headers)
            if body:
                await self.transport.write(body)
            self.transport.finish()
            self.state = CycleState.COMPLETE
        except ConnectionError as error:
            self.lose_client(error)

    def where(self) -> str:
        """``"GET /path?query"``, to name the request in log lines."""
        target = (self.scope.get("raw_path") or self.scope.get("path", "").encode()).decode("latin-1")
        query = self.scope.get("query_string", b"")
        return f"{self.scope.get('method')} {target}" + (f"?{query.decode('latin-1')}" if query else "")

    def log(self, text: str) -> None:
        self.errors.write(text.rstrip("\n") + "\n")
        self.errors.flush()
