"""The standard library the app expects, in a component whose CPython has no OpenSSL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fabricks.resolve import Flags

from .harness import ComponentServer, Req, build_app, send

pytestmark = pytest.mark.e2e
APPS = Path(__file__).resolve().parents[1] / "apps"


@pytest.mark.parametrize("flags", [Flags(), Flags(framework="asgi", app="app:asgi_app")], ids=["wsgi", "asgi"])
def test_ssl_imports_and_contexts_configure_but_no_socket_is_wrapped(flags) -> None:
    """httpx and PyJWT import ssl and build contexts at import; TLS itself is the host's job.
    Through both bridges: each pack starts the interpreter its own way."""
    with ComponentServer(build_app(APPS / "ssl-import", flags)) as component:
        answer = json.loads(send(component.url, Req("GET", "/")).text)
        assert answer == {"verify_mode": 2, "check_hostname": True, "minimum_version": 771,
                          "purpose": "SERVER_AUTH", "has_sni": True, "httpx": answer["httpx"]}
        wrapped = send(component.url, Req("GET", "/wrap")).text
        assert wrapped.startswith("SSLError: cannot run TLS over memory BIOs (example.org)"), wrapped
        assert "the host does TLS for outgoing HTTP" in wrapped
