"""Packages whose only wheels are native, each built for wasm32-wasi from its recipe: C
(MarkupSafe's speedups, regex, msgpack's Cython extension), C++ (ujson) and Rust (bcrypt).
MarkupSafe and msgpack would fall back to pure Python silently, so /modules names the module
that does the work."""

import bcrypt
import markupsafe
import msgpack
import regex
import ujson
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
                   regex=regex._regex.__name__)


@app.post("/work")
def work():
    text = request.get_data(as_text=True)
    return jsonify(
        escape=str(markupsafe.escape(text)),
        words=regex.findall(r"\p{L}+", text),  # Unicode properties: what `re` lacks
        ujson=ujson.dumps({"text": text, "n": [1, 2.5, None]}, ensure_ascii=False),
        msgpack=list(msgpack.unpackb(msgpack.packb([text, 1, 2.5]))),
    )
