"""The environ mapping (PEP 3333 "environ Variables"), one class per input shape."""

from __future__ import annotations

import io
import sys

from fabricks_wsgi.environ import build_environ, header_environ, split_authority
from fabricks_wsgi.wsgi_input import bytes_input, make_input


def make_environ(*, method="GET", scheme="http", authority="example.com:8080", path="/", headers=(),
                 body=b"", script_name=""):
    return build_environ(method=method, scheme=scheme, authority=authority, path_with_query=path,
                         headers=list(headers), body=bytes_input(body), script_name=script_name)


class TestRequiredKeys:
    def test_every_required_cgi_and_wsgi_key_is_present(self):
        environ = make_environ()
        for key in ("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME",
                    "SERVER_PORT", "SERVER_PROTOCOL", "wsgi.version", "wsgi.url_scheme", "wsgi.input",
                    "wsgi.errors", "wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once"):
            assert key in environ, key

    def test_values_are_native_strings(self):
        environ = make_environ(path="/a?b=c", headers=[("x-thing", b"v")])
        for key, value in environ.items():
            if key.isupper():
                assert type(value) is str, key

    def test_wsgi_version_scheme_and_errors(self):
        environ = make_environ(scheme="https")
        assert environ["wsgi.version"] == (1, 0)
        assert environ["wsgi.url_scheme"] == "https"
        assert environ["wsgi.errors"] is sys.stderr
        assert environ["wsgi.multithread"] is False


class TestPathAndQuery:
    def test_path_info_is_percent_decoded_query_string_raw(self):
        environ = make_environ(path="/a%20b/c%2Fd?x=%20y&z=1")
        assert environ["PATH_INFO"] == "/a b/c/d"
        assert environ["QUERY_STRING"] == "x=%20y&z=1"

    def test_path_info_utf8_bytes_carried_as_latin1(self):
        environ = make_environ(path="/caf%C3%A9")
        assert environ["PATH_INFO"] == "/caf\xc3\xa9"
        assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == "/café"

    def test_missing_path_is_root_and_empty_query(self):
        environ = make_environ(path=None)
        assert environ["PATH_INFO"] == "/" and environ["QUERY_STRING"] == ""

    def test_script_name_is_stripped_from_path_info(self):
        environ = make_environ(path="/api/users/1", script_name="/api/")
        assert environ["SCRIPT_NAME"] == "/api" and environ["PATH_INFO"] == "/users/1"

    def test_script_name_not_a_prefix_leaves_path(self):
        environ = make_environ(path="/apix/1", script_name="/api")
        assert environ["PATH_INFO"] == "/apix/1"


class TestAuthority:
    def test_host_and_port(self):
        assert split_authority("example.com:8080", "http") == ("example.com", "8080")

    def test_default_ports_by_scheme(self):
        assert split_authority("example.com", "http") == ("example.com", "80")
        assert split_authority("example.com", "https") == ("example.com", "443")

    def test_ipv6(self):
        assert split_authority("[::1]:9000", "http") == ("::1", "9000")
        assert split_authority("[::1]", "https") == ("::1", "443")

    def test_missing_authority(self):
        assert split_authority(None, "http") == ("localhost", "80")

    def test_server_port_is_a_string(self):
        assert make_environ()["SERVER_PORT"] == "8080"


class TestHeaders:
    def test_content_type_and_length_have_no_http_prefix(self):
        environ = header_environ([("content-type", b"text/plain"), ("content-length", b"5")])
        assert environ == {"CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "5"}

    def test_other_headers_are_http_prefixed_and_upper_cased(self):
        assert header_environ([("x-request-id", b"abc")]) == {"HTTP_X_REQUEST_ID": "abc"}

    def test_repeated_headers_are_joined_with_comma(self):
        environ = header_environ([("accept", b"text/html"), ("accept", b"application/json")])
        assert environ["HTTP_ACCEPT"] == "text/html, application/json"

    def test_repeated_cookie_headers_are_joined_with_semicolon(self):
        environ = header_environ([("cookie", b"a=1"), ("cookie", b"b=2")])
        assert environ["HTTP_COOKIE"] == "a=1; b=2"

    def test_underscored_header_names_are_dropped(self):
        environ = header_environ([("x_forwarded_for", b"evil"), ("x-forwarded-for", b"good")])
        assert environ == {"HTTP_X_FORWARDED_FOR": "good"}

    def test_values_decoded_as_latin1(self):
        assert header_environ([("x-name", "café".encode())])["HTTP_X_NAME"] == "café".encode().decode("latin-1")

    def test_host_header_from_authority_when_absent(self):
        assert make_environ(authority="h:1")["HTTP_HOST"] == "h:1"
        assert make_environ(authority="h:1", headers=[("host", b"other")])["HTTP_HOST"] == "other"


class TestInput:
    def test_read_all(self):
        assert make_environ(body=b"hello")["wsgi.input"].read() == b"hello"

    def test_read_sized_returns_exactly_size_until_eof(self):
        chunks = iter([b"ab", b"cd", b"ef", b""])
        stream = make_input(lambda n: next(chunks))
        assert stream.read(3) == b"abc"
        assert stream.read(10) == b"def"
        assert stream.read(1) == b""

    def test_readline_readlines_and_iteration(self):
        data = b"one\ntwo\nthree"
        assert make_environ(body=data)["wsgi.input"].readline() == b"one\n"
        assert make_environ(body=data)["wsgi.input"].readlines() == [b"one\n", b"two\n", b"three"]
        assert list(make_environ(body=data)["wsgi.input"]) == [b"one\n", b"two\n", b"three"]
        assert make_environ(body=data)["wsgi.input"].readline(2) == b"on"

    def test_body_is_read_lazily(self):
        calls = []

        def read_chunk(n):
            calls.append(n)
            return b""

        stream = make_input(read_chunk)
        assert calls == []
        stream.read(1)
        assert calls

    def test_large_body_arrives_whole(self):
        data = bytes(range(256)) * 8192  # 2 MiB
        source = io.BytesIO(data)
        assert make_input(lambda n: source.read(min(n, 4096))).read() == data

    def test_close_runs_the_callback_once(self):
        closed = []
        stream = make_input(lambda n: b"", lambda: closed.append(1))
        stream.close()
        stream.close()
        assert closed == [1]
