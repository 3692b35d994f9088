"""fabricks-host against `wasmtime serve`: the same components, side by side in one run.

    .venv/bin/python bench/hosts.py                        # the examples below, -d5, 2 rounds
    .venv/bin/python bench/hosts.py --example flask-hello --rounds 3 -d 10

The numbers behind the choice of host (docs/host.md). For each example, its first route
(bench/cases.py) under wrk, each host with the settings `fabricks service run` used for it:
fabricks-host with its defaults; wasmtime serve 49.0.3 (the same wasmtime) with -Scli,
`--max-instance-reuse-count 1000000` and a 600 s idle timeout, which is what Fabricks ran until
it had its own host. Rounds alternate the two. Then one keep-alive client sends 2,000
sequential requests to a counter route of tests/apps (does each reach the instance that
served the previous one?).
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import baselines, cases, loadgen  # noqa: E402
from bench.rss import PeakRss  # noqa: E402
from bench.run import alternate, prepare  # noqa: E402
from fabricks import toolchain  # noqa: E402
from fabricks.host import grants  # noqa: E402
from fabricks.packs import Registry  # noqa: E402
from fabricks.pipeline import BuildResult, build  # noqa: E402
from fabricks.resolve import resolve  # noqa: E402

EXAMPLES = ("flask-hello", "starlette-notes", "fastapi-library", "hono-api", "express-shop", "axum-hello")
COUNTERS = ("node-http-conformance", "wsgi-conformance")


class WasmtimeServe(baselines.NativeProcess):
    """The component under `wasmtime serve`, as Fabricks ran it before fabricks-host."""

    kind = "component"

    def __init__(self, result: BuildResult, env: dict[str, str], workdir: Path, probe: str = "/") -> None:
        wasmtime = toolchain.require(toolchain.WASMTIME)
        cwasm = workdir / f"{result.spec.name}.wasmtime.cwasm"
        subprocess.run([str(wasmtime), "compile", "-o", str(cwasm), str(result.wasm)], check=True)
        dirs, envs, _ = grants(result, {**os.environ, **env})
        wasi = [arg for flag in result.spec.pack.component.wasi for arg in ("-S", flag)]
        argv = [str(wasmtime), "serve", "--addr", "127.0.0.1:{port}", *wasi,
                "--max-instance-reuse-count", "1000000", "--idle-instance-timeout", "600s",
                *[a for d in dirs for a in ("--dir", f"{d['host']}::{d['guest']}")],
                *[a for name, value in envs for a in ("--env", f"{name}={value}")],
                "--allow-precompiled", str(cwasm)]
        super().__init__("wasmtime serve", argv, workdir, {}, probe)


def fabricks_host(result: BuildResult, env: dict[str, str], probe: str) -> baselines.ComponentServer:
    server = baselines.ComponentServer(result, env, probe=probe)
    server.label = "fabricks-host"
    return server


def sequential_gaps(url: str, n: int) -> int:
    """How many of ``n`` sequential keep-alive GET /count did not count on from the previous one."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    values = []
    for _ in range(n):
        connection.request("GET", "/count")
        values.append(int(connection.getresponse().read()))
    connection.close()
    return sum(1 for a, b in zip(values, values[1:]) if b != a + 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", action="append", help=f"an example (repeatable; default: {', '.join(EXAMPLES)})")
    parser.add_argument("-d", "--duration", type=float, default=5, help="seconds per measured run (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per host (default 2)")
    parser.add_argument("-c", "--connections", type=int, default=8, help="wrk connections (default 8)")
    args = parser.parse_args(argv)
    by_name = {c.example: c for c in cases.CASES}
    rows = []
    for example in args.example or EXAMPLES:
        case = by_name[example]
        path = case.routes[0].path
        env = dict(case.env)
        with tempfile.TemporaryDirectory(prefix=f"hosts-{example}-") as tmp:
            _, _, result = prepare(case, Path(tmp))
            measured: dict[str, list] = {"fabricks-host": [], "wasmtime serve": []}
            peak: dict[str, float] = {"fabricks-host": 0.0, "wasmtime serve": 0.0}
            with fabricks_host(result, env, path) as ours, WasmtimeServe(result, env, Path(tmp), path) as theirs:
                for index in range(args.rounds):
                    for server in alternate([ours, theirs], index):
                        loadgen.run(server.url + path, 2, args.connections, 1)
                        with PeakRss(server.pid) as rss:
                            result_ = loadgen.run(server.url + path, 2, args.connections, args.duration)
                        measured[server.label].append(result_)
                        peak[server.label] = max(peak[server.label], rss.peak_mb)
                        print(f"{example} {path} {server.label}: {result_.rps:,.0f} req/s p99 {result_.p99_ms:.1f} ms",
                              file=sys.stderr, flush=True)
            best = {k: max(v, key=lambda r: r.rps) for k, v in measured.items()}
            rows.append((f"{example} (`{path}`)", best["fabricks-host"], best["wasmtime serve"],
                         peak["fabricks-host"], peak["wasmtime serve"]))
    gaps = []
    for app in COUNTERS:
        result = build(resolve(ROOT / "tests" / "apps" / app, Registry.discover()))
        with tempfile.TemporaryDirectory() as tmp:
            with fabricks_host(result, {}, "/count") as ours, WasmtimeServe(result, {}, Path(tmp), "/count") as theirs:
                gaps.append((app, sequential_gaps(ours.url, 2000), sequential_gaps(theirs.url, 2000)))

    print(f"\n`.venv/bin/python bench/hosts.py {' '.join(argv or sys.argv[1:])}` (wrk -t2 -c{args.connections} "
          f"-d{args.duration:g}s, best of {args.rounds} alternating rounds; peak RSS)\n")
    print("| example (route) | fabricks-host req/s | wasmtime serve req/s | ratio | p99 ms (ours / theirs) | RSS MB (ours / theirs) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, a, b, rss_a, rss_b in rows:
        print(f"| {name} | {a.rps:,.0f} | {b.rps:,.0f} | {a.rps / b.rps:.2f} | {a.p99_ms:.1f} / {b.p99_ms:.1f} | "
              f"{rss_a:.0f} / {rss_b:.0f} |")
    print("\n| counter app | requests that reached another instance, of 2,000 sequential: fabricks-host | wasmtime serve |")
    print("| --- | ---: | ---: |")
    for app, ours_gaps, theirs_gaps in gaps:
        print(f"| {app} | {ours_gaps} | {theirs_gaps} |")


if __name__ == "__main__":
    main()
