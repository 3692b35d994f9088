"""Outbound HTTP's pure parts (fabricks_runtime.outgoing*), on the host with the WASI bindings faked."""

from __future__ import annotations

import sys
import types

import pytest


@pytest.fixture()
def modules(monkeypatch):
    """outgoing and outgoing_adapters imported against stand-in WASI bindings."""
    fake = {name: types.ModuleType(name) for name in (
        "componentize_py_types", "wit_world", "wit_world.imports", "wit_world.imports.outgoing_handler",
        "wit_world.imports.types", "wit_world.imports.streams")}
    fake["componentize_py_types"].Ok = type("Ok", (), {})
    fake["componentize_py_types"].Err = type("Err", (Exception,), {})
    fake["wit_world.imports.streams"].StreamError_Closed = type("StreamError_Closed", (), {})
    for name in ("Method_Get", "Method_Head", "Method_Post", "Method_Put", "Method_Delete", "Method_Connect",
                 "Method_Options", "Method_Trace", "Method_Patch"):
        setattr(fake["wit_world.imports.types"], name, type(name, (), {}))
    fake["wit_world.imports"].outgoing_handler = fake["wit_world.imports.outgoing_handler"]
    fake["wit_world.imports"].types = fake["wit_world.imports.types"]
    for name, module in fake.items():
        monkeypatch.setitem(sys.modules, name, module)
    for name in ("fabricks_runtime.outgoing", "fabricks_runtime.outgoing_adapters"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    from fabricks_runtime import outgoing, outgoing_adapters

    return outgoing, outgoing_adapters


@pytest.mark.parametrize("grants, host, port, expected", [
    (["127.0.0.1:*"], "127.0.0.1", 8080, True),
    (["127.0.0.1:*"], "localhost", 8080, False),
    (["api.example.com:443"], "API.example.com", 443, True),
    (["api.example.com:443"], "api.example.com", 80, False),
    (["*.internal:8080"], "a.b.internal", 8080, True),
    (["*.internal:8080"], "internal", 8080, False),
    (["*:*"], "anything.at.all", 1, True),
    ([], "127.0.0.1", 80, False),
])
def test_grants_match_host_and_port(modules, monkeypatch, grants, host, port, expected):
    outgoing, _ = modules
    monkeypatch.delenv("FABRICKS_NETWORK_CONNECT", raising=False)
    outgoing.install(grants)
    assert outgoing.granted(host, port) is expected


def test_the_host_adds_grants_at_run_time(modules, monkeypatch):
    outgoing, _ = modules
    outgoing.install([])
    monkeypatch.setenv("FABRICKS_NETWORK_CONNECT", "127.0.0.1:8081, localhost:8081")
    assert outgoing.granted("localhost", 8081) and not outgoing.granted("localhost", 8082)


def test_a_request_is_sent_once_whole(modules, monkeypatch):
    """Head and body may arrive in pieces; chunked bodies are de-chunked (RFC 9112 7.1)."""
    outgoing, adapters = modules
    sent = []
    monkeypatch.setattr(outgoing, "send", lambda *args, timeout=None: sent.append(args) or "response")
    sock = adapters.HostSocket("http", "example.org", 8080, timeout=5)
    sock.sendall(b"POST /up?x=1 HTTP/1.1\r\nHost: example.org:8080\r\nTransfer-Encoding: chunked\r\n\r\n")
    sock.sendall(b"5\r\nhello\r\n")
    assert sent == []
    sock.sendall(b"6\r\n world\r\n0\r\n\r\n")
    method, url, headers, body = sent[0]
    assert (method, url, body) == ("POST", "http://example.org:8080/up?x=1", b"hello world")
    sock.sendall(b"GET /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nab")
    assert len(sent) == 1
    sock.sendall(b"c")
    assert sent[1] == ("GET", "http://example.org:8080/a", [("Content-Length", "3")], b"abc")
