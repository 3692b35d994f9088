"""The smallest wasi:http 0.2 handler (incoming-handler): "/" answers at once, "/wait" after
20 ms on the monotonic clock. The p3 twin is p3_app.py; bench/generations.py serves and loads both."""

from componentize_py_types import Ok
from wit_world import exports
from wit_world.imports import monotonic_clock
from wit_world.imports.types import Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam

WAIT_NS = 20_000_000


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        if (request.path_with_query() or "/").startswith("/wait"):
            monotonic_clock.subscribe_duration(WAIT_NS).block()  # one request per instance: blocking is fine
        body = b"hello from wasi:http 0.2\n"
        response = OutgoingResponse(Fields.from_list([("content-type", b"text/plain"),
                                                      ("content-length", str(len(body)).encode())]))
        out = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        stream = out.write()
        stream.blocking_write_and_flush(body)
        stream.__exit__(None, None, None)
        OutgoingBody.finish(out, None)
