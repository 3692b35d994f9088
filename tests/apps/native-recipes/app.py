"""Packages whose only wheels are native, each built for wasm32-wasi from its recipe: C
(MarkupSafe's speedups, regex, msgpack's Cython extension, PyYAML's _yaml over libyaml, cffi's
backend), C with CMake (argon2-cffi-bindings), C++ (ujson) and Rust (bcrypt).
MarkupSafe, msgpack and PyYAML would fall back to pure Python silently, so /modules names the
module that does the work."""

import _cffi_backend
import argon2
import bcrypt
import cffi
import markupsafe
import msgpack
import regex
import ujson
import yaml
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/hash")
def hash_password():
    password = request.get_json()["password"].encode()
    hashed = bcrypt.hashpw(password, bcrypt.gensalt(rounds=4))
    return jsonify(hash=hashed.decode(), ok=bcrypt.checkpw(password, hashed))


@app.get("/modules")
def modules():
    return jsonify(markupsafe=markupsafe._escape_inner.__module__, msgpack=msgpack.Packer.__module__,
                   ujson=ujson.__file__.rsplit("/", 1)[-1],
                   regex=regex._regex.__name__, yaml=yaml.CSafeLoader.__mro__[1].__module__,
                   cffi=_cffi_backend.__name__, argon2=argon2.low_level.lib.__name__)


@app.post("/argon2")
def argon2_hash():
    """A hash with argon2-cffi's defaults but for its memory cost; a known-answer vector (its
    t, m, p, password and salt sent: p > 1 lanes are filled one after the other here)."""
    body = request.get_json()
    hasher = argon2.PasswordHasher(memory_cost=8192)
    hashed = hasher.hash(body["password"])
    raw = argon2.low_level.hash_secret_raw(
        body["password"].encode(), body["salt"].encode(), time_cost=body["t"], memory_cost=body["m"],
        parallelism=body["p"], hash_len=32, type=argon2.low_level.Type.ID)
    try:
        hasher.verify(hashed, body["password"] + "x")
        wrong = "accepted"
    except argon2.exceptions.VerifyMismatchError:
        wrong = "rejected"
    return jsonify(hash=hashed, ok=hasher.verify(hashed, body["password"]), wrong=wrong, raw=raw.hex(),
                   given=hasher.verify(body["encoded"], body["password"]))


@app.get("/cffi/callback")
def cffi_callback():
    """ffi.callback needs code made at run time: cffi's own error, not a crash."""
    try:
        cffi.FFI().callback("int(int)", lambda n: n)
    except Exception as error:  # noqa: BLE001 - the point is which one
        return jsonify(error=type(error).__name__, message=str(error).split(".")[0])
    return jsonify(error=None)


@app.post("/yaml")
def yaml_roundtrip():
    data = yaml.load(request.get_data(), Loader=yaml.CSafeLoader)
    return jsonify(data=data, dumped=yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=True))


@app.post("/work")
def work():
    text = request.get_data(as_text=True)
    return jsonify(
        escape=str(markupsafe.escape(text)),
        words=regex.findall(r"\p{L}+", text),  # Unicode properties: what `re` lacks
        ujson=ujson.dumps({"text": text, "n": [1, 2.5, None]}, ensure_ascii=False),
        msgpack=list(msgpack.unpackb(msgpack.packb([text, 1, 2.5]))),
    )
