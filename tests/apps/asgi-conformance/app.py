"""A bare ASGI 3.0 app exercising the server side of the spec, with no framework in between."""

import asyncio
import hashlib
import json

COUNTER = {"requests": 0}
DISCONNECTS: list[dict] = []  # what /drip saw when its client left


async def read_body(receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        assert message["type"] == "http.request", message
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def respond(send, status, body, content_type=b"text/plain", extra=()):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                scope["state"]["started"] = True
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert scope["type"] == "http"
    COUNTER["requests"] += 1
    path = scope["path"]
    if path.startswith("/scope"):
        keep = {k: scope[k] for k in ("type", "http_version", "method", "scheme", "path", "root_path")}
        keep["raw_path"] = scope["raw_path"].decode("latin-1")
        keep["query_string"] = scope["query_string"].decode("latin-1")
        # Different field names have no order (RFC 9110 section 5.3); repeats of one name do.
        picked = [[n.decode(), v.decode()] for n, v in scope["headers"] if n in (b"x-multi", b"cookie")]
        keep["headers"] = sorted(picked, key=lambda pair: pair[0])
        keep["asgi"] = scope["asgi"]["version"]
        keep["lifespan_state"] = scope.get("state", {}).get("started")
        await respond(send, 200, json.dumps(keep, sort_keys=True).encode(), b"application/json")
    elif path == "/echo":
        body = await read_body(receive)
        result = {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        await respond(send, 200, json.dumps(result).encode(), b"application/json")
    elif path == "/big":
        size = int(scope["query_string"].decode().partition("=")[2] or 0)
        block = bytes(range(256)) * 256
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream")]})
        for start in range(0, size, len(block)):
            await send({"type": "http.response.body", "body": block[: min(len(block), size - start)],
                        "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/cookies":
        await respond(send, 200, b"three cookies", extra=[(b"set-cookie", b"a=1; Path=/"),
                                                           (b"set-cookie", b"b=2; HttpOnly"),
                                                           (b"set-cookie", b"c=3; SameSite=Lax")])
    elif path == "/sleep":
        await asyncio.sleep(0.2)
        await respond(send, 200, b"slept")
    elif path == "/boom-before":
        raise RuntimeError("before start")
    elif path == "/boom-after":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise RuntimeError("after start")
    elif path == "/drip":
        # Streams for up to ~10 s; a client that leaves makes send() raise (spec 2.4: an OSError).
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        try:
            for i in range(500):
                await send({"type": "http.response.body", "body": b"drip %d\n" % i, "more_body": True})
                await asyncio.sleep(0.02)
        except Exception as error:  # noqa: BLE001 - reported to the test
            DISCONNECTS.append({"after": i, "oserror": isinstance(error, OSError)})
            return
        await send({"type": "http.response.body", "body": b""})
    elif path == "/disconnects":
        body = json.dumps([{"oserror": d["oserror"], "early": d["after"] < 400} for d in DISCONNECTS]).encode()
        await respond(send, 200, body, b"application/json")
    elif path == "/count":
        await respond(send, 200, str(COUNTER["requests"]).encode())
    elif path == "/no-content":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
    else:
        await respond(send, 404, b"not found")
