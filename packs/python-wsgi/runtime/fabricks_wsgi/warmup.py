"""Build-time initialization of a WSGI app: the shared import step, then warm-up requests.

Warm-up requests go through the real bridge (environ, response cycle) with an
in-memory body and transport, so code that runs on first use is loaded before
the heap is snapshotted. A failing warm-up never fails the build.
"""

from __future__ import annotations

from fabricks_runtime.preinit import Report, finish, import_app

from .environ import build_environ
from .response import ResponseCycle
from .wsgi_input import bytes_input


class MemoryTransport:
    """A response transport that keeps only the status."""

    status = None

    def start(self, status, headers):
        self.status = status

    def write(self, data):
        pass

    def flush(self):
        pass

    def finish(self):
        pass

    def abort(self):
        pass


class NullErrors:
    def write(self, text):
        return len(text)

    def flush(self):
        pass


def warm_up(app, paths: list[str], report: Report, script_name: str = "") -> None:
    """GET each path through the real bridge; record the statuses in the report."""
    for path in paths:
        environ = build_environ(method="GET", scheme="http", authority="localhost", path_with_query=path,
                                headers=[("host", b"localhost"), ("user-agent", b"fabricks-warmup")],
                                body=bytes_input(b""), errors=NullErrors(), script_name=script_name)
        transport = MemoryTransport()
        ResponseCycle(transport, "GET", errors=NullErrors()).run(app, environ)
        report.data["warmup"].append({"path": path, "status": transport.status})


def initialize(config_path: str) -> tuple[object, dict]:
    """Import, preload and warm up the WSGI app; return it and the build config.

    See :mod:`fabricks_runtime.preinit`.
    """
    app, report, config = import_app(config_path)
    try:
        warm_up(app, config.get("warmup", []), report, config.get("script_name", ""))
    except Exception as error:  # a broken warm-up must not break the build
        report.warn(f"warm-up request failed: {error!r}", "Set `warmup = []` in [python] to skip warm-up.")
    finish(report)
    return app, config
