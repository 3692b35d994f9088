"""A small to-do list built with Bottle."""
import json
import os

from bottle import Bottle, TEMPLATE_PATH, abort, redirect, request, response, template

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_PATH.insert(0, os.path.join(HERE, "views"))

app = Bottle()

# In-memory storage: fine for a demo, lost on restart.
TODOS = [
    {"id": 1, "title": "Buy milk", "done": False},
    {"id": 2, "title": "Write the report", "done": True},
]


def find_todo(todo_id):
    for todo in TODOS:
        if todo["id"] == todo_id:
            return todo
    abort(404, f"No todo with id {todo_id}.")


def add_todo(title):
    todo = {"id": max((t["id"] for t in TODOS), default=0) + 1, "title": title, "done": False}
    TODOS.append(todo)
    return todo


@app.get("/")
def index():
    show = request.query.get("show", "all")
    todos = TODOS
    if show == "open":
        todos = [t for t in TODOS if not t["done"]]
    elif show == "done":
        todos = [t for t in TODOS if t["done"]]
    return template("index", todos=todos, show=show)


@app.get("/hello/<name>")
def hello(name):
    greeting = request.query.greeting or "Hello"
    return template("<p>{{greeting}}, {{name}}!</p>", greeting=greeting, name=name)


@app.post("/add")
def add_from_form():
    title = request.forms.getunicode("title", "").strip()
    if not title:
        abort(400, "Title is required.")
    add_todo(title)
    redirect("/")


@app.get("/api/todos")
def api_list():
    todos = TODOS
    if "done" in request.query:
        want = request.query.done.lower() in ("1", "true", "yes")
        todos = [t for t in TODOS if t["done"] == want]
    return {"count": len(todos), "todos": todos}


@app.post("/api/todos")
def api_create():
    data = request.json
    if not isinstance(data, dict) or not str(data.get("title", "")).strip():
        abort(400, "Expected a JSON object with a non-empty 'title'.")
    todo = add_todo(str(data["title"]).strip())
    response.status = 201
    response.set_header("Location", f"/api/todos/{todo['id']}")
    return todo


@app.get("/api/todos/<todo_id:int>")
def api_get(todo_id):
    return find_todo(todo_id)


@app.route("/api/todos/<todo_id:int>", method="PATCH")
def api_update(todo_id):
    todo = find_todo(todo_id)
    data = request.json
    if not isinstance(data, dict):
        abort(400, "Expected a JSON object.")
    if "title" in data:
        todo["title"] = str(data["title"])
    if "done" in data:
        todo["done"] = bool(data["done"])
    return todo


@app.delete("/api/todos/<todo_id:int>")
def api_delete(todo_id):
    todo = find_todo(todo_id)
    TODOS.remove(todo)
    response.status = 204
    return ""


@app.get("/prefs/set")
def set_prefs():
    response.set_cookie("sort", request.query.sort or "newest", path="/")
    response.set_cookie("view", request.query.view or "compact", path="/", httponly=True)
    response.content_type = "text/plain"
    return "Preferences saved.\n"


@app.get("/prefs")
def get_prefs():
    return {"sort": request.get_cookie("sort", "oldest"), "view": request.get_cookie("view", "full")}


@app.error(404)
def not_found(error):
    return template("404", path=request.path, message=error.body)


@app.error(400)
@app.error(405)
def client_error(error):
    response.content_type = "application/json"
    return json.dumps({"error": error.status_line, "message": error.body})


if __name__ == "__main__":
    app.run(host="localhost", port=8080, debug=True)
