"""Libraries that import ssl without opening TLS sockets themselves: httpx, PyJWT's JWKS client."""
import json
import ssl

import httpx
from jwt import PyJWKClient  # jwt/jwks_client.py: `from ssl import SSLContext`

CONTEXT = ssl.create_default_context()
CLIENT = httpx.Client(timeout=2)
JWKS = PyJWKClient("https://example.invalid/.well-known/jwks.json", ssl_context=CONTEXT)


def application(environ, start_response):
    if environ["PATH_INFO"] == "/wrap":
        try:
            # (socket.socket() itself is refused in a component: WASI grants no sockets here)
            CONTEXT.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.org")
            said = "connected"
        except (ssl.SSLError, OSError) as error:
            said = f"{type(error).__name__}: {error}"
        body = said.encode()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])
        body = json.dumps({
            "verify_mode": int(CONTEXT.verify_mode), "check_hostname": CONTEXT.check_hostname,
            "minimum_version": int(context.minimum_version), "purpose": ssl.Purpose.SERVER_AUTH.name,
            "has_sni": ssl.HAS_SNI, "httpx": httpx.__version__,
        }).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
