"""The HTTP rules every Python bridge applies, written once (RFC 9110).

Pure Python (no WASI import), so the bridges' unit tests run it on the build machine.
"""

from __future__ import annotations

# Hop-by-hop fields (RFC 9110 section 7.6.1, and HTTP/2's HTTP2-Settings) are the server's
# business, and the host refuses some of them; PEP 3333 forbids WSGI apps to send them and ASGI's
# "Response Start" says servers ignore Transfer-Encoding. Dropped from responses, as gunicorn
# and uvicorn do.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "http2-settings"}
)
# Fields wasmtime-wasi-http refuses in a request a component sends (its DEFAULT_FORBIDDEN_HEADERS).
HOST_FORBIDDEN = HOP_BY_HOP | {"host", "proxy-authenticate", "proxy-authorization"}
INTERNAL_ERROR = b"Internal Server Error\n"


def body_forbidden(method: str, status: int) -> bool:
    """True when the response carries no content: HEAD, 1xx, 204, 304 (RFC 9110 sections 6.4.1, 9.3.2)."""
    return method == "HEAD" or status in (204, 304) or 100 <= status < 200


def plain_response(status: int, text: bytes, method: str) -> tuple[int, list[tuple[str, bytes]], bytes]:
    """A short ``text/plain`` response the bridge writes itself (a 500 after an app's exception,
    a 501 for a WebSocket upgrade): ``(status, header fields, body)``. The Content-Length is the
    text's; the body is empty where :func:`body_forbidden` says so (a HEAD request)."""
    headers = [("content-type", b"text/plain; charset=utf-8"), ("content-length", str(len(text)).encode())]
    return status, headers, b"" if body_forbidden(method, status) else text
