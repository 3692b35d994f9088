"""The ``http`` connection scope (asgiref HTTP spec 2.4, "HTTP Connection Scope"), one class per input shape."""

from __future__ import annotations

import pytest

from fabricks_asgi.scope import build_scope, split_authority


def make_scope(*, method="GET", scheme="http", authority="example.com:8080", path="/", headers=(),
               root_path="", state=None):
    return build_scope(method=method, scheme=scheme, authority=authority, path_with_query=path,
                       headers=list(headers), root_path=root_path, state=state)


class TestRequiredKeys:
    def test_every_spec_key_is_present_with_its_type(self):
        scope = make_scope(path="/a?b=c", headers=[("x-thing", b"v")])
        assert scope["type"] == "http"
        assert scope["asgi"] == {"version": "3.0", "spec_version": "2.4"}
        assert scope["http_version"] == "1.1"
        for key, kind in [("method", str), ("scheme", str), ("path", str), ("raw_path", bytes),
                          ("query_string", bytes), ("root_path", str), ("headers", list)]:
            assert type(scope[key]) is kind, key

    def test_method_is_upper_case(self):
        assert make_scope(method="patch")["method"] == "PATCH"

    def test_client_is_none_because_the_host_does_not_give_it(self):
        assert make_scope()["client"] is None

    def test_scheme_is_passed_through(self):
        assert make_scope(scheme="https")["scheme"] == "https"


class TestPathAndQuery:
    def test_path_is_percent_decoded_raw_path_and_query_are_not(self):
        scope = make_scope(path="/a%20b/c%2Fd?x=%20y&z=1")
        assert scope["path"] == "/a b/c/d"
        assert scope["raw_path"] == b"/a%20b/c%2Fd"
        assert scope["query_string"] == b"x=%20y&z=1"

    def test_utf8_bytes_are_decoded_into_characters(self):
        assert make_scope(path="/caf%C3%A9")["path"] == "/café"

    def test_invalid_utf8_becomes_replacement_character_as_in_uvicorn(self):
        scope = make_scope(path="/bad%FF")
        assert scope["path"] == "/bad\ufffd" and scope["raw_path"] == b"/bad%FF"

    def test_missing_path_is_root_and_empty_query(self):
        scope = make_scope(path=None)
        assert scope["path"] == "/" and scope["raw_path"] == b"/" and scope["query_string"] == b""

    def test_only_the_first_question_mark_splits(self):
        scope = make_scope(path="/p?a=1?b=2")
        assert scope["path"] == "/p" and scope["query_string"] == b"a=1?b=2"

    def test_empty_query_after_question_mark(self):
        assert make_scope(path="/p?")["query_string"] == b""


class TestRootPath:
    def test_path_keeps_the_root_path_so_stripping_it_gives_path_info(self):
        scope = make_scope(path="/api/users/1", root_path="/api/")
        assert scope["root_path"] == "/api" and scope["path"] == "/api/users/1"
        assert scope["path"][len(scope["root_path"]):] == "/users/1"

    def test_root_path_defaults_to_empty(self):
        assert make_scope()["root_path"] == ""

    def test_root_path_not_a_prefix_leaves_path_alone(self):
        assert make_scope(path="/other", root_path="/api")["path"] == "/other"


class TestHeaders:
    def test_names_are_lower_case_bytes_values_bytes_in_arrival_order(self):
        scope = make_scope(headers=[("Host", b"h"), ("X-B", b"2"), ("Accept", b"*/*")])
        assert scope["headers"] == [(b"host", b"h"), (b"x-b", b"2"), (b"accept", b"*/*")]

    def test_repeated_fields_are_kept_separately(self):
        scope = make_scope(headers=[("host", b"h"), ("cookie", b"a=1"), ("x", b"1"), ("cookie", b"b=2")])
        assert [v for n, v in scope["headers"] if n == b"cookie"] == [b"a=1", b"b=2"]

    def test_missing_host_is_added_first_from_the_authority(self):
        scope = make_scope(authority="example.com", headers=[("accept", b"*/*")])
        assert scope["headers"][0] == (b"host", b"example.com")

    def test_present_host_is_not_duplicated(self):
        scope = make_scope(authority="a.example", headers=[("host", b"b.example")])
        assert [v for n, v in scope["headers"] if n == b"host"] == [b"b.example"]

    def test_no_authority_and_no_host_adds_nothing(self):
        assert make_scope(authority=None)["headers"] == []


class TestServer:
    @pytest.mark.parametrize("authority,scheme,expected", [
        ("example.com:8080", "http", ("example.com", 8080)),
        ("example.com", "http", ("example.com", 80)),
        ("example.com", "https", ("example.com", 443)),
        ("[::1]:8443", "https", ("::1", 8443)),
        ("[::1]", "http", ("::1", 80)),
        ("user:pw@example.com:81", "http", ("example.com", 81)),
        ("example.com:", "https", ("example.com", 443)),
        ("example.com", "ftp", ("example.com", None)),
    ])
    def test_authority_is_split_into_host_and_int_port(self, authority, scheme, expected):
        assert split_authority(authority, scheme) == expected

    def test_missing_authority_is_none(self):
        assert make_scope(authority=None)["server"] is None
        assert split_authority("", "http") is None

    def test_server_comes_from_the_authority(self):
        assert make_scope(authority="[::1]:80")["server"] == ("::1", 80)


class TestState:
    def test_state_is_a_shallow_copy_of_the_lifespan_state(self):
        pool = object()
        state = {"pool": pool}
        scope = make_scope(state=state)
        assert scope["state"] == state and scope["state"] is not state
        assert scope["state"]["pool"] is pool
        scope["state"]["per_request"] = 1
        assert "per_request" not in state

    def test_no_state_key_without_lifespan_state(self):
        assert "state" not in make_scope()

    def test_each_scope_gets_its_own_asgi_dict(self):
        first = make_scope()
        first["asgi"]["version"] = "2.0"
        assert make_scope()["asgi"]["version"] == "3.0"
