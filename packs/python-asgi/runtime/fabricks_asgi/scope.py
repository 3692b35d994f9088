"""Build an ASGI HTTP connection scope from the parts of a wasi:http incoming-request.

Follows the asgiref "HTTP & WebSocket ASGI Message Format", section "HTTP
Connection Scope" (spec version 2.4). Pure functions, no WASI imports: the same
code runs in the component, in the build-time warm-up, and in the host's unit tests.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

ASGI_VERSION = {"version": "3.0", "spec_version": "2.4"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def split_authority(authority: str | None, scheme: str) -> tuple[str, int | None] | None:
    """Split an HTTP authority into the scope's ``server`` pair ``(host, port)``.

    ``"example.com:8080"`` -> ``("example.com", 8080)``; ``"[::1]:80"`` ->
    ``("::1", 80)``; a missing or non-numeric port is the scheme's default (``None``
    for a scheme without one, as spec 2.2 allows); a missing authority is ``None``
    ("if missing defaults to None").
    """
    if not authority:
        return None
    authority = authority.rsplit("@", 1)[-1]
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    return host, int(port) if port.isdigit() else _DEFAULT_PORTS.get(scheme)


def scope_headers(headers: list[tuple[str, bytes]], authority: str | None) -> list[tuple[bytes, bytes]]:
    """Request fields as ``(name, value)`` byte pairs: names lower-cased, order and repeats kept.

    When no Host field arrived (HTTP/2 carries ``:authority`` instead), the authority
    is added first as ``host``, as the "HTTP Connection Scope" ``headers`` key asks.
    """
    out = [(name.lower().encode("latin-1"), bytes(value)) for name, value in headers]
    if authority and not any(name == b"host" for name, _ in out):
        out.insert(0, (b"host", authority.encode("latin-1")))
    return out


def build_scope(
    *,
    method: str,
    scheme: str,
    authority: str | None,
    path_with_query: str | None,
    headers: list[tuple[str, bytes]],
    root_path: str = "",
    state: dict | None = None,
) -> dict:
    """Return the ``http`` connection scope for one request.

    Args:
        method: the request method; upper-cased here.
        scheme: ``"http"`` or ``"https"``.
        authority: the request's authority (``"host:port"``), or ``None``.
        path_with_query: the request target, e.g. ``"/a%20b?x=1"``; ``None`` is ``"/"``.
        headers: ``(name, value)`` field pairs in arrival order; repeats allowed.
        root_path: the mount point (``SCRIPT_NAME`` in WSGI), without a trailing slash.
        state: the lifespan state; the scope gets a shallow copy (lifespan spec,
            "Lifespan State"), and no ``state`` key when ``None``.

    ``path`` is percent-decoded UTF-8; invalid UTF-8 becomes U+FFFD, as uvicorn's
    ``urllib.parse.unquote`` does, while ``raw_path`` keeps the exact bytes. ``path``
    is the path as the request carried it, so it already includes ``root_path``:
    the spec's "WSGI Compatibility" derives ``PATH_INFO`` by stripping ``root_path``
    from ``path``. (uvicorn prepends ``root_path`` instead, because it assumes a
    proxy removed the prefix; the host forwards the path unchanged.)
    ``client`` is ``None``: wasi:http does not give the peer's address.
    """
    target = path_with_query or "/"
    raw_path, _, query = target.partition("?")
    raw = raw_path.encode("utf-8")
    scope = {
        "type": "http",
        "asgi": dict(ASGI_VERSION),
        # wasi:http 0.2 does not expose the protocol version; wasmtime serve speaks HTTP/1.1.
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": scheme,
        "path": unquote_to_bytes(raw).decode("utf-8", "replace"),
        "raw_path": raw,
        "query_string": query.encode("utf-8"),
        "root_path": root_path.rstrip("/"),
        "headers": scope_headers(headers, authority),
        "client": None,
        "server": split_authority(authority, scheme),
    }
    if state is not None:
        scope["state"] = dict(state)
    return scope
