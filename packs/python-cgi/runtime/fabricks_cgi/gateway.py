"""CGI scripts (RFC 3875) as a WSGI application (PEP 3333), run inside the component.

A CGI server starts a process per request: the request's meta-variables in its environment,
the body on its stdin; the script writes header fields, a blank line and the body to its
stdout. A component can start no process, so each request runs the script's code, compiled
once at build time, in the one interpreter, with ``os.environ``, ``sys.stdin``,
``sys.stdout`` and ``sys.argv`` swapped for the request's, as Wagi does in WebAssembly. The
script's top level runs afresh on every request, as in a new process; the modules it imports
stay imported (a process would import them again).

- :func:`route`: which script a path names, and its SCRIPT_NAME and PATH_INFO (RFC 3875 4.1.13, 4.1.5)
- :func:`meta_variables`: the WSGI environ -> the CGI meta-variables (RFC 3875 4.1)
- :func:`parse_output`: the script's output -> status, header fields, body (RFC 3875 6)
- :class:`Gateway`: the WSGI application
"""

from __future__ import annotations

import io
import os
import sys
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from types import CodeType

# RFC 3875 4.1.18: every request header becomes HTTP_<NAME>, except those whose information
# is in other meta-variables or that a server must not pass on (credentials).
_NOT_PASSED = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION"})


class ScriptOutputError(ValueError):
    """The script's output is not a CGI response (RFC 3875 6): no header block, a malformed
    field, or neither Content-Type, Location nor Status."""


@dataclass(frozen=True)
class Script:
    """A CGI script: its URL path (SCRIPT_NAME), its file inside the component, its code."""

    script_name: str
    path: str
    code: CodeType


def route(scripts: dict[str, Script], path_info: str) -> tuple[Script, str] | None:
    """The script a request path names, and the PATH_INFO after it; None when none does.

    ``scripts`` maps SCRIPT_NAME (``"/cgi-bin/hello.py"``, or ``""`` for a single script that
    serves every path, Wagi's model) to the script. The longest SCRIPT_NAME that is the path or
    a prefix of it ending at a ``/`` wins: ``/cgi-bin/hello.py/extra`` runs ``hello.py`` with
    PATH_INFO ``/extra`` (RFC 3875 4.1.5), as Apache's ScriptAlias and http.server do.
    """
    for name in sorted(scripts, key=len, reverse=True):
        if path_info == name or path_info.startswith(name + "/") or name == "":
            return scripts[name], path_info[len(name):]
    return None


def meta_variables(environ: dict, script: Script, path_info: str, base: dict[str, str]) -> dict[str, str]:
    """The CGI meta-variables of a request (RFC 3875 4.1), over ``base`` (the granted env).

    ``environ`` is the PEP 3333 environ of the request. REMOTE_ADDR is empty: wasi:http 0.2
    gives the component no client address.
    """
    env = dict(base)
    prefix = environ.get("SCRIPT_NAME", "")  # a mount point (a route of fabricks-host)
    env.update({
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": "fabricks-cgi",
        "SERVER_NAME": environ.get("SERVER_NAME", ""),
        "SERVER_PORT": environ.get("SERVER_PORT", ""),
        "SERVER_PROTOCOL": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        "REQUEST_METHOD": environ["REQUEST_METHOD"],
        "SCRIPT_NAME": prefix + script.script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": environ.get("QUERY_STRING", ""),
        "REMOTE_ADDR": environ.get("REMOTE_ADDR", ""),
        "SCRIPT_FILENAME": script.path,
    })
    if path_info:
        # RFC 3875 4.1.6: PATH_INFO as a path below the document root (the app folder).
        env["PATH_TRANSLATED"] = os.path.join(os.path.dirname(os.path.dirname(script.path)) or "/", path_info.lstrip("/"))
    # RFC 3875 4.1.2: with no body, CONTENT_LENGTH is NULL (empty, as http.server sets it) or unset.
    env["CONTENT_LENGTH"] = environ.get("CONTENT_LENGTH") or ""
    if environ.get("CONTENT_TYPE"):
        env["CONTENT_TYPE"] = environ["CONTENT_TYPE"]
    for key, value in environ.items():
        if key.startswith("HTTP_") and key not in _NOT_PASSED:
            env[key] = value
    return env


def parse_output(output: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    """Split a script's output into a status line, header fields and body (RFC 3875 6).

    ``Status: 404 Not Found`` sets the status; a ``Location`` with an absolute URL and no
    Status is a client redirect, 302 Found (6.2.3, 6.3.2); a field line may end in CRLF or LF.
    Raises ScriptOutputError when there is no blank line ending the header block or no
    Content-Type, Location or Status field.
    """
    end, skip = _header_end(output)
    if end < 0:
        raise ScriptOutputError("the script's output has no blank line after its header fields")
    status, headers = None, []
    for line in output[:end].decode("latin-1").splitlines():
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise ScriptOutputError(f"malformed header field in the script's output: {line!r}")
        value = value.strip()
        if name.lower() == "status":
            code, _, reason = value.partition(" ")
            if not (code.isdigit() and len(code) == 3):
                raise ScriptOutputError(f"malformed Status field in the script's output: {line!r}")
            status = f"{code} {reason or _reason(int(code))}"
        else:
            headers.append((name, value))
    names = {name.lower() for name, _ in headers}
    if status is None:
        if "location" in names:
            status = "302 Found"
        elif "content-type" not in names:
            raise ScriptOutputError("the script's output has no Content-Type, Location or Status field")
        else:
            status = "200 OK"
    return status, headers, output[end + skip:]


def _header_end(output: bytes) -> tuple[int, int]:
    candidates = [(output.find(sep), len(sep)) for sep in (b"\r\n\r\n", b"\n\n")]
    found = [(at, skip) for at, skip in candidates if at >= 0]
    return min(found) if found else (-1, 0)


def _reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


class _Stdout(io.TextIOWrapper):
    """The script's stdout: text (print) and bytes (sys.stdout.buffer) into one buffer."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="strict", newline="\n", write_through=True)

    def value(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()


class Gateway:
    """A WSGI application (PEP 3333) that runs the CGI script each request names.

    ``scripts`` maps SCRIPT_NAME to :class:`Script` (see :func:`route`). A path no script
    serves gets 404. A script that raises gets a 500 (its traceback on stderr, as a CGI
    server logs the script's stderr); ``sys.exit()`` ends it as a process's exit would. An
    output that is not a CGI response gets a 502, naming why, as Apache answers a malformed
    header ("Bad Gateway").
    """

    def __init__(self, scripts: dict[str, Script]) -> None:
        self.scripts = scripts

    def __call__(self, environ: dict, start_response):
        found = route(self.scripts, environ.get("PATH_INFO", ""))
        if found is None:
            return _plain(start_response, "404 Not Found", b"Not Found\n")
        script, path_info = found
        length = environ.get("CONTENT_LENGTH") or "0"
        body = environ["wsgi.input"].read(int(length)) if length.isdigit() and int(length) > 0 else b""
        env = meta_variables(environ, script, path_info, dict(os.environ))
        try:
            output = self.run(script, env, body)
        except Exception:
            traceback.print_exc()
            return _plain(start_response, "500 Internal Server Error", b"Internal Server Error\n")
        try:
            status, headers, content = parse_output(output)
        except ScriptOutputError as error:
            print(f"fabricks-cgi: {script.script_name or script.path}: {error}", file=sys.stderr)
            return _plain(start_response, "502 Bad Gateway", b"Bad Gateway\n")
        start_response(status, headers)
        return [content]

    def run(self, script: Script, env: dict[str, str], body: bytes) -> bytes:
        """Run ``script`` once with ``env`` as its environment and ``body`` as its stdin; its stdout."""
        stdout = _Stdout()
        stdin = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8", errors="surrogateescape")
        saved = os.environ, sys.stdin, sys.stdout, sys.argv
        os.environ = env  # a dict: os.getenv reads os.environ, scripts index and copy it
        sys.stdin, sys.stdout, sys.argv = stdin, stdout, [script.path]
        try:
            exec(script.code, {"__name__": "__main__", "__file__": script.path, "__builtins__": __builtins__})
        except SystemExit as done:
            if done.code not in (None, 0):
                print(f"fabricks-cgi: {script.path} exited with {done.code}", file=sys.stderr)
        finally:
            os.environ, sys.stdin, sys.stdout, sys.argv = saved
        return stdout.value()


def _plain(start_response, status: str, body: bytes):
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def load_scripts(app_root: str, app: str) -> dict[str, Script]:
    """Compile the scripts ``app`` names: a folder (every ``*.py`` and ``*.cgi`` file in it,
    each served at ``/<folder>/<file>``, as http.server's CGIHTTPRequestHandler and Apache's
    ScriptAlias serve a cgi-bin) or one file (serving every path: SCRIPT_NAME is empty).

    Raises SyntaxError (with the file and line) for a script that does not compile, and
    FileNotFoundError when ``app`` names nothing in the app folder.
    """
    target = Path(app_root) / app.strip("/")
    if target.is_dir():
        files = sorted(p for p in target.iterdir() if p.is_file() and p.suffix in (".py", ".cgi"))
        prefix = "/" + target.relative_to(app_root).as_posix()
        return {f"{prefix}/{p.name}": _compile(f"{prefix}/{p.name}", p) for p in files}
    if target.is_file():
        return {"": _compile("", target)}
    raise FileNotFoundError(f"{app!r} is neither a script nor a folder of scripts in the app folder")


def _compile(script_name: str, path: Path) -> Script:
    source = path.read_bytes()
    return Script(script_name, str(path), compile(source, str(path), "exec", dont_inherit=True))
