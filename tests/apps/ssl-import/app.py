"""Libraries that import ssl without opening TLS sockets themselves: httpx, PyJWT's JWKS client.

The same answers as a WSGI app (``application``, this folder's Fabrickfile) and as an ASGI app
(``asgi_app``, built with ``--framework asgi``): each pack has its own start-up."""
import json
import ssl

import httpx
from jwt import PyJWKClient  # jwt/jwks_client.py: `from ssl import SSLContext`

CONTEXT = ssl.create_default_context()
CLIENT = httpx.Client(timeout=2)
ASYNC_CLIENT = httpx.AsyncClient(timeout=2)  # what an ASGI app calls other services with
JWKS = PyJWKClient("https://example.invalid/.well-known/jwks.json", ssl_context=CONTEXT)


def answer(path: str) -> bytes:
    if path == "/wrap":
        try:
            # (socket.socket() itself is refused in a component: WASI grants no sockets here)
            CONTEXT.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.org")
            said = "connected"
        except (ssl.SSLError, OSError) as error:
            said = f"{type(error).__name__}: {error}"
        return said.encode()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])
        return json.dumps({
            "verify_mode": int(CONTEXT.verify_mode), "check_hostname": CONTEXT.check_hostname,
            "minimum_version": int(context.minimum_version), "purpose": ssl.Purpose.SERVER_AUTH.name,
            "has_sni": ssl.HAS_SNI, "httpx": httpx.__version__,
        }).encode()


def application(environ, start_response):
    body = answer(environ["PATH_INFO"])
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = answer(scope["path"])
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
