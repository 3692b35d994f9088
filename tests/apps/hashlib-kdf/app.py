"""Calls hashlib.pbkdf2_hmac / hashlib.scrypt (and werkzeug's password hashing) as a request says.

POST /call with JSON ``{"fn": "pbkdf2_hmac" | "scrypt", "args": [...], "kwargs": {...}}``;
values are JSON, except ``{"bytes": HEX}``, ``{"bytearray": HEX}``, ``{"memoryview": HEX}``,
``{"float": X}``. The answer is ``{"ok": HEX}`` or ``{"error": [TYPE NAME, MESSAGE]}``.

GET /stdlib: which optional standard-library modules the interpreter has (tried at import).

POST /werkzeug with JSON ``{"password", "method", "other_hash"}``: a new hash of the password is
made and checked, and ``other_hash`` (made by another server) is checked too.
"""

import hashlib
import json
# Imported at the top level as an app would: the name must exist when the app is imported.
from hashlib import pbkdf2_hmac, scrypt  # noqa: F401

from werkzeug.security import check_password_hash, generate_password_hash

# Standard-library modules an interpreter may be built without, tried at import (build) time,
# when the component's standard library is there: GET /stdlib answers what was found.
OPTIONAL_STDLIB = [
    "ssl", "_ssl", "_hashlib", "_hmac", "_md5", "_sha1", "_sha2", "_sha3", "_blake2", "zlib", "_zstd",
    "_lzma", "_bz2", "_ctypes", "_multiprocessing", "_posixshmem", "_posixsubprocess", "mmap", "select",
    "_socket", "_sqlite3", "_decimal", "_uuid", "_zoneinfo", "_asyncio", "_curses", "readline", "_dbm", "_gdbm",
    "_tkinter", "fcntl", "grp", "pwd", "resource", "termios", "_interpreters", "_lsprof", "pyexpat",
    "_elementtree", "unicodedata", "_json", "_pickle", "_struct", "binascii", "_random", "_csv", "_bisect",
]


def _probe(name: str) -> str:
    try:
        __import__(name)
        return "ok"
    except Exception as error:  # noqa: BLE001 - the failure is the finding
        return f"{type(error).__name__}: {error}"


def _thread_start() -> str:
    import threading  # noqa: PLC0415

    try:
        thread = threading.Thread(target=lambda: None)
        thread.start()
        thread.join()
        return "ok"
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


STDLIB = {name: _probe(name) for name in OPTIONAL_STDLIB}
STDLIB["threading.Thread.start"] = _thread_start()
STDLIB["os.fork"] = "ok" if hasattr(__import__("os"), "fork") else "missing"
STDLIB["hashlib.algorithms_available"] = sorted(hashlib.algorithms_available)

WRAPPERS = {"bytes": bytes.fromhex, "bytearray": lambda h: bytearray.fromhex(h),
            "memoryview": lambda h: memoryview(bytes.fromhex(h)), "float": float}


def decode(value):
    if isinstance(value, dict):
        (kind, inner), = value.items()
        return WRAPPERS[kind](inner)
    return value


def call(spec: dict) -> dict:
    function = getattr(hashlib, spec["fn"])
    args = [decode(v) for v in spec.get("args", [])]
    kwargs = {k: decode(v) for k, v in spec.get("kwargs", {}).items()}
    try:
        return {"ok": function(*args, **kwargs).hex()}
    except Exception as error:  # noqa: BLE001 - the error is the answer
        return {"error": [type(error).__name__, str(error)]}


def werkzeug(spec: dict) -> dict:
    made = generate_password_hash(spec["password"], method=spec["method"])
    return {"method": made.split("$", 1)[0], "hash": made,
            "check_right": check_password_hash(made, spec["password"]),
            "check_wrong": check_password_hash(made, spec["password"] + "x"),
            "check_other": check_password_hash(spec["other_hash"], spec["password"]) if spec.get("other_hash") else None}


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/":
        body = {"pbkdf2_hmac": hasattr(hashlib, "pbkdf2_hmac"), "scrypt": hasattr(hashlib, "scrypt"),
                "in_all": [n for n in ("pbkdf2_hmac", "scrypt") if n in hashlib.__all__]}
    elif path == "/stdlib":
        body = STDLIB
    elif path in ("/call", "/werkzeug") and environ["REQUEST_METHOD"] == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        spec = json.loads(environ["wsgi.input"].read(size))
        body = call(spec) if path == "/call" else werkzeug(spec)
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
