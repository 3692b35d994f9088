"""The response cycle (PEP 3333 start_response, write(), iterable, close, errors) over a fake transport."""

from __future__ import annotations

import io
import sys
from wsgiref.validate import validator

import pytest

from fabricks_wsgi.environ import build_environ
from fabricks_wsgi.response import ResponseCycle, encode_headers, parse_status
from fabricks_wsgi.wsgi_input import bytes_input


class FakeTransport:
    def __init__(self, fail_after_writes: int | None = None):
        self.events: list = []
        self.fail_after_writes = fail_after_writes
        self.flushed_at: list[int] = []  # the number of writes before each flush()

    def start(self, status, headers):
        self.events.append(("start", status, headers))

    def write(self, data):
        if self.fail_after_writes is not None and self.writes >= self.fail_after_writes:
            raise ConnectionError("gone")
        self.events.append(("write", data))

    @property
    def writes(self):
        return sum(1 for e in self.events if e[0] == "write")

    def finish(self):
        self.events.append(("finish",))

    def abort(self):
        self.events.append(("abort",))

    def flush(self):
        self.flushed_at.append(self.writes)

    @property
    def status(self):
        return next(e[1] for e in self.events if e[0] == "start")

    @property
    def headers(self):
        return next(e[2] for e in self.events if e[0] == "start")

    @property
    def body(self):
        return b"".join(e[1] for e in self.events if e[0] == "write")


def run(app, method="GET", path="/", transport=None, body=b""):
    transport = transport or FakeTransport()
    environ = build_environ(method=method, scheme="http", authority="localhost:80", path_with_query=path,
                            headers=[("content-length", str(len(body)).encode())] if body else [],
                            body=bytes_input(body), errors=io.StringIO())
    errors = io.StringIO()
    ResponseCycle(transport, method, errors=errors).run(app, environ)
    return transport, errors.getvalue()


def simple(status="200 OK", headers=(("Content-Type", "text/plain"),), body=(b"hello",)):
    def app(environ, start_response):
        start_response(status, list(headers))
        return list(body)
    return app


class TestStatusAndHeaders:
    def test_status_and_headers_are_sent(self):
        transport, _ = run(simple())
        assert transport.status == 200
        assert ("content-type", b"text/plain") in transport.headers
        assert transport.body == b"hello"
        assert transport.events[-1] == ("finish",)

    def test_repeated_set_cookie_headers_survive(self):
        app = simple(headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Set-Cookie", "c=3; HttpOnly")])
        transport, _ = run(app)
        assert [v for n, v in transport.headers if n == "set-cookie"] == [b"a=1", b"b=2", b"c=3; HttpOnly"]

    def test_hop_by_hop_headers_are_dropped(self):
        transport, _ = run(simple(headers=[("Connection", "close"), ("Transfer-Encoding", "chunked"), ("X", "y")]))
        assert [n for n, _ in transport.headers] == ["x", "content-length"]

    def test_single_chunk_body_gets_content_length(self):
        transport, _ = run(simple(body=[b"12345"]))
        assert ("content-length", b"5") in transport.headers

    def test_header_injection_is_a_500(self):
        transport, errors = run(simple(headers=[("X-Evil", "a\r\nSet-Cookie: x=1")]))
        assert transport.status == 500 and "control characters" in errors

    @pytest.mark.parametrize("status", ["OK", "20 OK", "2000 OK", 200])
    def test_invalid_status_is_rejected(self, status):
        with pytest.raises(ValueError):
            parse_status(status)

    def test_non_latin1_header_value_is_rejected(self):
        with pytest.raises(UnicodeEncodeError):
            encode_headers([("X", "€")])


class TestStreaming:
    def test_chunks_are_written_as_the_app_yields_them(self):
        seen = []

        def app(environ, start_response):
            start_response("200 OK", [])
            for i in range(3):
                seen.append(("yield", i))
                yield b"%d" % i

        class Recording(FakeTransport):
            def write(self, data):
                seen.append(("write", data))
                super().write(data)

        transport, _ = run(app, transport=Recording())
        assert seen == [("yield", 0), ("write", b"0"), ("yield", 1), ("write", b"1"), ("yield", 2), ("write", b"2")]

    def test_a_body_without_content_length_is_flushed_after_each_chunk(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/event-stream")])
            yield b"data: 1\n\n"
            yield b"data: 2\n\n"

        transport, _ = run(app)
        assert transport.flushed_at == [1, 2]

    def test_a_body_with_content_length_may_be_held_to_its_end(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", "4")])
            yield b"ab"
            yield b"cd"

        transport, _ = run(app)
        assert transport.flushed_at == [] and transport.body == b"abcd"
        transport, _ = run(simple(body=[b"one chunk"]))  # gets a Content-Length
        assert transport.flushed_at == []

    def test_the_write_callable_is_flushed_at_once(self):
        def app(environ, start_response):
            write = start_response("200 OK", [("Content-Length", "4")])
            write(b"ab")
            return [b"cd"]

        transport, _ = run(app)
        assert transport.flushed_at == [1] and transport.body == b"abcd"

    def test_headers_wait_for_the_first_non_empty_chunk(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            yield b""
            start_response("500 Oops", [], sys.exc_info() if False else None) if False else None
            yield b"x"

        transport, _ = run(app)
        assert transport.events[0][0] == "start" and transport.body == b"x"

    def test_write_callable_sends_immediately(self):
        def app(environ, start_response):
            write = start_response("200 OK", [])
            write(b"early ")
            return [b"late"]

        transport, _ = run(app)
        assert transport.body == b"early late"

    def test_empty_body_still_sends_headers_and_finishes(self):
        transport, _ = run(simple(body=[]))
        assert transport.status == 200 and transport.events[-1] == ("finish",)


class TestNoBody:
    @pytest.mark.parametrize("method,status", [("HEAD", "200 OK"), ("GET", "204 No Content"), ("GET", "304 Not Modified")])
    def test_no_body_is_written(self, method, status):
        transport, _ = run(simple(status=status, body=[b"ignored"]), method=method)
        assert transport.body == b""

    def test_head_keeps_the_apps_content_length(self):
        app = simple(headers=[("Content-Length", "5")], body=[b"hello"])
        transport, _ = run(app, method="HEAD")
        assert ("content-length", b"5") in transport.headers and transport.body == b""


class TestErrors:
    def test_exception_before_start_is_a_500(self):
        def app(environ, start_response):
            raise RuntimeError("boom")

        transport, errors = run(app)
        assert transport.status == 500 and transport.body == b"Internal Server Error\n"
        assert "RuntimeError: boom" in errors and "GET /" in errors

    def test_exception_after_headers_sent_aborts_the_body(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            yield b"partial"
            raise RuntimeError("late")

        transport, errors = run(app)
        assert transport.status == 200 and transport.events[-1] == ("abort",)
        assert "RuntimeError: late" in errors

    def test_exc_info_replaces_headers_not_yet_sent(self):
        def app(environ, start_response):
            start_response("200 OK", [("X-First", "1")])
            try:
                raise ValueError("x")
            except ValueError:
                start_response("500 Internal Server Error", [("X-Second", "1")], sys.exc_info())
            return [b"error page"]

        transport, _ = run(app)
        assert transport.status == 500 and [n for n, _ in transport.headers][0] == "x-second"

    def test_exc_info_after_headers_sent_reraises(self):
        def app(environ, start_response):
            write = start_response("200 OK", [])
            write(b"sent")
            try:
                raise ValueError("after")
            except ValueError:
                start_response("500 Oops", [], sys.exc_info())
            return []

        transport, errors = run(app)
        assert transport.events[-1] == ("abort",) and "ValueError: after" in errors

    def test_second_start_response_without_exc_info_is_an_error(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            start_response("200 OK", [])
            return []

        transport, errors = run(app)
        assert transport.status == 500 and "second time" in errors

    def test_str_body_is_an_error(self):
        transport, errors = run(simple(body=["text"]))
        assert transport.status == 500 and "bytes" in errors

    def test_close_is_called_on_success_and_on_error(self):
        closed = []

        class Result:
            def __init__(self, fail):
                self.fail = fail

            def __iter__(self):
                if self.fail:
                    raise RuntimeError("x")
                yield b"ok"

            def close(self):
                closed.append(self.fail)

        for fail in (False, True):
            def app(environ, start_response, fail=fail):
                start_response("200 OK", [])
                return Result(fail)

            run(app)
        assert closed == [False, True]

    def test_client_gone_aborts_and_closes(self):
        closed = []

        class Result(list):
            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response("200 OK", [])
            return Result([b"a", b"b", b"c"])

        transport, errors = run(app, transport=FakeTransport(fail_after_writes=1))
        assert transport.events[-1] == ("abort",) and closed == [True] and "gone" in errors


class TestValidator:
    """wsgiref.validate checks the server side too: the environ and start_response we provide."""

    def test_environ_and_cycle_pass_wsgiref_validator(self):
        def inner(environ, start_response):
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
            return [b"got ", body]

        transport, errors = run(validator(inner), method="POST", path="/v?x=1", body=b"payload")
        assert errors == "" and transport.status == 200 and transport.body == b"got payload"
