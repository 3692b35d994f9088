"""The Python bridges' own cost, on the host: a request through the component's bridge code
(fabricks_asgi or fabricks_wsgi, with fabricks_runtime) against stand-in componentize-py
bindings, so no host call is made and what is timed is plain Python: the bridge and the app.

    .venv/bin/python bench/bridge_profile.py --bridge asgi --app app:app --app-dir examples/starlette-notes --path /

Prints the mean µs a request over --requests calls of ``Handler().handle``, then cProfile's top
functions over a fifth of them. The app's dependencies must import in this interpreter. The
host's CPython is not the component's (3.14 compiled to wasm, about three times slower on the
same code: docs/benchmarks.md); the proportions hold.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import importlib
import pstats
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass
class Request:  # fabricks:shell/handler's records, as componentize-py generates them
    method: str
    scheme: str
    authority: str
    path_with_query: str
    headers: list
    body: bytes
    rest: object
    body_error: object = None


@dataclasses.dataclass
class Response:
    status: int
    headers: list
    body: bytes
    out: object


def stand_in_bindings() -> None:
    """Install the modules the bridges import from componentize-py's generated bindings."""
    names = ("componentize_py_types", "wit_world", "wit_world.imports", "wit_world.imports.types",
             "wit_world.imports.streams", "wit_world.exports", "wit_world.exports.handler")
    fake = {name: types.ModuleType(name) for name in names}
    fake["componentize_py_types"].Ok = lambda value: value
    fake["componentize_py_types"].Err = type("Err", (Exception,), {})
    fake["wit_world.imports.streams"].StreamError_Closed = type("StreamError_Closed", (), {})
    fake["wit_world.exports.handler"].Request, fake["wit_world.exports.handler"].Response = Request, Response
    for name in ("Fields", "IncomingBody", "OutgoingBody", "OutgoingResponse", "ResponseOutparam"):
        setattr(fake["wit_world.imports.types"], name, type(name, (), {}))
    fake["wit_world"].exports = types.SimpleNamespace(Handler=object)
    sys.modules.update(fake)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bridge", choices=("asgi", "wsgi"), required=True)
    parser.add_argument("--app", required=True, help="module:attribute, as in the Fabrickfile")
    parser.add_argument("--app-dir", type=Path, required=True, help="the app's folder (put on sys.path)")
    parser.add_argument("--path", default="/")
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()

    runtime = ROOT / "packs" / f"python-{args.bridge}" / "runtime"
    sys.path[:0] = [str(runtime), str(ROOT / "packs" / "_shared" / "python"), str(args.app_dir.resolve())]
    stand_in_bindings()
    if args.bridge == "asgi":  # the component's loop, as startup.initialize installs it
        from fabricks_asgi.loop import WasiEventLoop

        def no_host(*_):
            raise RuntimeError("the request waited on a pollable: no host here to poll it")

        asyncio.set_event_loop(WasiEventLoop(no_host, no_host))
    module, _, attr = args.app.partition(":")
    app = getattr(importlib.import_module(module), attr or "app")
    handler_module = importlib.import_module(f"fabricks_{args.bridge}.handler")
    handler = handler_module.make_handler(app, {"lifespan": "auto"})()
    headers = [("host", b"127.0.0.1:8080"), ("user-agent", b"wrk"), ("accept", b"*/*")]

    def one():
        return handler.handle(Request("GET", "http", "127.0.0.1:8080", args.path, headers, b"", None), object())

    first = one()
    if first is None or first.status != 200:
        print(f"{args.path} did not answer 200 whole: {first!r}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    for _ in range(args.requests):
        one()
    print(f"{(time.perf_counter() - start) / args.requests * 1e6:.1f} µs a request "
          f"({args.bridge} bridge, {args.app}, {args.path}; CPython {sys.version.split()[0]} on the host)")
    profile = cProfile.Profile()
    profile.runcall(lambda: [one() for _ in range(args.requests // 5)])
    pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
