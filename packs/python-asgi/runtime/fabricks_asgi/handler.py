"""The component's ``fabricks:shell/handler`` export, serving an ASGI app behind the shell's
``wasi:http/incoming-handler`` (0.2; fabricks_runtime.wasi_http says how the two divide the work).

One ``handle`` call runs one request to completion on the instance's event loop
(:mod:`.loop`): the lifespan startup first, on an instance's first request; then
the scope (:mod:`.scope`) and the HTTP cycle (:mod:`.http`). Under wasi:http 0.2 an
instance serves one request at a time and has no shutdown hook, so lifespan
shutdown never runs (see docs/python-asgi.md).
"""

from __future__ import annotations

import asyncio
import sys
import traceback

from fabricks_runtime.http_rules import plain_response
from fabricks_runtime.wasi_http import RequestBody, ResponseWriter, mount_point, request_parts
from wit_world.exports.handler import Request, Response
from wit_world.imports.types import ResponseOutparam

from .http import HTTPCycle
from .lifespan import LifespanFailure, make_lifespan
from .scope import build_scope


class AsyncTransport:
    """:class:`fabricks_asgi.http.Transport` over the shared :class:`ResponseWriter`.

    Writes block the instance until the host takes the bytes: with one request per
    instance there is nothing else the loop could run meanwhile but the app's own tasks.
    """

    def __init__(self, writer: ResponseWriter) -> None:
        self.writer = writer

    def start(self, status: int, headers: list[tuple[str, bytes]]) -> None:
        self.writer.start(status, headers)

    async def write(self, data: bytes) -> None:
        self.writer.write(data)

    def flush(self) -> None:
        self.writer.flush()

    def finish(self) -> None:
        self.writer.finish()

    def abort(self) -> None:
        self.writer.abort()


def is_websocket(headers: list[tuple[str, bytes]]) -> bool:
    """A WebSocket opening handshake (RFC 6455 section 4.1). The host strips the hop-by-hop
    Upgrade and Connection fields, so Sec-WebSocket-Key is what is left to see it by."""
    for name, value in headers:
        name = name.lower()
        if name == "sec-websocket-key" or (name == "upgrade" and value.strip().lower() == b"websocket"):
            return True
    return False


def write_plain(writer: ResponseWriter, status: int, text: str) -> None:
    """A response the bridge writes itself (http_rules.plain_response), completed as handle returns."""
    status, headers, body = plain_response(status, text.encode(), writer.method)
    writer.start(status, headers)
    if body:
        writer.write(body)
    writer.finish()


class Server:
    """Per-instance state: the loop, the lifespan and whether startup has run."""

    def __init__(self, app, config: dict) -> None:
        self.app = app
        self.loop = asyncio.get_event_loop()
        # The component's loop (startup.initialize) runs a request's Task cheaper than
        # run_until_complete; any other loop (tests on the host) runs it as usual.
        self.run = getattr(self.loop, "run_task", self.loop.run_until_complete)
        self.lifespan = make_lifespan(app, config.get("lifespan", "auto"), sys.stderr)
        self.root_path = config.get("root_path", "")
        self.started = False
        self.startup_error: str | None = None

    async def serve(self, request: Request, writer: ResponseWriter) -> None:
        parts = request_parts(request)
        writer.method = parts["method"]
        body = RequestBody(request)
        try:
            if not self.started:
                self.started = True
                try:
                    await self.lifespan.startup()
                except LifespanFailure as error:
                    self.startup_error = str(error)
                    sys.stderr.write(f"lifespan startup failed: {error}\n")
            if self.startup_error is not None:
                write_plain(writer, 500, "Internal Server Error\n")
                return
            if is_websocket(parts["headers"]):
                sys.stderr.write(f"{parts['method']} {parts['path_with_query']}: WebSocket upgrade refused: "
                                 "wasi:http has no WebSocket support\n")
                write_plain(writer, 501, "WebSockets are not supported by this server\n")
                return
            scope = build_scope(**parts, root_path=mount_point(parts, self.root_path), state=self.lifespan.state)
            cycle = HTTPCycle(scope, lambda size: body.read_async(size, self.loop.wait_for),
                              AsyncTransport(writer), sys.stderr)
            await cycle.run(self.app)
        finally:
            body.close()


def make_handler(app, config: dict):
    """Return the ``Handler`` class that componentize-py exports for ``app``."""
    from wit_world import exports

    server = Server(app, config)

    class Handler(exports.Handler):
        """fabricks:shell/handler ``handle``: one ASGI HTTP cycle per call."""

        def handle(self, request: Request, response_out: ResponseOutparam) -> Response | None:
            writer = ResponseWriter(response_out, "GET")
            try:
                server.run(server.serve(request, writer))
                return writer.complete()
            except BaseException:
                # An exception escaping handle() would trap and kill the instance.
                traceback.print_exc()
                try:
                    writer.fail()
                except BaseException:
                    traceback.print_exc()
            return None

    return Handler
