"""The benchmark: examples served natively (as users deploy them) and as components, under wrk.

    make bench                                             # everything; rewrites docs/benchmarks.md
    .venv/bin/python bench/run.py                          # everything, printed (add --write-docs)
    .venv/bin/python bench/run.py --example flask-hello    # one example (repeatable)
    .venv/bin/python bench/run.py --example flask-hello --path /users/1
    .venv/bin/python bench/run.py --quick [--example NAME] # one example's first route, -d2s, 1 round
    .venv/bin/python bench/run.py --example axum-hello --edit src/lib.rs   # + build times, fresh cache
    .venv/bin/python bench/run.py --example fastapi-library --build-times --no-serve  # build times only

For each example (bench/cases.py): build it through the pipeline (cached), start its native
baselines (bench/baselines.py) and the component (fabricks.host.Service, `service run` defaults),
then for each route run ROUNDS rounds in which every server gets a warm-up and a measured wrk run
(bench/loadgen.py), servers alternating; peak RSS sampled meanwhile (bench/rss.py). Then the
fresh-instance cost on the first route, and the cold start of `fabricks service run`
(bench/coldstart.py). The tables are printed, and with --write-docs replace the generated block
of docs/benchmarks.md (bench/report.py). --build-times (or --edit) first times builds from an
empty cache (bench/buildtime.py).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import baselines, buildtime, cases, coldstart, loadgen, report  # noqa: E402
from bench.rss import PeakRss  # noqa: E402
from fabricks.packs import Registry  # noqa: E402
from fabricks.pipeline import BuildResult, build  # noqa: E402
from fabricks.resolve import resolve  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> report.Machine:
    """This machine, now (Linux /proc)."""
    meminfo = Path("/proc/meminfo").read_text()
    mem_kb = int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal:")))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    return report.Machine(date=datetime.date.today().isoformat(), cores=baselines.cores(),
                          memory_gib=mem_kb / 2**20, cpu=cpu, load_before=os.getloadavg()[0], load_after=0.0)


def prepare(case: cases.Case, workdir: Path) -> tuple[Path, Path, BuildResult]:
    """Two copies of the example (native, component: each its own state, e.g. a migrated SQLite)
    and the component built from the second (through the pipeline's cache)."""
    copies = []
    for side in ("native", "component"):
        target = workdir / side / case.example
        shutil.copytree(ROOT / "examples" / case.example, target,
                        ignore=shutil.ignore_patterns("__pycache__", ".fabricks", "node_modules", "target"))
        copies.append(target)
    started = time.perf_counter()
    result = build(resolve(copies[1], Registry.discover()))
    log(f"{case.example}: build {time.perf_counter() - started:.1f} s (cached after the first), "
        f"component {result.wasm.stat().st_size / 1e6:.1f} MB")
    for target in copies:
        if (target / "manage.py").exists():  # Django: the database the routes read
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=target, check=True,
                           env={**os.environ, **baselines.native_python_path(copies[0]), **dict(case.env)})
    return copies[0], copies[1], result


def measure(server: baselines.Server, url: str, settings: report.Settings, into: report.Measure,
            connections: int | None = None, threads: int | None = None) -> None:
    """A warm-up run, then a measured one, added to ``into`` (peak RSS kept)."""
    connections = connections or settings.connections
    threads = min(threads or settings.threads, connections)
    if settings.warmup_s > 0:
        loadgen.run(url, threads, connections, settings.warmup_s)
    with PeakRss(server.pid) as rss:
        result = loadgen.run(url, threads, connections, settings.duration_s)
    into.rounds.append(result)
    into.peak_rss_mb = max(into.peak_rss_mb, rss.peak_mb)
    warn = f"  ({result.errors} errors)" if result.errors else ""
    log(f"    {server.label:<40} {result.rps:>9,.0f} req/s  p50 {result.p50_ms:.2f} ms  p99 {result.p99_ms:.2f} ms  "
        f"RSS {rss.peak_mb:.0f} MB{warn}")


def check_200(server: baselines.Server, path: str) -> None:
    status = baselines.get_status(server.url + path, timeout_s=30)
    if status != 200:
        raise RuntimeError(f"{server.label}: GET {path} answered {status}, not 200: not a route to benchmark")


def alternate(items: list, round_index: int) -> list:
    """The servers' order in round ``round_index``: as given in even rounds, reversed in odd ones."""
    return list(items) if round_index % 2 == 0 else list(reversed(items))


def bench_example(case: cases.Case, args: argparse.Namespace, settings: report.Settings, run: report.Run) -> None:
    routes = [r for r in case.routes if args.path in (None, r.path)] or [cases.Route(args.path, "given with --path")]
    if args.quick:
        routes = routes[:1]
    env = dict(case.env)
    with tempfile.TemporaryDirectory(prefix=f"bench-{case.example}-") as tmp:
        native_dir, component_dir, result = prepare(case, Path(tmp))
        probe = routes[0].path
        natives = baselines.natives(native_dir, result, env, probe)
        component = baselines.ComponentServer(result, env, probe=probe)
        fresh = None if args.no_fresh else baselines.ComponentServer(result, env, fresh=True, probe=probe)
        # Interleaved: native, component, native, ... (one component for all the natives).
        servers: list[baselines.Server] = []
        for native in natives:
            servers += [native, component] if component not in servers else [native]
        startup = report.Startup(case.example, probe, result.wasm.stat().st_size / 1e6,
                                 result.cwasm.stat().st_size / 1e6)
        with contextlib.ExitStack() as stack:
            for server in servers + ([fresh] if fresh else []):
                started = time.perf_counter()
                stack.enter_context(server)
                if server.kind == "native":
                    startup.native_ms[server.label] = (time.perf_counter() - started) * 1000
            for route in routes:
                log(f"  {case.example} {route.path} ({route.kind})")
                for server in servers:
                    check_200(server, route.path)
                rows = {s.label: report.Measure(case.example, route.path, route.kind, s.label, s.kind)
                        for s in servers}
                for index in range(settings.rounds):
                    log(f"   round {index + 1}/{settings.rounds}")
                    for server in alternate(servers, index):
                        measure(server, server.url + route.path, settings, rows[server.label])
                run.measures += rows.values()
            if fresh:
                path = routes[0].path
                log(f"  {case.example} {path}: fresh instance per request")
                check_200(fresh, path)
                reuse_row = next(m for m in run.measures if m.example == case.example and m.path == path
                                 and m.kind == "component")
                cost = report.FreshCost(case.example, path, reuse_row,
                                        report.Measure(case.example, path, "", fresh.label, "component"),
                                        report.Measure(case.example, path, "", component.label + ", 1 conn",
                                                       "component"),
                                        report.Measure(case.example, path, "", fresh.label + ", 1 conn",
                                                       "component"))
                for index in range(settings.rounds):
                    log(f"   round {index + 1}/{settings.rounds}")
                    measure(fresh, fresh.url + path, settings, cost.fresh)
                    for server, into in alternate([(component, cost.reuse_1), (fresh, cost.fresh_1)], index):
                        measure(server, server.url + path, settings, into, connections=1, threads=1)
                run.fresh.append(cost)
        if not args.no_cold_start:
            startup.service_run_ms = coldstart.median_service_run_ms(component_dir, probe, env, args.cold_starts)
            log(f"  {case.example}: `fabricks service run` to first 200: {startup.service_run_ms:.0f} ms "
                f"(median of {args.cold_starts})")
        run.startups.append(startup)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n", 1)[1])
    parser.add_argument("--example", action="append", help="an example of examples/ (repeatable; default: all)")
    parser.add_argument("--path", help="only this route (any GET path of the example that answers 200)")
    parser.add_argument("--quick", action="store_true",
                        help="development: one example (flask-hello unless --example), its first route, -d2s, "
                             "1 s warm-up, 1 round, 1 cold start")
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("-c", "--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("-d", "--duration", type=float, help="seconds per measured round (default 10; --quick 2)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up before each round (default 2; --quick 1)")
    parser.add_argument("--rounds", type=int, help="rounds per server (default 3; --quick 1)")
    parser.add_argument("--cold-starts", type=int, help="cold starts per example, median kept (default 3; --quick 1)")
    parser.add_argument("--no-fresh", action="store_true", help="skip the fresh-instance measurements")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the `service run` cold starts")
    parser.add_argument("--build-times", action="store_true",
                        help="first time the builds from an empty cache: cold, unchanged, recipe wheels (slow)")
    parser.add_argument("--edit", help="with the build times: a file of the example (e.g. src/lib.rs) to change by "
                                       "one line and rebuild")
    parser.add_argument("--no-serve", action="store_true", help="only the build times: no servers, no wrk")
    parser.add_argument("--write-docs", action="store_true",
                        help="rewrite the generated tables of docs/benchmarks.md (what `make bench` does)")
    args = parser.parse_args(argv)

    quick = args.quick
    settings = report.Settings(threads=args.threads, connections=args.connections,
                               duration_s=args.duration or (2 if quick else 10),
                               warmup_s=args.warmup if args.warmup is not None else (1 if quick else 2),
                               rounds=args.rounds or (1 if quick else 3))
    args.cold_starts = args.cold_starts or (1 if quick else 3)
    names = args.example or (["flask-hello"] if quick else [c.example for c in cases.CASES])
    selected = [cases.find(name) for name in names]
    if args.build_times or args.edit:
        for case in selected:
            for line in buildtime.build_times(case.example, args.edit):
                print(line, flush=True)
    if args.no_serve:
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `sh bench/install-tools.sh` (or `make bench`)")
    given = list(argv if argv is not None else sys.argv[1:])
    # "make bench" only for what it runs: the defaults (shorter runs name their own options).
    command = "make bench" if given == ["--write-docs"] else " ".join([".venv/bin/python bench/run.py", *given])
    run = report.Run(machine(), settings, command=command)
    log(f"bench: {', '.join(names)}; wrk {settings.flags()}, {settings.rounds} round(s), "
        f"{settings.warmup_s:g} s warm-up; {run.machine.cores} cores, load {run.machine.load_before:.2f}")
    for case in selected:
        bench_example(case, args, settings, run)
    run.machine.load_after = os.getloadavg()[0]
    block = report.render(run)
    print(block)
    if args.write_docs:
        report.write_docs(DOCS, run)
        log(f"bench: rewrote the tables of {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
