from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello World!"


@app.route("/users/<int:id>")
def get_user(id):
    return jsonify({"id": id, "name": f"User {id}"})


if __name__ == "__main__":
    app.run(port=8080)
