"""The smallest wasi:http 0.3 handler (wasi:http/handler, an async export): "/" answers at once,
"/wait" after 20 ms; concurrent requests interleave in one instance."""

import componentize_py_async_support
import wit_world
from componentize_py_types import Ok
from wit_world import exports
from wit_world.imports import monotonic_clock
from wit_world.imports.wasi_http_types import Fields, Request, Response

WAIT_NS = 20_000_000


class Handler(exports.Handler):
    async def handle(self, request: Request) -> Response:
        if (request.get_path_with_query() or "/").startswith("/wait"):
            await monotonic_clock.wait_for(WAIT_NS)
        body = b"hello from wasi:http 0.3\n"
        tx, rx = wit_world.byte_stream()

        async def write() -> None:
            with tx:
                await tx.write_all(body)

        componentize_py_async_support.spawn(write())
        trailers = wit_world.result_option_wasi_http_types_fields_wasi_http_types_error_code_future(lambda: Ok(None))[1]
        return Response.new(Fields.from_list([("content-type", b"text/plain"),
                                              ("content-length", str(len(body)).encode())]), rx, trailers)[0]
