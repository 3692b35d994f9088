"""A Flask app whose dependencies come from pyproject.toml."""
from importlib.metadata import version

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(flask=version("flask"), werkzeug=version("werkzeug"))


@app.post("/echo")
def echo():
    return jsonify(length=len(request.get_data()), type=request.content_type)
