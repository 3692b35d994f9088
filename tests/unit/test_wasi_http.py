"""The Python bridges' wasi:http plumbing (fabricks_runtime.wasi_http), on the host with the WASI
bindings faked: which resource calls a request costs, and in which order resources are dropped."""

from __future__ import annotations

import importlib
import sys
import types

import pytest


@pytest.fixture()
def wasi_http(monkeypatch):
    """fabricks_runtime.wasi_http imported against stand-in bindings; returns (module, calls)."""
    calls: list[str] = []
    fake = {name: types.ModuleType(name) for name in (
        "componentize_py_types", "wit_world", "wit_world.imports", "wit_world.imports.types",
        "wit_world.imports.streams")}
    fake["componentize_py_types"].Ok = lambda value: ("ok", value)

    class Err(Exception):
        def __init__(self, value):
            super().__init__(value)
            self.value = value

    fake["componentize_py_types"].Err = Err
    fake["wit_world.imports.streams"].StreamError_Closed = type("StreamError_Closed", (), {})
    kinds = fake["wit_world.imports.types"]
    for name in ("Method_Other", "Scheme_Http", "Scheme_Https", "IncomingRequest"):
        setattr(kinds, name, type(name, (), {}))

    class Resource:
        def __init__(self, name):
            self.name = name

        def __exit__(self, *exc):
            calls.append(f"drop {self.name}")

    class Stream(Resource):
        def __init__(self, name, chunks=()):
            super().__init__(name)
            self.chunks = list(chunks)

        def blocking_read(self, size):
            calls.append(f"{self.name}.blocking_read")
            if not self.chunks:
                raise fake["componentize_py_types"].Err(fake["wit_world.imports.streams"].StreamError_Closed())
            return self.chunks.pop(0)

        def blocking_write_and_flush(self, data):
            calls.append(f"{self.name}.write {len(data)}")

    class IncomingBody(Resource):
        def stream(self):
            calls.append("body.stream")
            return Stream("input-stream", [b"hello"])

        @staticmethod
        def finish(body):
            calls.append("IncomingBody.finish")
            return Resource("future-trailers")

    class OutgoingBody(Resource):
        def write(self):
            calls.append("outgoing-body.write")
            return Stream("output-stream")

        @staticmethod
        def finish(body, trailers):
            calls.append("OutgoingBody.finish")

    class OutgoingResponse(Resource):
        def __init__(self, fields):
            super().__init__("outgoing-response")
            calls.append("OutgoingResponse")

        def set_status_code(self, status):
            calls.append(f"set_status_code {status}")

        def body(self):
            calls.append("response.body")
            return OutgoingBody("outgoing-body")

    class Fields:
        @staticmethod
        def from_list(entries):
            calls.append("Fields.from_list")
            return Resource("fields")

    class ResponseOutparam:
        @staticmethod
        def set(out, response):
            calls.append("ResponseOutparam.set")

    kinds.IncomingBody, kinds.OutgoingBody, kinds.OutgoingResponse = IncomingBody, OutgoingBody, OutgoingResponse
    kinds.Fields, kinds.ResponseOutparam = Fields, ResponseOutparam
    fake["wit_world.imports"].types, fake["wit_world.imports"].streams = kinds, fake["wit_world.imports.streams"]
    for name, module in fake.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "fabricks_runtime.wasi_http", raising=False)
    # import_module, not `from fabricks_runtime import`: that would return the package's
    # attribute, the module an earlier test imported against its own fakes.
    wasi_http = importlib.import_module("fabricks_runtime.wasi_http")

    class Request:
        def consume(self):
            calls.append("request.consume")
            return IncomingBody("incoming-body")

    return wasi_http, calls, Request


def test_a_body_never_read_is_never_consumed(wasi_http):
    module, calls, Request = wasi_http
    body = module.RequestBody(Request())
    body.close()
    assert calls == []


def test_a_body_is_consumed_at_the_first_read_and_dropped_stream_first(wasi_http):
    module, calls, Request = wasi_http
    body = module.RequestBody(Request())
    assert calls == []
    assert body.read_chunk(10) == b"hello"
    assert body.read_chunk(10) == b""  # the stream closed: the body is finished there
    assert body.read_chunk(10) == b""
    body.close()
    assert calls == ["request.consume", "body.stream", "input-stream.blocking_read", "input-stream.blocking_read",
                     "drop input-stream", "IncomingBody.finish", "drop future-trailers"]


@pytest.mark.parametrize("status, sets_status", [(200, False), (404, True), (500, True)])
def test_the_status_is_set_only_when_it_is_not_wasi_http_s_default(wasi_http, status, sets_status):
    module, calls, _ = wasi_http
    writer = module.ResponseWriter(object(), "GET")
    writer.start(status, [("content-type", b"text/plain")])
    writer.write(b"x" * 5000)
    writer.finish()
    writer.complete()
    assert (f"set_status_code {status}" in calls) is sets_status
    assert calls[-4:] == ["output-stream.write 4096", "output-stream.write 904", "drop output-stream",
                          "OutgoingBody.finish"]
