"""Build a PEP 3333 environ from the parts of a wasi:http incoming-request.

Pure functions, no WASI imports: the same code runs in the component, in the
build-time warm-up, and in the host's unit tests.
"""

from __future__ import annotations

import sys
from typing import IO, Iterable
from urllib.parse import unquote_to_bytes
from wsgiref.util import FileWrapper

# Headers that become CONTENT_TYPE / CONTENT_LENGTH rather than HTTP_* (PEP 3333, "environ Variables").
_UNPREFIXED = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def split_authority(authority: str | None, scheme: str) -> tuple[str, str]:
    """Split an HTTP authority into ``(SERVER_NAME, SERVER_PORT)``, both str.

    ``"example.com:8080"`` -> ``("example.com", "8080")``; ``"[::1]:80"`` ->
    ``("::1", "80")``; a missing port is the scheme's default; a missing authority
    is ``("localhost", default port)``.
    """
    default = _DEFAULT_PORTS.get(scheme, "80")
    if not authority:
        return "localhost", default
    authority = authority.rsplit("@", 1)[-1]
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    return host, port or default


def header_environ(headers: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """Map request header fields to CONTENT_TYPE, CONTENT_LENGTH and HTTP_* keys.

    Values are decoded as latin-1 (PEP 3333 "native strings"). Repeated fields are
    joined with ``", "`` (RFC 9110 section 5.3), except Cookie, joined with ``"; "``
    (RFC 6265 section 5.4). Field names containing ``_`` are dropped, as gunicorn
    and nginx do, because ``X_Forwarded_For`` would otherwise impersonate
    ``X-Forwarded-For`` once both become ``HTTP_X_FORWARDED_FOR``.
    """
    environ: dict[str, str] = {}
    for name, value in headers:
        name = name.lower()
        if "_" in name:
            continue
        key = _UNPREFIXED.get(name) or "HTTP_" + name.upper().replace("-", "_")
        text = value.decode("latin-1")
        if key in environ:
            sep = "; " if key == "HTTP_COOKIE" else ", "
            environ[key] = environ[key] + sep + text
        else:
            environ[key] = text
    return environ


def build_environ(
    *,
    method: str,
    scheme: str,
    authority: str | None,
    path_with_query: str | None,
    headers: Iterable[tuple[str, bytes]],
    body: IO[bytes],
    script_name: str = "",
    errors: IO[str] | None = None,
    multiprocess: bool = True,
    run_once: bool = False,
) -> dict:
    """Return the WSGI environ for one request (PEP 3333, "environ Variables").

    Args:
        method: the request method, upper case (``"GET"``).
        scheme: ``"http"`` or ``"https"`` (``wsgi.url_scheme``).
        authority: the request's authority (``"host:port"``), or ``None``.
        path_with_query: the request target, e.g. ``"/a%20b?x=1"``; ``None`` is ``"/"``.
        headers: ``(name, value)`` field pairs in arrival order; repeats allowed.
        body: the ``wsgi.input`` stream (binary, readable).
        script_name: the mount point (``SCRIPT_NAME``), without a trailing slash;
            when the path starts with it, it is removed from ``PATH_INFO``.
        errors: ``wsgi.errors``; defaults to ``sys.stderr``.

    PATH_INFO is percent-decoded and carried as a latin-1 native string, as every
    WSGI server does; QUERY_STRING stays raw. The Host field wins over the
    authority for SERVER_NAME only through ``HTTP_HOST``, as PEP 3333's URL
    reconstruction expects.
    """
    target = path_with_query or "/"
    raw_path, _, query = target.partition("?")
    path = unquote_to_bytes(raw_path).decode("latin-1")
    script_name = script_name.rstrip("/")
    if script_name and (path == script_name or path.startswith(script_name + "/")):
        path = path[len(script_name):]
    server_name, server_port = split_authority(authority, scheme)

    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        # wasi:http 0.2 does not expose the protocol version; wasmtime serve speaks HTTP/1.1.
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "fabricks-wsgi",
        "RAW_URI": target,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": body,
        "wsgi.errors": errors if errors is not None else sys.stderr,
        "wsgi.multithread": False,
        # Each component instance is isolated like a process; the host runs several.
        "wsgi.multiprocess": multiprocess,
        "wsgi.run_once": run_once,
        # wsgi.input returns EOF at the end of the body, chunked or not (as gunicorn).
        "wsgi.input_terminated": True,
        "wsgi.file_wrapper": FileWrapper,
    }
    environ.update(header_environ(headers))
    if "HTTP_HOST" not in environ and authority:
        environ["HTTP_HOST"] = authority
    return environ
