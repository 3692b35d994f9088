"""A bare WSGI app run under wsgiref.validate.validator, which checks both sides of PEP 3333.

Any violation by the server (environ types, missing keys, start_response rules,
wsgi.input behaviour) raises AssertionError inside the validator, so the
request fails with a 500 instead of the expected answer.
"""

import hashlib
import json
import sys
import time
from wsgiref.validate import validator

COUNTER = {"requests": 0}


def echo_environ(environ):
    keys = ["REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
            "SERVER_PROTOCOL", "HTTP_X_MULTI", "HTTP_COOKIE", "wsgi.url_scheme"]
    return {k: environ.get(k) for k in keys}


def inner(environ, start_response):
    COUNTER["requests"] += 1
    path = environ["PATH_INFO"]
    if path == "/environ":
        body = json.dumps(echo_environ(environ), sort_keys=True).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/echo":
        # Without CONTENT_LENGTH (a chunked body), read to the end: wsgi.input_terminated.
        length = int(environ.get("CONTENT_LENGTH") or -1)
        stream = environ["wsgi.input"]
        digest, total = hashlib.sha256(), 0
        while length < 0 or total < length:
            chunk = stream.read(65536 if length < 0 else min(65536, length - total))
            if not chunk:
                break
            digest.update(chunk)
            total += len(chunk)
        body = json.dumps({"length": total, "sha256": digest.hexdigest()}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    if path == "/lines":
        stream = environ["wsgi.input"]
        first = stream.readline()
        rest = stream.readlines()
        body = json.dumps({"first": first.decode(), "rest": [l.decode() for l in rest]}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    if path == "/big":
        size = int(environ["QUERY_STRING"].partition("=")[2] or 0)
        block = bytes(range(256)) * 256
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))])
        return (block[: min(len(block), size - i)] for i in range(0, size, len(block)))
    if path == "/cookies":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1; Path=/"),
                                  ("Set-Cookie", "b=2; HttpOnly"), ("Set-Cookie", "c=3; SameSite=Lax")])
        return [b"three cookies"]
    if path == "/slow-stream":
        start_response("200 OK", [("Content-Type", "text/plain")])

        def generate():
            yield b"first\n"
            time.sleep(1.5)
            yield b"second\n"
        return generate()
    if path == "/slow":
        time.sleep(1.5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"slow but whole"]
    if path == "/write":
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written, ")
        return [b"then returned"]
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/error-page":
        try:
            raise ValueError("handled")
        except ValueError:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"sorry"]
    if path == "/sandbox":
        import os

        body = json.dumps({"granted": os.environ.get("FABRICKS_TEST_GRANTED"),
                           "fixed": os.environ.get("FABRICKS_TEST_FIXED"),
                           "hidden": os.environ.get("FABRICKS_TEST_HIDDEN"),
                           "etc_visible": os.path.exists("/etc/hostname")}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    if path == "/count":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(COUNTER["requests"]).encode()]
    if path == "/no-content":
        start_response("204 No Content", [])
        return []
    if path == "/not-modified":
        start_response("304 Not Modified", [("ETag", '"abc"')])
        return []
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


application = validator(inner)
