"""Build-time initialization of an ASGI app: shims, the shared import step, route checks.

No warm-up requests by default for ASGI apps: a request may need lifespan state that
only exists once startup has run, and startup runs per instance, at run time.
"""

from __future__ import annotations

import asyncio

from fabricks_runtime.preinit import Report, finish, import_app

from .shims import install_inline_threads, install_multiprocessing

KIND = "ASGI application"
SIGNATURE = "An ASGI application is an async callable app(scope, receive, send) (ASGI 3.0)."


def routes_of(app, depth: int = 0):
    """Yield route objects reachable from ``app`` (Starlette/FastAPI routers, mounts, middleware)."""
    if depth > 8 or app is None:
        return
    for attr in ("routes", "router", "app", "middleware_stack"):
        value = getattr(app, attr, None)
        if attr == "routes" and isinstance(value, (list, tuple)):
            for route in value:
                yield route
                yield from routes_of(route, depth + 1)
        elif attr != "routes" and value is not None and value is not app:
            yield from routes_of(value, depth + 1)


def warn_unsupported_routes(app, report: Report) -> None:
    """A WebSocket route can never be reached through wasi:http: say which, at build time."""
    seen = set()
    for route in routes_of(app):
        if "websocket" in type(route).__name__.lower():
            path = getattr(route, "path", "?")
            if path not in seen:
                seen.add(path)
                report.warn(f"WebSocket route {path} can't be served: wasi:http has no WebSocket upgrade",
                            "Requests to it get 501 Not Implemented. Serve WebSockets from another service.")
    url_map = getattr(app, "url_map", None)  # Quart
    for rule in getattr(url_map, "iter_rules", lambda: [])():
        if getattr(rule, "websocket", False) and rule.rule not in seen:
            seen.add(rule.rule)
            report.warn(f"WebSocket route {rule.rule} can't be served: wasi:http has no WebSocket upgrade",
                        "Requests to it get 501 Not Implemented. Serve WebSockets from another service.")


def initialize(config_path: str) -> tuple[object, dict]:
    """Install the shims, import the app (see :mod:`fabricks_runtime.preinit`); return it and the config."""
    install_multiprocessing()
    # Frameworks may look up the loop at import: make it ours before they do.
    from .loop import wasi_loop

    asyncio.set_event_loop(wasi_loop())
    app, report, config = import_app(config_path, KIND, SIGNATURE)
    install_inline_threads()  # after the import: anyio comes with the app's dependencies
    warn_unsupported_routes(app, report)
    finish(report)
    return app, config
