"""A small notes API on Starlette: routes, JSON, a streamed response, lifespan state."""

import asyncio
import contextlib
import hashlib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute


@contextlib.asynccontextmanager
async def lifespan(app):
    # Lifespan state: copied into every request's scope["state"] (request.state).
    yield {"notes": {1: "Buy milk", 2: "Write the report"}, "greeting": "Hello from Starlette"}


async def homepage(request: Request):
    return PlainTextResponse(request.state.greeting)


async def list_notes(request: Request):
    notes = request.state.notes
    limit = int(request.query_params.get("limit", len(notes)))
    items = [{"id": k, "text": v} for k, v in sorted(notes.items())][:limit]
    return JSONResponse({"count": len(items), "notes": items})


async def create_note(request: Request):
    try:
        data = await request.json()
    except ValueError:
        raise HTTPException(400, "invalid JSON")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"]:
        raise HTTPException(422, "expected {\"text\": \"...\"}")
    notes = request.state.notes
    note_id = max(notes, default=0) + 1
    notes[note_id] = data["text"]
    return JSONResponse({"id": note_id, "text": data["text"]}, status_code=201,
                        headers={"Location": f"/notes/{note_id}"})


async def get_note(request: Request):
    note_id = request.path_params["note_id"]
    notes = request.state.notes
    if note_id not in notes:
        raise HTTPException(404, f"no note {note_id}")
    return JSONResponse({"id": note_id, "text": notes[note_id]})


async def stream(request: Request):
    count = int(request.query_params.get("n", "5"))

    async def lines():
        for i in range(count):
            yield f"line {i}\n"
            await asyncio.sleep(0.01)

    return StreamingResponse(lines(), media_type="text/plain")


async def slow_stream(request: Request):
    async def lines():
        yield "first\n"
        await asyncio.sleep(1.5)
        yield "second\n"

    return StreamingResponse(lines(), media_type="text/plain")


def report(request: Request):
    # A plain def endpoint: Starlette runs it in a worker thread (inline in a component).
    return PlainTextResponse(f"sync endpoint, {len(request.query_params)} params")


async def timeout(request: Request):
    try:
        await asyncio.wait_for(asyncio.sleep(5), timeout=0.05)
    except asyncio.TimeoutError:
        return PlainTextResponse("timed out as asked")
    return PlainTextResponse("did not time out")


async def echo(request: Request):
    body = await request.body()
    return JSONResponse({"length": len(body), "sha256": hashlib.sha256(body).hexdigest()})


async def big(request: Request):
    size = int(request.query_params.get("size", "1024"))
    return PlainTextResponse(("0123456789abcdef" * (size // 16 + 1))[:size])


async def cookies(request: Request):
    response = PlainTextResponse("cookies set")
    response.set_cookie("theme", "dark")
    response.set_cookie("session", "abc", httponly=True)
    return response


async def boom(request: Request):
    raise RuntimeError("boom")


async def old(request: Request):
    return RedirectResponse("/notes", status_code=301)


async def chat(websocket):
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


routes = [
    Route("/", homepage),
    Route("/notes", list_notes, methods=["GET"]),
    Route("/notes", create_note, methods=["POST"]),
    Route("/notes/{note_id:int}", get_note),
    Route("/stream", stream),
    Route("/slow-stream", slow_stream),
    Route("/report", report),
    Route("/timeout", timeout),
    Route("/echo", echo, methods=["POST"]),
    Route("/big", big),
    Route("/cookies", cookies),
    Route("/boom", boom),
    Route("/old", old),
    WebSocketRoute("/ws", chat),
]

app = Starlette(routes=routes, lifespan=lifespan)
