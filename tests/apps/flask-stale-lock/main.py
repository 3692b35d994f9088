"""Never built: its uv.lock pins a MarkupSafe with no wheel for CPython 3.14."""
from flask import Flask

app = Flask(__name__)
