"""The CGI gateway's pure parts (RFC 3875): routing, meta-variables, output parsing, one run."""

from __future__ import annotations

import io
import os
import sys

import pytest

from fabricks_cgi.gateway import Gateway, Script, ScriptOutputError, load_scripts, meta_variables, parse_output, route


def script(name: str, source: str = "", path: str = "/0/cgi-bin/s.py") -> Script:
    return Script(name, path, compile(source, path, "exec"))


class TestRoute:
    scripts = {"/cgi-bin/a.py": script("/cgi-bin/a.py"), "/cgi-bin/ab.py": script("/cgi-bin/ab.py")}

    def test_script_and_path_info(self):
        found, path_info = route(self.scripts, "/cgi-bin/a.py/x/y")
        assert (found.script_name, path_info) == ("/cgi-bin/a.py", "/x/y")

    def test_a_prefix_must_end_at_a_segment(self):
        assert route(self.scripts, "/cgi-bin/ab.py")[0].script_name == "/cgi-bin/ab.py"
        assert route(self.scripts, "/cgi-bin/a.pyc") is None
        assert route(self.scripts, "/") is None

    def test_a_single_script_serves_every_path(self):
        found, path_info = route({"": script("")}, "/any/thing")
        assert (found.script_name, path_info) == ("", "/any/thing")


class TestMetaVariables:
    environ = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "/api", "PATH_INFO": "/cgi-bin/a.py/x", "QUERY_STRING": "q=1",
               "SERVER_NAME": "example.com", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
               "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "3", "HTTP_COOKIE": "a=1", "HTTP_X_TRACE": "t",
               "HTTP_AUTHORIZATION": "Basic c2VjcmV0", "wsgi.input": io.BytesIO(b"abc")}

    def test_rfc_3875_variables(self):
        env = meta_variables(self.environ, script("/cgi-bin/a.py", path="/0/cgi-bin/a.py"), "/x", {"GRANTED": "yes"})
        assert env["GATEWAY_INTERFACE"] == "CGI/1.1" and env["REQUEST_METHOD"] == "POST"
        assert (env["SCRIPT_NAME"], env["PATH_INFO"], env["PATH_TRANSLATED"]) == ("/api/cgi-bin/a.py", "/x", "/0/x")
        assert (env["QUERY_STRING"], env["CONTENT_TYPE"], env["CONTENT_LENGTH"]) == ("q=1", "text/plain", "3")
        assert (env["HTTP_COOKIE"], env["HTTP_X_TRACE"], env["GRANTED"]) == ("a=1", "t", "yes")
        assert "HTTP_AUTHORIZATION" not in env  # credentials are not passed on (4.1.18)
        assert "wsgi.input" not in env

    def test_no_body_no_content_type(self):
        env = meta_variables({"REQUEST_METHOD": "GET"}, script("/s"), "", {})
        assert env["CONTENT_LENGTH"] == "" and "CONTENT_TYPE" not in env and "PATH_TRANSLATED" not in env


class TestParseOutput:
    def test_document_response(self):
        assert parse_output(b"Content-Type: text/plain\nX-A: 1\nX-A: 2\n\nbody\n\nmore") == \
            ("200 OK", [("Content-Type", "text/plain"), ("X-A", "1"), ("X-A", "2")], b"body\n\nmore")

    def test_crlf_and_status(self):
        assert parse_output(b"Status: 404\r\nContent-Type: text/plain\r\n\r\nno") == \
            ("404 Not Found", [("Content-Type", "text/plain")], b"no")
        assert parse_output(b"Status: 299 Fine\n\n")[0] == "299 Fine"

    def test_location_alone_redirects(self):
        assert parse_output(b"Location: https://example.com/\n\n") == ("302 Found", [("Location", "https://example.com/")], b"")

    @pytest.mark.parametrize("output", [b"just text", b"X-Only: 1\n\n", b"Broken line\n\n", b"Status: nope\n\n",
                                        b" Indented: 1\nContent-Type: a/b\n\n"])
    def test_not_a_cgi_response(self, output):
        with pytest.raises(ScriptOutputError):
            parse_output(output)


def test_a_run_swaps_and_restores_the_process_state():
    source = ("import os, sys\n"
              "data = sys.stdin.buffer.read(int(os.environ['CONTENT_LENGTH']))\n"
              "print('Content-Type: text/plain')\nprint()\n"
              "sys.stdout.flush()\nsys.stdout.buffer.write(data.upper() + os.getenv('QUERY_STRING').encode())\n"
              "print(sys.argv[0], end='')\nsys.exit(0)\n")
    gateway = Gateway({"/cgi-bin/up.py": script("/cgi-bin/up.py", source, "/0/cgi-bin/up.py")})
    before = (os.environ, sys.stdin, sys.stdout, sys.argv)
    statuses = []
    body = gateway({"REQUEST_METHOD": "POST", "PATH_INFO": "/cgi-bin/up.py", "QUERY_STRING": "q",
                    "CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abc")}, lambda s, h: statuses.append((s, h)))
    assert statuses == [("200 OK", [("Content-Type", "text/plain")])]
    assert b"".join(body) == b"ABCq/0/cgi-bin/up.py"
    assert (os.environ, sys.stdin, sys.stdout, sys.argv) == before


def test_load_scripts_of_a_folder_and_of_one_file(tmp_path):
    (tmp_path / "cgi-bin").mkdir()
    (tmp_path / "cgi-bin" / "a.py").write_text("print('Content-Type: text/plain\\n')\n")
    (tmp_path / "cgi-bin" / "notes.txt").write_text("not a script")
    assert list(load_scripts(str(tmp_path), "cgi-bin")) == ["/cgi-bin/a.py"]
    assert list(load_scripts(str(tmp_path), "cgi-bin/a.py")) == [""]
    (tmp_path / "cgi-bin" / "bad.py").write_text("def f(:\n")
    with pytest.raises(SyntaxError) as info:
        load_scripts(str(tmp_path), "cgi-bin")
    assert info.value.filename.endswith("bad.py") and info.value.lineno == 1
    with pytest.raises(FileNotFoundError):
        load_scripts(str(tmp_path), "nope")
