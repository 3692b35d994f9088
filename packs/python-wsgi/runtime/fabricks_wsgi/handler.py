"""The component's ``fabricks:shell/handler`` export, serving a WSGI app behind the shell's
``wasi:http/incoming-handler`` (fabricks_runtime.wasi_http says how the two divide the work).

One call of :meth:`handle` is one request: the request's parts become an
environ (:mod:`fabricks_wsgi.environ`), the body a lazy ``wsgi.input``
(:mod:`fabricks_wsgi.wsgi_input`), and the app's response goes back whole to the shell or
is streamed to the response-outparam (:mod:`fabricks_wsgi.response`).
WIT: wit/deps/shell@0.1.0, wasi:http/types@0.2.x.
"""

from __future__ import annotations

import os
import sys
import traceback

from fabricks_runtime.wasi_http import RequestBody, ResponseWriter, mount_point, request_parts
from wit_world.exports.handler import Request, Response
from wit_world.imports.types import ResponseOutparam

from .environ import build_environ
from .response import ResponseCycle
from .wsgi_input import make_input


def make_handler(app, config: dict):
    """Return the ``Handler`` class that componentize-py exports for ``app``.

    ``config`` is the pack's build config; its ``script_name`` (or, when empty, the
    SCRIPT_NAME environment variable, as gunicorn reads it, or the route fabricks-host
    mounted the service at: ``x-forwarded-prefix``) is the app's mount point.
    """
    from wit_world import exports

    class Handler(exports.Handler):
        """fabricks:shell/handler ``handle``: one WSGI request per call."""

        def handle(self, request: Request, response_out: ResponseOutparam) -> Response | None:
            transport = None
            try:
                parts = request_parts(request)
                method = parts["method"]
                transport = ResponseWriter(response_out, method)
                body = RequestBody(request)
                # Our own reference: middleware (wsgiref.validate) may replace environ["wsgi.input"].
                wsgi_input = make_input(body.read_chunk, body.close)
                environ = build_environ(
                    **parts,
                    body=wsgi_input,
                    script_name=mount_point(parts, config.get("script_name") or os.environ.get("SCRIPT_NAME", "")),
                    errors=sys.stderr,
                )
                try:
                    ResponseCycle(transport, method).run(app, environ)
                finally:
                    wsgi_input.close()
                return transport.complete()
            except BaseException:
                # An exception escaping handle() would trap and kill the instance.
                traceback.print_exc()
                try:
                    (transport or ResponseWriter(response_out, "GET")).fail()
                except BaseException:
                    traceback.print_exc()
            return None

    return Handler
