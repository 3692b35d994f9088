"""The HTTP cycle (asgiref HTTP spec 2.4: receive, send, disconnect, errors) over a fake transport."""

from __future__ import annotations

import asyncio
import io

import pytest

from fabricks_asgi.http import CHUNK, ClientDisconnected, CycleState, HTTPCycle, UnexpectedMessage
from fabricks_asgi.lifespan import make_lifespan
from fabricks_asgi.scope import build_scope

TIMEOUT = 5


def run(coro):
    """Run ``coro`` on a fresh loop; a hang fails the test instead of blocking it."""
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


class FakeTransport:
    def __init__(self, fail_after_writes: int | None = None, fail_on_finish: bool = False):
        self.events: list = []
        self.fail_after_writes = fail_after_writes
        self.flushed_at: list[int] = []  # the number of writes before each flush()
        self.fail_on_finish = fail_on_finish

    def start(self, status, headers):
        self.events.append(("start", status, headers))

    async def write(self, data):
        await asyncio.sleep(0)
        if self.fail_after_writes is not None and self.writes >= self.fail_after_writes:
            raise ConnectionError("the client went away")
        self.events.append(("write", data))

    def finish(self):
        if self.fail_on_finish:
            raise ConnectionError("the response body did not match its Content-Length")
        self.events.append(("finish",))

    def abort(self):
        self.events.append(("abort",))

    def flush(self):
        self.flushed_at.append(self.writes)

    @property
    def writes(self):
        return sum(1 for e in self.events if e[0] == "write")

    @property
    def status(self):
        return next(e[1] for e in self.events if e[0] == "start")

    @property
    def headers(self):
        return next(e[2] for e in self.events if e[0] == "start")

    @property
    def body(self):
        return b"".join(e[1] for e in self.events if e[0] == "write")

    @property
    def ending(self):
        return self.events[-1][0]


class BodyReader:
    """``read_body`` over bytes, in pieces of at most ``piece`` bytes; records the sizes asked."""

    def __init__(self, data: bytes = b"", piece: int | None = None, fail: bool = False):
        self.source = io.BytesIO(data)
        self.piece = piece
        self.fail = fail
        self.sizes: list[int] = []

    async def __call__(self, size):
        self.sizes.append(size)
        await asyncio.sleep(0)
        chunk = self.source.read(min(size, self.piece or size))
        if not chunk and self.fail:
            raise OSError("reading the request body failed: connection reset")
        return chunk


def make_scope(*, method="GET", path="/", headers=(), state=None):
    return build_scope(method=method, scheme="http", authority="testserver", path_with_query=path,
                       headers=list(headers), state=state)


def serve(app, *, method="GET", path="/", headers=(), body=b"", reader=None, transport=None,
          content_length=True):
    """Run ``app`` for one request; returns the transport and what was logged."""
    transport = transport or FakeTransport()
    headers = list(headers)
    if body and content_length:
        headers.append(("content-length", str(len(body)).encode()))
    errors = io.StringIO()
    cycle = HTTPCycle(make_scope(method=method, path=path, headers=headers), reader or BodyReader(body),
                      transport, errors)
    run(cycle.run(app))
    # Whatever happened, the transport was ended exactly once, and last.
    assert [e[0] for e in transport.events].count("finish") + [e[0] for e in transport.events].count("abort") == 1
    assert transport.ending in ("finish", "abort")
    return transport, errors.getvalue()


def respond(status=200, headers=((b"content-type", b"text/plain"),), chunks=(b"hello",)):
    """An app that sends ``chunks`` as a streamed body."""
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        for i, chunk in enumerate(chunks):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1})
        if not chunks:
            await send({"type": "http.response.body"})
    return app


def recording(messages: list, then=respond()):
    """An app that receives until the body ends, records the events, then answers with ``then``."""
    async def app(scope, receive, send):
        while True:
            message = await receive()
            messages.append(message)
            if not message.get("more_body"):
                break
        await then(scope, receive, send)
    return app


class TestFlush:
    def test_a_body_sent_in_one_message_is_never_flushed(self):
        transport, _ = serve(respond(chunks=(b"whole",)))
        assert transport.flushed_at == [] and transport.ending == "finish"

    def test_each_message_with_more_body_is_flushed(self):
        transport, _ = serve(respond(chunks=(b"a", b"b", b"c")))
        assert transport.flushed_at == [1, 2]


class TestReceive:
    def test_get_without_body_gives_one_empty_final_request_event(self):
        messages = []
        serve(recording(messages))
        assert messages == [{"type": "http.request", "body": b"", "more_body": False}]

    def test_body_with_content_length_ends_without_an_extra_read(self):
        messages, reader = [], BodyReader(b"hello")
        serve(recording(messages), method="POST", body=b"hello", reader=reader)
        assert messages == [{"type": "http.request", "body": b"hello", "more_body": False}]
        assert reader.sizes == [5]

    def test_body_without_content_length_ends_with_an_empty_event(self):
        messages = []
        serve(recording(messages), method="POST", reader=BodyReader(b"abcdef", piece=3))
        assert [(m["body"], m["more_body"]) for m in messages] == [(b"abc", True), (b"def", True), (b"", False)]

    def test_large_body_comes_in_chunks_of_at_most_64_kib(self):
        messages, data = [], bytes(range(256)) * 600
        reader = BodyReader(data)
        serve(recording(messages), method="POST", body=data, reader=reader)
        assert reader.sizes == [CHUNK, CHUNK, len(data) - 2 * CHUNK]
        assert [m["more_body"] for m in messages] == [True, True, False]
        assert b"".join(m["body"] for m in messages) == data

    def test_body_is_read_only_when_the_app_asks(self):
        reader = BodyReader(b"unread")
        serve(respond(), method="POST", body=b"unread", reader=reader)
        assert reader.sizes == []

    def test_receive_waits_for_the_response_before_disconnect(self):
        seen = []

        async def app(scope, receive, send):
            await receive()
            waiter = asyncio.ensure_future(receive())
            for _ in range(5):
                await asyncio.sleep(0)
            seen.append(("done before response", waiter.done()))
            await send({"type": "http.response.start", "status": 200})
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
            await asyncio.sleep(0)
            seen.append(("done mid-body", waiter.done()))
            await send({"type": "http.response.body", "body": b"y"})
            seen.append(await asyncio.wait_for(waiter, TIMEOUT))

        transport, _ = serve(app)
        assert seen == [("done before response", False), ("done mid-body", False), {"type": "http.disconnect"}]
        assert transport.body == b"xy"

    def test_receive_after_the_response_is_disconnect_at_once(self):
        seen = []

        async def app(scope, receive, send):
            await respond()(scope, receive, send)
            seen.append(await asyncio.wait_for(receive(), TIMEOUT))

        serve(app, method="POST", body=b"never read")
        assert seen == [{"type": "http.disconnect"}]

    def test_body_read_failure_is_a_disconnect_and_later_sends_raise(self):
        seen = []

        async def app(scope, receive, send):
            seen.append(await receive())
            seen.append(await receive())
            with pytest.raises(ClientDisconnected):
                await send({"type": "http.response.start", "status": 200})

        transport, errors = serve(app, method="POST", reader=BodyReader(b"abc", fail=True), content_length=False)
        assert seen == [{"type": "http.request", "body": b"abc", "more_body": True}, {"type": "http.disconnect"}]
        assert transport.events == [("abort",)]
        assert "connection reset" in errors and "Traceback" not in errors


class TestStatusAndHeaders:
    def test_status_and_headers_reach_the_transport(self):
        transport, errors = serve(respond(status=201))
        assert transport.status == 201 and transport.headers == [("content-type", b"text/plain")]
        assert transport.body == b"hello" and transport.ending == "finish" and errors == ""

    def test_several_set_cookie_headers_survive(self):
        cookies = [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"set-cookie", b"c=3; HttpOnly")]
        transport, _ = serve(respond(headers=cookies))
        assert [v for n, v in transport.headers if n == "set-cookie"] == [b"a=1", b"b=2", b"c=3; HttpOnly"]

    def test_header_names_are_lower_cased_and_order_kept(self):
        transport, _ = serve(respond(headers=[(b"X-B", b"2"), (b"Content-Type", b"text/html"), (b"x-a", b"1")]))
        assert transport.headers == [("x-b", b"2"), ("content-type", b"text/html"), ("x-a", b"1")]

    def test_hop_by_hop_headers_are_dropped(self):
        hop = [(b"connection", b"close"), (b"Transfer-Encoding", b"chunked"), (b"keep-alive", b"5"),
               (b"upgrade", b"h2c"), (b"te", b"trailers"), (b"trailer", b"x"), (b"proxy-connection", b"x")]
        transport, _ = serve(respond(headers=hop + [(b"x", b"y")]))
        assert transport.headers == [("x", b"y")]

    def test_missing_headers_key_means_no_headers(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 204})
            await send({"type": "http.response.body"})

        transport, _ = serve(app)
        assert transport.status == 204 and transport.headers == []

    @pytest.mark.parametrize("header", [(b"x-evil", b"a\r\nset-cookie: x=1"), (b"x-evil", b"a\nb"),
                                        (b"x\r\nevil", b"1"), (b"x-nul", b"a\0b"), (b":status", b"200")])
    def test_header_injection_is_a_500(self, header):
        transport, errors = serve(respond(headers=[header]))
        assert transport.status == 500 and "ValueError" in errors

    @pytest.mark.parametrize("header", [("x", "str"), (b"x", "str"), ("x", b"bytes")])
    def test_str_header_names_or_values_are_a_500(self, header):
        transport, errors = serve(respond(headers=[header]))
        assert transport.status == 500 and "must be bytes" in errors

    @pytest.mark.parametrize("status", ["200", 99, 600, True, None])
    def test_invalid_status_is_a_500(self, status):
        transport, errors = serve(respond(status=status))
        assert transport.status == 500 and "invalid status" in errors


class TestStreaming:
    def test_streamed_chunks_reach_the_transport_before_the_app_finishes(self):
        transport = FakeTransport()
        seen = []

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200})
            for i in range(3):
                await send({"type": "http.response.body", "body": b"%d" % i, "more_body": True})
                seen.append(transport.body)
            await send({"type": "http.response.body", "body": b""})

        serve(app, transport=transport)
        assert seen == [b"0", b"01", b"012"]
        assert [e[0] for e in transport.events] == ["start", "write", "write", "write", "finish"]

    def test_headers_are_held_until_the_first_body_message(self):
        transport = FakeTransport()
        seen = []

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200})
            seen.append(list(transport.events))
            await send({"type": "http.response.body", "body": b"", "more_body": True})
            seen.append([e[0] for e in transport.events])
            await send({"type": "http.response.body", "body": b"end"})

        serve(app, transport=transport)
        assert seen == [[], ["start"]]
        assert transport.body == b"end"

    def test_empty_chunks_are_not_written(self):
        transport, _ = serve(respond(chunks=[b"", b"a", b"", b"b", b""]))
        assert [e for e in transport.events if e[0] == "write"] == [("write", b"a"), ("write", b"b")]

    def test_bytearray_and_memoryview_bodies_are_sent_as_bytes(self):
        transport, _ = serve(respond(chunks=[bytearray(b"ab"), memoryview(b"cd")]))
        assert transport.body == b"abcd" and all(type(e[1]) is bytes for e in transport.events if e[0] == "write")

    def test_body_message_without_body_key_finishes_an_empty_response(self):
        transport, _ = serve(respond(chunks=()))
        assert transport.status == 200 and transport.body == b"" and transport.ending == "finish"


class TestNoBody:
    @pytest.mark.parametrize("method,status", [("HEAD", 200), ("GET", 204), ("GET", 304), ("GET", 103)])
    def test_no_body_bytes_are_written(self, method, status):
        transport, _ = serve(respond(status=status, chunks=[b"ignored", b"too"]), method=method)
        assert transport.status == status and transport.body == b"" and transport.ending == "finish"

    def test_head_keeps_the_apps_content_length(self):
        transport, _ = serve(respond(headers=[(b"content-length", b"5")], chunks=[b"hello"]), method="HEAD")
        assert ("content-length", b"5") in transport.headers and transport.body == b""


class TestUnexpectedMessages:
    def expect(self, first_messages, match):
        """Send ``first_messages``; the last must raise UnexpectedMessage matching ``match``."""
        async def app(scope, receive, send):
            for message in first_messages[:-1]:
                await send(message)
            with pytest.raises(UnexpectedMessage, match=match):
                await send(first_messages[-1])
            raise RuntimeError("app gives up")

        return serve(app)

    def test_body_before_start_is_unexpected(self):
        transport, _ = self.expect([{"type": "http.response.body", "body": b"x"}], "expected .*'http.response.start'")
        assert transport.status == 500

    def test_second_start_is_unexpected(self):
        start = {"type": "http.response.start", "status": 200}
        transport, _ = self.expect([start, start], "expected .*'http.response.body', got 'http.response.start'")
        assert transport.status == 500

    def test_anything_after_the_final_body_is_unexpected(self):
        messages = [{"type": "http.response.start", "status": 200}, {"type": "http.response.body", "body": b"x"},
                    {"type": "http.response.body", "body": b"more"}]
        transport, errors = self.expect(messages, "after the response was complete")
        assert transport.body == b"x" and transport.ending == "finish"
        assert "RuntimeError: app gives up" in errors

    def test_unknown_message_type_is_unexpected(self):
        transport, _ = self.expect([{"type": "websocket.accept"}], "got 'websocket.accept'")
        assert transport.status == 500

    def test_str_body_is_a_type_error(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200})
            await send({"type": "http.response.body", "body": "text"})

        transport, errors = serve(app)
        assert transport.status == 500 and "body must be bytes, not str" in errors


class TestErrors:
    def test_exception_before_start_is_a_500_logged_with_method_and_path(self):
        async def app(scope, receive, send):
            raise RuntimeError("boom")

        transport, errors = serve(app, path="/x?y=1")
        assert transport.status == 500 and transport.body == b"Internal Server Error\n"
        assert ("content-length", b"22") in transport.headers
        assert ("content-type", b"text/plain; charset=utf-8") in transport.headers
        assert "GET /x?y=1" in errors and "Traceback" in errors and "RuntimeError: boom" in errors

    def test_exception_right_after_start_is_still_a_500(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"1")]})
            raise RuntimeError("after start")

        transport, errors = serve(app)
        assert transport.status == 500 and ("x-app", b"1") not in transport.headers
        assert "RuntimeError: after start" in errors

    def test_exception_after_start_aborts_the_body(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200})
            await send({"type": "http.response.body", "body": b"partial", "more_body": True})
            raise RuntimeError("late")

        transport, errors = serve(app)
        assert transport.status == 200 and transport.body == b"partial" and transport.ending == "abort"
        assert "RuntimeError: late" in errors

    def test_head_500_has_no_body(self):
        async def app(scope, receive, send):
            raise RuntimeError("boom")

        transport, _ = serve(app, method="HEAD")
        assert transport.status == 500 and transport.body == b""

    def test_app_returning_without_a_response_is_a_500(self):
        async def app(scope, receive, send):
            pass

        transport, errors = serve(app)
        assert transport.status == 500 and "returned without completing the response, 500 sent: GET /" in errors

    def test_app_returning_after_start_without_body_is_a_500(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200})

        transport, errors = serve(app)
        assert transport.status == 500 and "500 sent" in errors

    def test_app_returning_mid_body_aborts_it(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200})
            await send({"type": "http.response.body", "body": b"half", "more_body": True})

        transport, errors = serve(app)
        assert transport.ending == "abort" and "body truncated" in errors

    def test_receive_waiting_for_disconnect_is_woken_when_the_app_fails(self):
        results = []

        async def app(scope, receive, send):
            await receive()
            results.append(asyncio.ensure_future(receive()))
            raise RuntimeError("boom")

        serve(app)
        assert results[0].result() == {"type": "http.disconnect"}


class TestClientGone:
    def test_client_gone_makes_send_raise_an_oserror_and_receive_disconnect(self):
        seen = []

        async def app(scope, receive, send):
            await receive()
            await send({"type": "http.response.start", "status": 200})
            await send({"type": "http.response.body", "body": b"a", "more_body": True})
            try:
                await send({"type": "http.response.body", "body": b"b", "more_body": True})
            except OSError as error:
                seen.append(type(error))
            with pytest.raises(ClientDisconnected):
                await send({"type": "http.response.body", "body": b"c"})
            seen.append(await asyncio.wait_for(receive(), TIMEOUT))

        transport, errors = serve(app, transport=FakeTransport(fail_after_writes=1))
        assert seen == [ClientDisconnected, {"type": "http.disconnect"}]
        assert transport.body == b"a" and transport.ending == "abort"
        assert "GET /: the client went away" in errors and "Traceback" not in errors

    def test_client_gone_error_reraised_by_the_app_is_not_logged_as_an_error(self):
        transport, errors = serve(respond(chunks=[b"a", b"b", b"c"]), transport=FakeTransport(fail_after_writes=1))
        assert transport.ending == "abort" and "Traceback" not in errors and errors.count("\n") == 1

    def test_failed_finish_aborts_and_raises_in_send(self):
        seen = []

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"9")]})
            try:
                await send({"type": "http.response.body", "body": b"short"})
            except ClientDisconnected as error:
                seen.append(str(error))

        transport, errors = serve(app, transport=FakeTransport(fail_on_finish=True))
        assert transport.ending == "abort" and "Content-Length" in seen[0] and "Content-Length" in errors

    def test_cycle_state_ends_aborted(self):
        transport = FakeTransport(fail_after_writes=0)
        cycle = HTTPCycle(make_scope(), BodyReader(), transport, io.StringIO())
        run(cycle.run(respond()))
        assert cycle.state is CycleState.ABORTED and transport.events[-1] == ("abort",)


class TestStarlette:
    """A real framework through the cycle: lifespan state, a streamed response, a request body."""

    @pytest.fixture
    def app(self):
        pytest.importorskip("starlette")
        from contextlib import asynccontextmanager

        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse, StreamingResponse
        from starlette.routing import Route

        self.progress: list = []

        @asynccontextmanager
        async def lifespan(app):
            yield {"greeting": "hello from lifespan"}

        async def stream(request):
            async def chunks():
                for i in range(3):
                    self.progress.append(self.transport.writes)
                    yield f"chunk {i}\n"
            return StreamingResponse(chunks(), media_type="text/plain")

        async def state(request):
            return PlainTextResponse(request.state.greeting)

        async def echo(request):
            return PlainTextResponse((await request.body()).decode().upper())

        async def fail(request):
            raise RuntimeError("route failed")

        return Starlette(lifespan=lifespan, routes=[Route("/stream", stream), Route("/state", state),
                                                    Route("/echo", echo, methods=["POST"]), Route("/fail", fail)])

    def request(self, app, path, *, method="GET", body=b"", transport=None):
        self.transport = transport or FakeTransport()
        errors = io.StringIO()

        async def main():
            lifespan = make_lifespan(app, "on", errors)
            await asyncio.wait_for(lifespan.startup(), TIMEOUT)
            headers = [("content-length", str(len(body)).encode())] if body else []
            scope = make_scope(method=method, path=path, headers=headers, state=lifespan.state)
            await asyncio.wait_for(HTTPCycle(scope, BodyReader(body), self.transport, errors).run(app), TIMEOUT)
            await asyncio.wait_for(lifespan.shutdown(), TIMEOUT)

        run(main())
        return self.transport, errors.getvalue()

    def test_lifespan_state_reaches_the_request(self, app):
        transport, errors = self.request(app, "/state")
        assert transport.status == 200 and transport.body == b"hello from lifespan" and errors == ""

    def test_streaming_response_is_written_chunk_by_chunk(self, app):
        transport, errors = self.request(app, "/stream")
        assert transport.status == 200 and transport.body == b"chunk 0\nchunk 1\nchunk 2\n"
        assert self.progress == [0, 1, 2]
        assert ("content-type", b"text/plain; charset=utf-8") in transport.headers
        assert transport.ending == "finish" and errors == ""

    def test_request_body_is_read(self, app):
        transport, _ = self.request(app, "/echo", method="POST", body=b"shout")
        assert transport.body == b"SHOUT"

    def test_client_gone_mid_stream_is_quiet(self, app):
        transport, errors = self.request(app, "/stream", transport=FakeTransport(fail_after_writes=1))
        assert transport.ending == "abort" and "Traceback" not in errors

    def test_route_exception_is_a_500(self, app):
        transport, errors = self.request(app, "/fail")
        assert transport.status == 500 and "RuntimeError: route failed" in errors
