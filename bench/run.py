"""Side-by-side benchmark: an example served natively and as a component under wasmtime serve.

    .venv/bin/python bench/run.py [--example flask-hello] [--path /users/1] [--requests 3000] [--concurrency 2]
    .venv/bin/python bench/run.py --example axum-hello --edit src/lib.rs
    .venv/bin/python bench/run.py --example fastapi-library --path /books/1

Measures, in one run on one machine (ratios are what to quote; these machines are shared):
- build: cold (fresh cache: for Rust this includes building std for wasm; for an app needing a
  native extension, building its wheel from the recipe, reported apart), unchanged (cached),
  and after a one-line change to the ``--edit`` file (a comment appended: the crate recompiles
  and relinks, the cached std and dependencies are reused);
- throughput (requests/s) and latency percentiles over keep-alive connections, for the native
  baseline (gunicorn with 1 sync worker per core for WSGI; otherwise the test harness's baseline
  for the pack: uvicorn, Node, the crate's own axum::serve binary) and the component (instance
  reuse on, then a fresh instance per request);
- the host's peak resident memory (wasmtime serve) against the native server's.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from e2e.harness import ComponentServer, NativeServer, build_app, native_server, same_dependencies  # noqa: E402


def load(url: str, path: str, total: int, concurrency: int) -> dict:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    lock = threading.Lock()
    per_worker = total // concurrency

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        for _ in range(per_worker):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"status {response.status}")
            mine.append(time.perf_counter() - started)
            if response.will_close:  # gunicorn's sync workers close after each response
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.close()
        with lock:
            latencies.extend(mine)

    for _ in range(min(50, total)):  # warm up
        c = http.client.HTTPConnection(host, int(port), timeout=30)
        c.request("GET", path)
        c.getresponse().read()
        c.close()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))]}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total = 0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="flask-hello")
    parser.add_argument("--path", default="/users/1")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--edit", help="a file of the example (e.g. src/lib.rs) to change by one line and rebuild")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        os.environ["FABRICKS_CACHE_DIR"] = cache
        app_dir = Path(cache) / "app" / args.example  # a copy: the one-line change must not touch examples/
        shutil.copytree(ROOT / "examples" / args.example, app_dir,
                        ignore=shutil.ignore_patterns(".fabricks", "target", "node_modules", "__pycache__"))
        started = time.perf_counter()
        result = build_app(app_dir)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        build_app(app_dir)
        cached = time.perf_counter() - started
        edited = ""
        if args.edit:
            with (app_dir / args.edit).open("a") as file:
                file.write("\n// bench: a one-line change\n")
            started = time.perf_counter()
            result = build_app(app_dir)
            edited = f", after a one-line change {time.perf_counter() - started:.1f} s"
        print(f"build {args.example}: cold {cold:.1f} s, unchanged {cached * 1000:.0f} ms{edited}, "
              f"component {result.wasm.stat().st_size / 1e6:.1f} MB")
        wheels = sorted(Path(cache).glob("wasi-wheels/*/*.whl"))
        if wheels:
            # A native extension was built from its recipe during the cold build: build again from
            # nothing but those wheels (what any later app on this machine pays).
            for kept in ("steps", "builds"):
                shutil.rmtree(Path(cache) / kept, ignore_errors=True)
            shutil.rmtree(app_dir / ".fabricks", ignore_errors=True)
            started = time.perf_counter()
            result = build_app(app_dir)
            again = time.perf_counter() - started
            print(f"  of which building {', '.join(w.name.split('-')[0] + ' ' + w.name.split('-')[1] for w in wheels)} "
                  f"from recipes: {cold - again:.1f} s (a cold build with the wheels cached: {again:.1f} s)")

        rows = []
        if result.spec.pack.name == "python-wsgi":
            workers = str(os.cpu_count() or 2)
            native = NativeServer([sys.executable, "-m", "gunicorn", "-w", workers, "-b", "127.0.0.1:{port}",
                                   result.spec.app], cwd=app_dir, env=same_dependencies(result))
            label = f"gunicorn ({workers} workers)"
        else:
            native, label = native_server(app_dir, result), f"native ({result.spec.pack.name} baseline)"
        with native:
            rows.append((label, load(native.url, args.path, args.requests, args.concurrency),
                         rss_mb(native.process.pid)))
        with ComponentServer(result) as component:
            rows.append(("component, instance reuse", load(component.url, args.path, args.requests, args.concurrency),
                         rss_mb(component.service.process.pid)))
        with ComponentServer(result, instance_reuse=1) as component:
            rows.append(("component, fresh instances", load(component.url, args.path, args.requests // 5,
                                                            args.concurrency), rss_mb(component.service.process.pid)))
    base = rows[0][1]["rps"]
    print(f"{'server':<28}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}{'RSS MB':>9}")
    for name, stats, rss in rows:
        print(f"{name:<28}{stats['rps']:>9.0f}{stats['rps'] / base:>8.2f}{stats['p50_ms']:>9.2f}"
              f"{stats['p99_ms']:>9.2f}{rss:>9.0f}")


if __name__ == "__main__":
    main()
