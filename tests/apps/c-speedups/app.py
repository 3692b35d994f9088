"""MarkupSafe with its C speedups and bcrypt, both built for wasm32-wasi from recipes."""

import bcrypt
import markupsafe
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/hash")
def hash_password():
    password = request.get_json()["password"].encode()
    hashed = bcrypt.hashpw(password, bcrypt.gensalt(rounds=4))
    return jsonify(hash=hashed.decode(), ok=bcrypt.checkpw(password, hashed))


@app.get("/speedups")
def speedups():
    return jsonify(escape=str(markupsafe.escape("<a href='x'>&</a>")), native=markupsafe._escape_inner.__module__)
