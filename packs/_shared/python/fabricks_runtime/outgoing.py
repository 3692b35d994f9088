"""Outbound HTTP from a Python component, over ``wasi:http/outgoing-handler`` (WASI 0.2).

A component can't open sockets: the host makes its HTTP requests (and does TLS for https).
:func:`send` is the one client the library adapters (:mod:`.outgoing_adapters`: http.client
and so urllib.request, urllib3 and so requests, httpx) go through. Request bodies are
written as they come; response bodies are read on demand.

Grants: only hosts granted by the Fabrickfile (``[capabilities] network.connect``, baked into
the build's config) or by the host at run time (``FABRICKS_NETWORK_CONNECT``, comma-separated,
e.g. services on the same ``--network``) may be called: ``"host:port"``, ``*`` for a whole label
or the port. A refused call raises ``PermissionError`` naming the grant to add.

Failures are raised as the ``OSError`` subclasses a socket client would see, so the libraries
turn them into their own types (``requests.ConnectionError``, ``httpx.ConnectError``,
``urllib.error.URLError``): ``ConnectionRefusedError``, ``socket.gaierror``, ``TimeoutError``,
``ConnectionResetError``, ``ConnectionError``.
"""

from __future__ import annotations

import errno
import os
import socket
import urllib.parse
from typing import Iterable, Iterator

from componentize_py_types import Err, Ok
from wit_world.imports import outgoing_handler
from wit_world.imports import types as http

from .http_rules import HOST_FORBIDDEN
from wit_world.imports.streams import StreamError_Closed

# wasi:io/streams blocking-write-and-flush takes at most 4096 bytes a call.
WRITE_LIMIT = 4096
READ_SIZE = 64 * 1024
# Fields the host sets itself, or refuses.
FORBIDDEN = HOST_FORBIDDEN
DEFAULT_PORTS = {"http": 80, "https": 443}
GRANTED: list[str] = []  # the build's grants, set by the runtime from its config (install())


def install(grants: Iterable[str]) -> None:
    """Record the Fabrickfile's ``network.connect`` grants (from the pack's config)."""
    GRANTED[:] = list(grants)


def _grants() -> list[str]:
    extra = os.environ.get("FABRICKS_NETWORK_CONNECT", "")
    return GRANTED + [g.strip() for g in extra.split(",") if g.strip()]


def _host_matches(pattern: str, host: str) -> bool:
    """``*`` any host; ``*.example.com`` any name under example.com; else the name itself."""
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return pattern == host


def granted(host: str, port: int) -> bool:
    """Whether ``host:port`` is granted (see the module's docstring for the patterns)."""
    host = host.lower().strip("[]")
    for entry in _grants():
        pattern_host, _, pattern_port = entry.lower().rpartition(":")
        if pattern_port in ("*", str(port)) and _host_matches(pattern_host, host):
            return True
    return False


METHODS = {"GET": http.Method_Get, "HEAD": http.Method_Head, "POST": http.Method_Post, "PUT": http.Method_Put,
           "DELETE": http.Method_Delete, "CONNECT": http.Method_Connect, "OPTIONS": http.Method_Options,
           "TRACE": http.Method_Trace, "PATCH": http.Method_Patch}


def _error(code, url: str) -> OSError:
    """The OSError a socket client would have met for a wasi:http ``error-code``."""
    name = type(code).__name__.removeprefix("ErrorCode_")
    detail = f"{url}: {name}" + (f" ({code.value})" if getattr(code, "value", None) not in (None, "") else "")
    if name in ("DnsTimeout", "DnsError", "DestinationNotFound"):
        return socket.gaierror(socket.EAI_NONAME, f"Name or service not known: {detail}")
    if name == "ConnectionRefused":
        return ConnectionRefusedError(errno.ECONNREFUSED, f"Connection refused: {detail}")
    if name in ("ConnectionTimeout", "ConnectionReadTimeout", "ConnectionWriteTimeout", "HttpResponseTimeout"):
        return TimeoutError(errno.ETIMEDOUT, f"Timed out: {detail}")
    if name in ("ConnectionTerminated", "HttpResponseIncomplete", "HttpProtocolError"):
        return ConnectionResetError(errno.ECONNRESET, f"Connection reset: {detail}")
    if name in ("DestinationUnavailable", "DestinationIpProhibited", "DestinationIpUnroutable", "HttpRequestDenied"):
        return ConnectionError(errno.EHOSTUNREACH, f"Unreachable: {detail}")
    return OSError(errno.EIO, f"HTTP request failed: {detail}")


class Response:
    """A response being received: ``status``, ``headers`` as ``[(name, value)]`` (str, repeats
    kept), and the body, read with :meth:`read` until it returns ``b""``."""

    def __init__(self, incoming, url: str) -> None:
        self.url = url
        self.status: int = incoming.status()
        with incoming.headers() as fields:
            self.headers = [(k, v.decode("latin-1")) for k, v in fields.entries()]
        self._response = incoming
        self._body = incoming.consume()
        self._stream = self._body.stream()
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that remain with -1); ``b""`` at the end."""
        if size < 0:
            return b"".join(iter(lambda: self.read(READ_SIZE), b""))
        while not self._buffer and self._stream is not None:
            try:
                self._buffer = self._stream.blocking_read(max(size, READ_SIZE))
            except Err as error:
                if isinstance(error.value, StreamError_Closed):
                    self.close()
                    break
                raise ConnectionResetError(errno.ECONNRESET, f"{self.url}: the response body broke off") from None
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def __iter__(self) -> Iterator[bytes]:
        return iter(lambda: self.read(READ_SIZE), b"")

    def close(self) -> None:
        """Release the body (the stream before the body, the body before the response: WASI's order)."""
        if self._stream is not None:
            self._stream.__exit__(None, None, None)
            self._stream = None
        if self._body is not None:
            http.IncomingBody.finish(self._body).__exit__(None, None, None)
            self._body = None
        if self._response is not None:
            self._response.__exit__(None, None, None)
            self._response = None


def send(method: str, url: str, headers: Iterable[tuple[str, str | bytes]] = (),
         body: bytes | Iterable[bytes] | None = None, timeout: float | None = None) -> Response:
    """Send one request through the host and return its :class:`Response` once its head is in.

    ``timeout`` (seconds) bounds connecting, the first byte and each pause between bytes.
    Raises PermissionError for a host not granted, ValueError for a URL that isn't http(s),
    and the OSErrors of the module's docstring for what the host reports.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{url!r}: only http:// and https:// URLs can be requested from a component")
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    if not granted(parts.hostname, port):
        raise PermissionError(errno.EACCES, f"{parts.hostname}:{port} is not granted to this component: add it to the "
                              f"Fabrickfile, [capabilities] network.connect = [\"{parts.hostname}:{port}\"]")
    fields = http.Fields.from_list([(k, v.encode("latin-1") if isinstance(v, str) else v)
                                    for k, v in headers if k.lower() not in FORBIDDEN])
    request = http.OutgoingRequest(fields)
    request.set_method(METHODS[method]() if method in METHODS else http.Method_Other(method))
    request.set_scheme(http.Scheme_Https() if parts.scheme == "https" else http.Scheme_Http())
    request.set_authority(parts.netloc.rpartition("@")[2])
    request.set_path_with_query((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    outgoing = request.body()
    options = None
    if timeout is not None:
        options = http.RequestOptions()
        nanoseconds = max(1, int(timeout * 1_000_000_000))
        options.set_connect_timeout(nanoseconds)
        options.set_first_byte_timeout(nanoseconds)
        options.set_between_bytes_timeout(nanoseconds)
    try:
        future = outgoing_handler.handle(request, options)
    except Err as error:
        raise _error(error.value, url) from None
    _write(outgoing, body, url)
    with future.subscribe() as ready:
        ready.block()
    result = future.get()
    future.__exit__(None, None, None)
    if isinstance(result, Ok) and isinstance(result.value, Ok):
        return Response(result.value.value, url)
    code = result.value.value if isinstance(result, Ok) else None
    raise _error(code, url) if code is not None else OSError(errno.EIO, f"{url}: the host gave no response")


def _write(outgoing, body: bytes | Iterable[bytes] | None, url: str) -> None:
    """Write the request body, as it comes, then finish it (the stream dropped first)."""
    stream = outgoing.write()
    try:
        chunks = [body] if isinstance(body, (bytes, bytearray, memoryview)) else (body or ())
        for chunk in chunks:
            chunk = bytes(chunk)
            for start in range(0, len(chunk), WRITE_LIMIT):
                stream.blocking_write_and_flush(chunk[start:start + WRITE_LIMIT])
    except Err:
        raise ConnectionResetError(errno.ECONNRESET, f"{url}: the server stopped reading the request body") from None
    finally:
        stream.__exit__(None, None, None)
    http.OutgoingBody.finish(outgoing, None)


__all__ = ["Response", "granted", "install", "send"]
