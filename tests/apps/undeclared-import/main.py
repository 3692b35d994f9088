"""Imports a package the app does not declare (requests), though Fabricks' own environment has it."""
from flask import Flask
import requests

app = Flask(__name__)


@app.get("/")
def index():
    return requests.__version__
