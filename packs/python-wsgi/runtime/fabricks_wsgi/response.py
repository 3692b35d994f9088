"""The WSGI response cycle: ``start_response``, ``write()`` and the app's iterable.

Follows PEP 3333 ("The start_response() Callable", "Buffering and Streaming",
"Error Handling"). Transport-neutral: it drives a :class:`Transport`, which the
component implements over wasi:http and the tests implement in memory.
"""

from __future__ import annotations

import sys
import traceback
from typing import Callable, Iterable, Protocol

from fabricks_runtime.http_rules import HOP_BY_HOP, INTERNAL_ERROR, body_forbidden, plain_response


class Transport(Protocol):
    """Where a response goes. Calls arrive in the order start, write*, finish|abort."""

    def start(self, status: int, headers: list[tuple[str, bytes]]) -> None:
        """Send the status code and header fields."""

    def write(self, data: bytes) -> None:
        """Send part of the body. Raises ``ConnectionError`` if the client is gone."""

    def flush(self) -> None:
        """What was written must reach the client now (a transport may hold a response
        whose body turns out whole, to send it at once)."""

    def finish(self) -> None:
        """End the body normally."""

    def abort(self) -> None:
        """End the body abnormally (the client sees a truncated response)."""


def parse_status(status: str) -> int:
    """``"404 Not Found"`` -> 404. Raises ValueError on anything else."""
    if not isinstance(status, str) or len(status) < 3 or not status[:3].isdigit() or status[3:4] not in ("", " "):
        raise ValueError(f"invalid WSGI status {status!r}: expected e.g. '200 OK'")
    return int(status[:3])


def encode_headers(headers: list[tuple[str, str]]) -> list[tuple[str, bytes]]:
    """Check and encode the app's header list; hop-by-hop fields are dropped.

    Raises ValueError for a non-str name or value, a value that is not latin-1,
    or a CR/LF in either (header injection).
    """
    out = []
    for name, value in headers:
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError(f"header {name!r}: names and values must be str (PEP 3333)")
        if any(c in name or c in value for c in "\r\n\0"):
            raise ValueError(f"header {name!r}: control characters are not allowed")
        if name.lower() in HOP_BY_HOP:
            continue
        out.append((name.lower(), value.encode("latin-1")))
    return out


class ResponseCycle:
    """One request's response: call :meth:`run` with the app and environ.

    Headers are sent with the first non-empty body chunk (PEP 3333 "Buffering and
    Streaming"), so an app can still swap them for an error page through
    ``exc_info`` until then. A response with a Content-Length may be held by the transport
    until its end (its client waits for all of it anyway); any other is flushed after each
    chunk, and so is each call of ``write()``, which PEP 3333 says must not be delayed.
    An exception before the headers are sent becomes a 500; one after ends the body
    abnormally. The iterable's ``close()`` is always called. Returns nothing; errors are
    logged to ``errors``.
    """

    def __init__(self, transport: Transport, method: str, errors=None) -> None:
        self.transport = transport
        self.method = method
        self.errors = errors if errors is not None else sys.stderr
        self.status: int | None = None
        self.headers: list[tuple[str, bytes]] | None = None
        self.headers_sent = False
        self.no_body = False

    def start_response(self, status: str, response_headers: list, exc_info=None) -> Callable[[bytes], None]:
        """PEP 3333 ``start_response``. Returns the legacy ``write()`` callable."""
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError("start_response() called a second time without exc_info")
        code = parse_status(status)
        self.headers = encode_headers(list(response_headers))
        self.status = code
        self.no_body = body_forbidden(self.method, code)
        return self.write_now

    def write_now(self, data: bytes) -> None:
        """PEP 3333's ``write()`` callable: :meth:`write`, flushed."""
        self.write(data)
        self.transport.flush()

    def send_headers(self) -> None:
        if self.status is None:
            raise AssertionError("the app produced a body before calling start_response()")
        self.headers_sent = True
        self.transport.start(self.status, self.headers)

    def write(self, data: bytes) -> None:
        """Send ``data``: each chunk of the iterable."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"the app must produce bytes, not {type(data).__name__} (PEP 3333)")
        if not self.headers_sent:
            self.send_headers()
        if data and not self.no_body:
            self.transport.write(bytes(data))

    def run(self, app, environ: dict) -> None:
        """Call the app and stream its response to the transport."""
        result: Iterable[bytes] | None = None
        try:
            result = app(environ, self.start_response)
            if not self.headers_sent and self.headers is not None and hasattr(result, "__len__"):
                self.set_length_if_single(result)
            for chunk in result:
                if chunk:
                    self.write(chunk)
                    if not self.length_known():
                        self.transport.flush()
            if not self.headers_sent:
                self.send_headers()
            self.transport.finish()
        except ConnectionError as error:
            self.errors.write(f"{environ.get('REQUEST_METHOD')} {environ.get('RAW_URI')}: {error}\n")
            self.transport.abort()
        except Exception:
            self.log_exception(environ)
            if self.headers_sent:
                self.transport.abort()
            else:
                self.status, self.headers_sent = 500, True
                status, headers, body = plain_response(500, INTERNAL_ERROR, self.method)
                self.transport.start(status, headers)
                if body:
                    self.transport.write(body)
                self.transport.finish()
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    self.log_exception(environ)

    def length_known(self) -> bool:
        """Whether the response declared its Content-Length."""
        return any(name == "content-length" for name, _ in self.headers or ())

    def set_length_if_single(self, result) -> None:
        """A one-chunk body gets a Content-Length, as gunicorn gives it (PEP 3333 "Handling the Content-Length Header")."""
        try:
            if len(result) != 1 or any(n in ("content-length", "transfer-encoding") for n, _ in self.headers):
                return
            chunk = result[0]
        except Exception:
            return
        if isinstance(chunk, (bytes, bytearray)) and not (100 <= self.status < 200 or self.status in (204, 304)):
            self.headers.append(("content-length", str(len(chunk)).encode()))

    def log_exception(self, environ: dict) -> None:
        where = f'{environ.get("REQUEST_METHOD")} {environ.get("RAW_URI") or environ.get("PATH_INFO")}'
        self.errors.write(f"Error handling request {where}\n{traceback.format_exc()}")
        self.errors.flush()
