"""wasi:http 0.2 plumbing shared by the Python bridges: request parts, body, response writer.

WIT: ``wasi:http/types@0.2.x`` (incoming-request, incoming-body, outgoing-response,
response-outparam) and ``wasi:io/streams``. Resource drop order matters: a stream is
dropped before its body, a body finished before its request.
"""

from __future__ import annotations

from componentize_py_types import Err, Ok
from wit_world.imports.streams import StreamError_Closed
from wit_world.imports.types import (
    Fields,
    IncomingBody,
    IncomingRequest,
    Method_Other,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
    Scheme_Http,
    Scheme_Https,
)

from .http_rules import plain_response

# wasi:io/streams blocking-write-and-flush accepts at most 4096 bytes per call.
WRITE_LIMIT = 4096


def method_name(method) -> str:
    """wasi:http ``method`` variant -> ``"GET"`` etc."""
    if isinstance(method, Method_Other):
        return method.value
    return type(method).__name__.split("_", 1)[1].upper()


def scheme_name(scheme) -> str:
    if scheme is None or isinstance(scheme, Scheme_Http):
        return "http"
    if isinstance(scheme, Scheme_Https):
        return "https"
    return scheme.value


class RequestBody:
    """The incoming-body, read on demand. Drops its stream before the body (a WASI rule).

    The body is consumed at the first read, not before: most requests (GET) are answered
    without one, and each resource call through componentize-py's bindings costs a few
    microseconds of the request (consume, stream, the stream's drop, finish and the
    trailers' drop: about a tenth of a trivial app's time in the bridge).
    """

    def __init__(self, request: IncomingRequest) -> None:
        self.request = request
        self.body = None
        self.stream = None

    def _open(self) -> bool:
        """Consume the request's body on first use; False once it is closed."""
        if self.stream is None:
            if self.request is None:
                return False
            request, self.request = self.request, None
            self.body = request.consume()
            self.stream = self.body.stream()
        return True

    def read_chunk(self, size: int) -> bytes:
        if not self._open():
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
        while self._open():
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
        self.request = None  # never read: nothing was consumed, nothing to finish
        if self.stream is not None:
            self.stream.__exit__(None, None, None)
            self.stream = None
            IncomingBody.finish(self.body).__exit__(None, None, None)
            self.body = None


class ResponseWriter:
    """A response's status, headers and body, written to a wasi:http response-outparam.

    The transport of both Python bridges: ``start(status, headers)``, ``write(bytes)``
    (raises ConnectionError when the client is gone), ``finish()`` (done by
    ``complete()``, as ``handle`` returns), ``abort()`` (drops the body unfinished:
    the client sees a truncated response), and ``fail()`` (a bare 500 if nothing was
    sent yet).
    """

    def __init__(self, response_out: ResponseOutparam, method: str) -> None:
        self.response_out = response_out
        self.method = method
        self.status = 0
        self.written = 0
        self.finish_pending = False
        self.body: OutgoingBody | None = None
        self.stream = None

    def start(self, status: int, headers: list[tuple[str, bytes]]) -> None:
        response = OutgoingResponse(Fields.from_list(headers))
        if status != 200:  # wasi:http's default; one host call saved on most responses
            response.set_status_code(status)
        self.status = status
        self.body = response.body()
        ResponseOutparam.set(self.response_out, Ok(response))
        self.response_out = None
        self.stream = self.body.write()

    def write(self, data: bytes) -> None:
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

    def complete(self) -> None:
        """Do the deferred :meth:`finish`; call last, as ``handle`` returns."""
        if not self.finish_pending or self.body is None:
            return
        self.finish_pending = False
        self.stream.__exit__(None, None, None)
        body, self.stream, self.body = self.body, None, None
        try:
            OutgoingBody.finish(body, None)
        except Err as error:
            # HEAD and 304 keep the Content-Length a GET would have, with no body:
            # the host checks the size anyway, and the client needs nothing more.
            if self.written == 0 and (self.method == "HEAD" or self.status == 304):
                return
            raise ConnectionError(f"the response body did not match its Content-Length: {error.value!r}") from None

    def abort(self) -> None:
        # Dropping the body unfinished tells the host the response is incomplete.
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



def request_parts(request: IncomingRequest) -> dict:
    """The request's method, scheme, authority, path_with_query and header entries, as a dict
    of keyword arguments for the bridges' environ/scope builders."""
    fields = request.headers()
    headers = fields.entries()
    fields.__exit__(None, None, None)
    return {"method": method_name(request.method()), "scheme": scheme_name(request.scheme()),
            "authority": request.authority(), "path_with_query": request.path_with_query(),
            "headers": headers}


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
