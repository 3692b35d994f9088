"""An app written for the development server: settings read at import, app.run() at top level."""
import os

from flask import Flask

app = Flask(__name__)
app.secret_key = os.urandom(16)
GREETING = os.environ.get("GREETING", "Hello")


@app.route("/")
def index():
    return f"{GREETING} from a component"


app.run(host="0.0.0.0", port=5000)
