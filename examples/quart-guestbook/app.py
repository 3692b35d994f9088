"""A guestbook on Quart: Jinja templates, a JSON API with a POST, a form with a redirect,
a streamed response, before_serving state, and an error handler."""

import asyncio

from quart import Quart, abort, jsonify, redirect, render_template, request, url_for

app = Quart(__name__)
app.secret_key = "guestbook-example-not-a-secret"

ENTRIES: list[dict] = []


@app.before_serving
async def load_entries():
    # Runs in the ASGI lifespan startup: once per process (or instance).
    ENTRIES[:] = [{"id": 1, "name": "Ada", "message": "First!"},
                  {"id": 2, "name": "Grace", "message": "Nice <b>guestbook</b>"}]


@app.route("/")
async def index():
    return await render_template("index.html", entries=ENTRIES, title="Guestbook")


@app.route("/entries/<int:entry_id>")
async def show(entry_id: int):
    entry = next((e for e in ENTRIES if e["id"] == entry_id), None)
    if entry is None:
        abort(404)
    return await render_template("entry.html", entry=entry)


@app.post("/sign")
async def sign():
    form = await request.form
    name, message = form.get("name", "").strip(), form.get("message", "").strip()
    if not name or not message:
        return await render_template("index.html", entries=ENTRIES, title="Guestbook",
                                     error="Name and message are required."), 400
    ENTRIES.append({"id": len(ENTRIES) + 1, "name": name, "message": message})
    return redirect(url_for("index"))


@app.get("/api/entries")
async def list_entries():
    limit = request.args.get("limit", default=len(ENTRIES), type=int)
    return jsonify(entries=ENTRIES[:limit], count=min(limit, len(ENTRIES)))


@app.post("/api/entries")
async def create_entry():
    data = await request.get_json(silent=True)
    if not isinstance(data, dict) or not data.get("name") or not data.get("message"):
        return jsonify(error="expected {\"name\": ..., \"message\": ...}"), 422
    entry = {"id": len(ENTRIES) + 1, "name": str(data["name"]), "message": str(data["message"])}
    ENTRIES.append(entry)
    return jsonify(entry), 201, {"Location": url_for("show", entry_id=entry["id"])}


@app.get("/stream")
async def stream():
    count = request.args.get("n", default=5, type=int)

    async def lines():
        for entry in ENTRIES[:count]:
            yield f"{entry['id']}: {entry['name']}\n".encode()
            await asyncio.sleep(0.01)

    return lines(), 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/visit")
async def visit():
    response = jsonify(ok=True)
    response.set_cookie("visited", "yes", httponly=True)
    response.set_cookie("theme", "dark", samesite="Lax")
    return response


@app.get("/boom")
async def boom():
    raise RuntimeError("the guestbook broke")


@app.errorhandler(404)
async def not_found(error):
    return await render_template("404.html", path=request.path), 404
