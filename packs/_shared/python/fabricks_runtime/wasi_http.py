"""wasi:http 0.2 plumbing shared by the Python bridges: request parts, body, response writer.

The component exports ``fabricks:shell/handler`` (wit/deps/shell@0.1.0) to the shell
(packs/_shared/python/shell), which exports ``wasi:http/incoming-handler``: a request arrives
as one record (its parts and the body's first 64 KiB) and a whole response leaves as one
(:meth:`ResponseWriter.complete`), each resource call done by the shell in compiled Rust
instead of through componentize-py's bindings. A longer body is read here from the stream the
shell hands over, and a streamed response is written here, through the response-outparam.

WIT: ``wasi:http/types@0.2.x`` (incoming-body, outgoing-response, response-outparam) and
``wasi:io/streams``. Resource drop order matters: a stream is dropped before its body.
"""

from __future__ import annotations

from componentize_py_types import Err, Ok
from wit_world.imports.streams import StreamError_Closed
from wit_world.exports.handler import Request, Response
from wit_world.imports.types import (
    Fields,
    IncomingBody,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)

from .http_rules import plain_response

# wasi:io/streams blocking-write-and-flush accepts at most 4096 bytes per call.
WRITE_LIMIT = 4096
# A response body held for the shell to write at once is at most this long; past it the
# response is streamed (the instance's memory keeps what it grew by).
HOLD_LIMIT = 1024 * 1024


class RequestBody:
    """The request's body: the bytes the shell read, then, for a longer body, its stream,
    read on demand. Drops the stream before finishing the body (a WASI rule). Reads raise
    OSError when the body broke off (the client went away), as the bridges expect."""

    def __init__(self, request: Request) -> None:
        self.head = request.body
        self.offset = 0
        self.stream, self.body = request.rest if request.rest is not None else (None, None)
        self.error = request.body_error

    def _broken(self) -> OSError:
        error, self.error = self.error, None
        return OSError(f"reading the request body failed: {error}")

    def _take_head(self, size: int) -> bytes:
        chunk = self.head[self.offset:self.offset + size]
        self.offset += len(chunk)
        if self.offset >= len(self.head):
            self.head, self.offset = b"", 0
        return chunk

    def read_chunk(self, size: int) -> bytes:
        if self.head:
            return self._take_head(size)
        if self.stream is None:
            if self.error is not None:
                raise self._broken()
            return b""
        try:
            return self.stream.blocking_read(size)
        except Err as error:
            if isinstance(error.value, StreamError_Closed):
                self.close()
                return b""
            raise OSError(f"reading the request body failed: {error.value!r}") from None

    async def read_async(self, size: int, wait) -> bytes:
        """Like :meth:`read_chunk`, but awaits ``wait(pollable)`` instead of blocking."""
        if self.head:
            return self._take_head(size)
        if self.error is not None:
            raise self._broken()
        while self.stream is not None:
            try:
                data = self.stream.read(size)
            except Err as error:
                if isinstance(error.value, StreamError_Closed):
                    self.close()
                    return b""
                raise OSError(f"reading the request body failed: {error.value!r}") from None
            if data:
                return data
            await wait(self.stream.subscribe())
        return b""

    def close(self) -> None:
        self.head = b""
        if self.stream is not None:
            self.stream.__exit__(None, None, None)
            self.stream = None
            IncomingBody.finish(self.body).__exit__(None, None, None)
            self.body = None


class ResponseWriter:
    """A response's status, headers and body, for the shell or a wasi:http response-outparam.

    The transport of both Python bridges: ``start(status, headers)``, ``write(bytes)``
    (raises ConnectionError when the client is gone), ``flush()`` (what was written must
    reach the client now), ``finish()`` (done by ``complete()``, as ``handle`` returns),
    ``abort()`` (drops the body unfinished: the client sees a truncated response), and
    ``fail()`` (a bare 500 if nothing was sent yet).

    The response is held, not sent, until ``flush()`` or HOLD_LIMIT bytes: a response whose
    body is complete by then goes back to the shell whole, from :meth:`complete`, and costs
    the request no resource call here. A flushed one is streamed through the outparam.
    """

    def __init__(self, response_out: ResponseOutparam, method: str) -> None:
        self.response_out = response_out
        self.method = method
        self.status = 0
        self.written = 0
        self.finish_pending = False
        self.body: OutgoingBody | None = None
        self.stream = None
        self.held: list[bytes] | None = None  # the body so far, while the response is held
        self.headers: list[tuple[str, bytes]] = []

    def start(self, status: int, headers: list[tuple[str, bytes]]) -> None:
        self.status, self.headers, self.held = status, headers, []

    def flush(self) -> None:
        """Send the held response's status, headers and body so far; from now on, stream.
        Raises componentize-py's ``Err`` when wasi:http refuses a header field."""
        if self.held is None:
            return
        held, self.held = self.held, None
        self._send_head()
        self.written = 0
        for data in held:
            self._write(data)

    def _send_head(self) -> None:
        response = OutgoingResponse(Fields.from_list(self.headers))
        if self.status != 200:  # wasi:http's default; one host call saved on most responses
            response.set_status_code(self.status)
        self.body = response.body()
        ResponseOutparam.set(self.response_out, Ok(response))
        self.response_out = None
        self.stream = self.body.write()

    def write(self, data: bytes) -> None:
        if self.held is not None:
            self.held.append(data)
            self.written += len(data)
            if self.written > HOLD_LIMIT:
                self.flush()
            return
        self._write(data)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            for start in range(0, len(view), WRITE_LIMIT):
                self.stream.blocking_write_and_flush(bytes(view[start:start + WRITE_LIMIT]))
        except Err as error:
            raise ConnectionError(f"the client went away: {error.value!r}") from None
        self.written += len(view)

    def finish(self) -> None:
        """End the body normally, when :meth:`complete` is called.

        The host hands the connection its next request once a response is complete,
        and gives it to a NEW instance if this one is still inside ``handle``
        (closing the app's iterable, logging a traceback). Completing the response
        as ``handle`` returns keeps one client's requests on one instance, with its state.
        The body's bytes are already written; a client that got a Content-Length
        has everything it needs.
        """
        self.finish_pending = True

    def complete(self) -> Response | None:
        """Do the deferred :meth:`finish`; call last, as ``handle`` returns. Returns the
        whole response for the shell to write when it was held to the end, else None."""
        if self.held is not None and self.finish_pending and self.response_out is not None:
            response = Response(self.status, self.headers, b"".join(self.held), self.response_out)
            self.held, self.response_out = None, None
            return response
        if self.response_out is not None and self.held is None:
            # Nothing went out: wasi:http refused the header fields as the response was flushed.
            self.fail()
            return None
        if not self.finish_pending or self.body is None:
            return None
        self.finish_pending = False
        self.stream.__exit__(None, None, None)
        body, self.stream, self.body = self.body, None, None
        try:
            OutgoingBody.finish(body, None)
        except Err as error:
            # HEAD and 304 keep the Content-Length a GET would have, with no body:
            # the host checks the size anyway, and the client needs nothing more.
            if self.written == 0 and (self.method == "HEAD" or self.status == 304):
                return None
            raise ConnectionError(f"the response body did not match its Content-Length: {error.value!r}") from None
        return None

    def abort(self) -> None:
        # Dropping the body unfinished tells the host the response is incomplete.
        self.flush()
        if self.stream is not None:
            self.stream.__exit__(None, None, None)
            self.stream = None
        if self.body is not None:
            body, self.body = self.body, None
            body.__exit__(None, None, None)

    def fail(self) -> None:
        """Last resort when the bridge itself failed: a bare 500, if nothing was sent yet."""
        if self.response_out is not None:
            status, headers, _ = plain_response(500, b"", "HEAD")  # bare: the body may be what failed
            response = OutgoingResponse(Fields.from_list(headers))
            response.set_status_code(status)
            body = response.body()
            ResponseOutparam.set(self.response_out, Ok(response))
            self.response_out = None
            OutgoingBody.finish(body, None)
        else:
            self.abort()



def request_parts(request: Request) -> dict:
    """The request's method, scheme, authority, path_with_query and header entries, as a dict
    of keyword arguments for the bridges' environ/scope builders (authority and path None when
    the host gave none)."""
    return {"method": request.method, "scheme": request.scheme, "authority": request.authority or None,
            "path_with_query": request.path_with_query or None, "headers": request.headers}


# The host (fabricks-host) names a service's route in this header, having removed any the
# client sent; Traefik, Spring and Werkzeug's ProxyFix read it the same way.
MOUNT_HEADER = "x-forwarded-prefix"


def mount_point(parts: dict, configured: str = "") -> str:
    """Where the app is mounted (WSGI ``SCRIPT_NAME``, ASGI ``root_path``): ``configured``
    (the pack option) when set, else the host's ``x-forwarded-prefix`` when the path is under
    it, else ``""``. Without a trailing slash."""
    if configured:
        return configured.rstrip("/")
    prefix = next((value.decode("latin-1") for name, value in parts["headers"] if name.lower() == MOUNT_HEADER), "")
    prefix = prefix.rstrip("/")
    path = (parts.get("path_with_query") or "/").split("?", 1)[0]
    if prefix.startswith("/") and (path == prefix or path.startswith(prefix + "/")):
        return prefix
    return ""
