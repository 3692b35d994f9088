"""Python's HTTP clients, sent through the host (:mod:`.outgoing`) instead of sockets.

- ``http.client`` (and so ``urllib.request``) and ``urllib3`` (and so ``requests``): their
  connections get a :class:`HostSocket`, which takes the request as the client writes it
  (HTTP/1.1 bytes, as on a wire), sends it through ``wasi:http/outgoing-handler`` when the
  client reads the response, and hands the client the response in the same wire form, so
  each library parses, decodes and raises exactly as it does over a socket.
- ``httpx``: its own transport interface (``HTTPTransport.handle_request``,
  ``AsyncHTTPTransport.handle_async_request``), with httpx's exception types.

TLS is the host's: an https connection is an https request, no certificate is read here.
"""

from __future__ import annotations

import http.client
import io
from http import HTTPStatus

from . import outgoing

# Response fields that describe the wire, not the message: the host has already decoded them.
WIRE_FIELDS = frozenset({"transfer-encoding", "connection", "keep-alive"})


def _dechunk(data: bytes) -> bytes:
    """The body of a chunked HTTP/1.1 message (RFC 9112 section 7.1)."""
    out, rest = bytearray(), data
    while rest:
        line, _, rest = rest.partition(b"\r\n")
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)


class _WireResponse(io.RawIOBase):
    """A response as a socket would deliver it: the head, then the body as it arrives."""

    def __init__(self, response: outgoing.Response) -> None:
        self.response = response
        reason = HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else ""
        fields = "".join(f"{k}: {v}\r\n" for k, v in response.headers if k.lower() not in WIRE_FIELDS)
        # "Connection: close": the body ends when the host's stream does, whatever its framing was.
        self.head = f"HTTP/1.1 {response.status} {reason}\r\n{fields}Connection: close\r\n\r\n".encode("latin-1")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            count = min(len(buffer), len(self.head))
            buffer[:count], self.head = self.head[:count], self.head[count:]
            return count
        data = self.response.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.response.close()
        super().close()


class HostSocket:
    """What an HTTP client's connection holds instead of a socket (see the module docstring).

    ``sendall`` collects the request; once it is whole (its head, then the body its
    Content-Length or chunked framing announces), it is sent, so a failure is raised
    where a socket's would be, while the client writes; ``makefile`` hands back the
    response. A connection carries one exchange: every response says ``Connection: close``.
    """

    def __init__(self, scheme: str, host: str, port: int, timeout: float | None = None) -> None:
        self.scheme, self.host, self.port, self.timeout = scheme, host, port, timeout
        self.written = bytearray()
        self.response: outgoing.Response | None = None

    def sendall(self, data) -> None:
        self.written += bytes(data)
        request = self._whole_request()
        if request is not None:
            self.written.clear()
            self.response = outgoing.send(*request, timeout=self.timeout)

    def send(self, data) -> int:
        self.sendall(data)
        return len(data)

    def _whole_request(self):
        """``(method, url, headers, body)`` once the written bytes hold a whole request, else None."""
        head, found, body = bytes(self.written).partition(b"\r\n\r\n")
        if not found:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
        names = {k.lower(): v for k, v in headers}
        if names.get("transfer-encoding", "").lower() == "chunked":
            if not (body.endswith(b"0\r\n\r\n") and (body == b"0\r\n\r\n" or body.endswith(b"\r\n0\r\n\r\n"))):
                return None
            body = _dechunk(body)
        elif "content-length" in names:
            if len(body) < int(names["content-length"]):
                return None
            body = body[:int(names["content-length"])]
        default = outgoing.DEFAULT_PORTS[self.scheme]
        authority = self.host if self.port in (None, default) else f"{self.host}:{self.port}"
        url = target if "://" in target else f"{self.scheme}://{authority}{target}"
        return method, url, headers, body or None

    def settimeout(self, timeout: float | None) -> None:
        self.timeout = timeout

    def gettimeout(self) -> float | None:
        return self.timeout

    def setsockopt(self, *args) -> None:
        pass

    def close(self) -> None:
        pass

    def makefile(self, mode: str = "rb", buffering: int | None = None):
        if self.response is None:
            raise ConnectionResetError("the request was not whole when its response was read")
        response, self.response = self.response, None
        return io.BufferedReader(_WireResponse(response))


def _connect_http_client(self) -> None:
    if getattr(self, "_tunnel_host", None):
        raise OSError("HTTP proxies (CONNECT tunnels) are not available in a component: the host makes the request")
    self.sock = HostSocket("https" if isinstance(self, http.client.HTTPSConnection) else "http",
                           self.host, self.port, self.timeout)


def _patch_http_client() -> None:
    http.client.HTTPConnection.connect = _connect_http_client
    if hasattr(http.client, "HTTPSConnection"):
        http.client.HTTPSConnection.connect = _connect_http_client


def _patch_urllib3() -> bool:
    try:
        import urllib3.connection as connection  # noqa: PLC0415 - only when the app declares it
    except ImportError:
        return False
    timeout_of = getattr(connection, "_DEFAULT_TIMEOUT", None)

    def connect(self) -> None:
        scheme = "https" if isinstance(self, connection.HTTPSConnection) else "http"
        timeout = self.timeout if isinstance(self.timeout, (int, float)) and self.timeout is not timeout_of else None
        self.sock = HostSocket(scheme, self.host, self.port, timeout)
        if scheme == "https":
            self.is_verified = True  # the host verified the peer

    connection.HTTPConnection.connect = connect
    connection.HTTPSConnection.connect = connect
    return True


def _patch_httpx() -> bool:
    try:
        import httpx  # noqa: PLC0415 - only when the app declares it
    except ImportError:
        return False

    class HostStream(httpx.SyncByteStream, httpx.AsyncByteStream):
        def __init__(self, response: outgoing.Response) -> None:
            self.response = response

        def __iter__(self):
            return iter(self.response)

        async def __aiter__(self):
            for chunk in self.response:
                yield chunk

        def close(self) -> None:
            self.response.close()

        async def aclose(self) -> None:
            self.response.close()

    def exchange(request: "httpx.Request", body) -> "httpx.Response":
        timeouts = request.extensions.get("timeout") or {}
        timeout = timeouts.get("read") or timeouts.get("connect")
        try:
            response = outgoing.send(request.method, str(request.url), request.headers.multi_items(), body, timeout)
        except TimeoutError as error:
            raise httpx.ReadTimeout(str(error), request=request) from error
        except OSError as error:  # refused, not found, not granted, reset
            raise httpx.ConnectError(str(error), request=request) from error
        return httpx.Response(response.status, headers=response.headers, stream=HostStream(response),
                              extensions={"http_version": b"HTTP/1.1"}, request=request)

    def handle_request(self, request):
        return exchange(request, request.stream)

    async def handle_async_request(self, request):
        body = b"".join([chunk async for chunk in request.stream])
        return exchange(request, body)

    httpx.HTTPTransport.handle_request = handle_request
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request
    return True


def install() -> list[str]:
    """Send http.client, urllib3 and httpx requests through the host; returns what was patched."""
    _patch_http_client()
    return ["http.client"] + (["urllib3"] if _patch_urllib3() else []) + (["httpx"] if _patch_httpx() else [])


__all__ = ["HostSocket", "install"]
