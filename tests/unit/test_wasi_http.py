"""The Python bridges' wasi:http plumbing (fabricks_runtime.wasi_http), on the host with the WASI
bindings faked: which resource calls a request costs, and in which order resources are dropped."""

from __future__ import annotations

import dataclasses
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
        "wit_world.imports.streams", "wit_world.exports", "wit_world.exports.handler")}
    fake["componentize_py_types"].Ok = lambda value: ("ok", value)

    class Err(Exception):
        def __init__(self, value):
            super().__init__(value)
            self.value = value

    fake["componentize_py_types"].Err = Err
    fake["wit_world.imports.streams"].StreamError_Closed = type("StreamError_Closed", (), {})
    kinds = fake["wit_world.imports.types"]

    @dataclasses.dataclass
    class Request:  # fabricks:shell/handler's records, as componentize-py makes them
        method: str
        scheme: str
        authority: str
        path_with_query: str
        headers: list
        body: bytes
        rest: object
        body_error: object = None

    @dataclasses.dataclass
    class Response:
        status: int
        headers: list
        body: bytes
        out: object

    fake["wit_world.exports.handler"].Request = Request
    fake["wit_world.exports.handler"].Response = Response

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

    def request(body: bytes, rest: list[bytes] | None = None):
        """The shell's request record: ``body`` read by it, ``rest`` the stream's chunks after."""
        stream = None if rest is None else (Stream("input-stream", rest), IncomingBody("incoming-body"))
        return Request("POST", "http", "localhost", "/", [("content-length", b"1")], body, stream)

    return wasi_http, calls, request


def test_a_body_the_shell_read_costs_no_resource_call(wasi_http):
    module, calls, request = wasi_http
    body = module.RequestBody(request(b"hello world"))
    assert body.read_chunk(5) == b"hello"
    assert body.read_chunk(100) == b" world"
    assert body.read_chunk(100) == b""
    body.close()
    assert calls == []


def test_a_longer_body_reads_on_from_its_stream_and_drops_it_first(wasi_http):
    module, calls, request = wasi_http
    body = module.RequestBody(request(b"head-", [b"tail"]))
    assert body.read_chunk(10) == b"head-"
    assert calls == []
    assert body.read_chunk(10) == b"tail"
    assert body.read_chunk(10) == b""  # the stream closed: the body is finished there
    assert body.read_chunk(10) == b""
    body.close()
    assert calls == ["input-stream.blocking_read", "input-stream.blocking_read",
                     "drop input-stream", "IncomingBody.finish", "drop future-trailers"]


def test_a_body_that_broke_off_raises_after_the_bytes_that_came(wasi_http):
    module, calls, request = wasi_http
    record = request(b"part")
    record.body_error = "connection reset"
    body = module.RequestBody(record)
    assert body.read_chunk(10) == b"part"
    with pytest.raises(OSError, match="connection reset"):
        body.read_chunk(10)


def test_a_whole_response_goes_back_to_the_shell_without_a_resource_call(wasi_http):
    module, calls, _ = wasi_http
    out = object()
    writer = module.ResponseWriter(out, "GET")
    writer.start(404, [("set-cookie", b"a=1"), ("set-cookie", b"b=2")])
    writer.write(b"not ")
    writer.write(b"found")
    writer.finish()
    response = writer.complete()
    assert calls == []
    assert (response.status, response.headers, response.body, response.out) == (
        404, [("set-cookie", b"a=1"), ("set-cookie", b"b=2")], b"not found", out)


def test_a_response_longer_than_the_hold_limit_is_streamed(wasi_http):
    module, calls, _ = wasi_http
    writer = module.ResponseWriter(object(), "GET")
    writer.start(200, [])
    writer.write(b"x" * module.HOLD_LIMIT)
    assert calls == []
    writer.write(b"y")
    assert calls[:4] == ["Fields.from_list", "OutgoingResponse", "response.body", "ResponseOutparam.set"]
    writer.finish()
    assert writer.complete() is None
    assert calls[-2:] == ["drop output-stream", "OutgoingBody.finish"]


@pytest.mark.parametrize("status, sets_status", [(200, False), (404, True), (500, True)])
def test_a_flushed_response_sets_the_status_only_when_it_is_not_wasi_http_s_default(wasi_http, status, sets_status):
    module, calls, _ = wasi_http
    writer = module.ResponseWriter(object(), "GET")
    writer.start(status, [("content-type", b"text/plain")])
    writer.write(b"x" * 5000)
    writer.flush()
    writer.finish()
    assert writer.complete() is None
    assert (f"set_status_code {status}" in calls) is sets_status
    assert calls[-4:] == ["output-stream.write 4096", "output-stream.write 904", "drop output-stream",
                          "OutgoingBody.finish"]
