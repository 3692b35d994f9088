"""wasi:http 0.2 against 0.3 (WASIp3) under wasmtime serve, with the smallest Python handlers.

    .venv/bin/python bench/generations.py [--requests 2000]

Builds http_generations/p2_app.py (incoming-handler, world fabricks:component/http-handler) and p3_app.py
(wasi:http/handler@0.3.0, an async export) with componentize-py, then loads each over
keep-alive connections, side by side in one run: "/" (the generation's own cost per request)
and "/wait" (20 ms of waiting on the clock: what instance concurrency buys), at 1 and 8
concurrent clients. p2 serves one request per instance at a time (the host starts more
instances for concurrent requests); p3 interleaves up to 16 in one instance.

The 0.3 WIT comes from the spin-sdk 5.0.0 wheel (downloaded into a temporary folder, never
kept): componentize-py 0.25.1 bundles no WIT, and Fabricks vendors only 0.2.6.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "http_generations"
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from run import load, rss_mb  # noqa: E402

from e2e.harness import free_port, wait_for_port  # noqa: E402

BIN = Path(sys.executable).parent
P3_PACKAGES = ("http", "cli", "clocks", "random", "filesystem", "sockets")


def p3_wit(tmp: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "spin-sdk==5.0.0",
                    "-d", str(tmp / "dl")], check=True)
    wit = tmp / "wit3"
    (wit / "deps").mkdir(parents=True)
    with zipfile.ZipFile(next((tmp / "dl").glob("spin_sdk-*.whl"))) as wheel:
        for name in P3_PACKAGES:
            (wit / "deps" / f"{name}.wit").write_bytes(wheel.read(f"spin_sdk/wit/deps/{name}.wit"))
    (wit / "world.wit").write_text("package fabricks:bench;\n\nworld service {\n  include wasi:http/service@0.3.0;\n}\n")
    return wit


def build(tmp: Path, wit: Path, world: str, module: str) -> Path:
    out = tmp / f"{module}.wasm"
    subprocess.run([str(BIN / "componentize-py"), "-d", str(wit), "-w", world, "componentize", "-p", str(HERE),
                    module, "-o", str(out)], check=True, capture_output=True)
    cwasm = out.with_suffix(".cwasm")
    subprocess.run([str(BIN / "wasmtime"), "compile", "-W", "component-model-async=y", str(out), "-o", str(cwasm)],
                   check=True)
    return cwasm


def serve(cwasm: Path, p3: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    flags = (["-S", "p3", "-W", "component-model-async=y", "--max-instance-concurrent-reuse-count", "16"]
             if p3 else [])
    proc = subprocess.Popen([str(BIN / "wasmtime"), "serve", "-S", "cli", *flags, "--addr", f"127.0.0.1:{port}",
                             "--max-instance-reuse-count", "100000", "--idle-instance-timeout", "10s",
                             "--allow-precompiled", str(cwasm)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        apps = {"wasi:http 0.2": (build(tmp, ROOT / "wit", "http-handler", "p2_app"), False),
                "wasi:http 0.3": (build(tmp, p3_wit(tmp), "service", "p3_app"), True)}
        shutil.rmtree(tmp / "dl", ignore_errors=True)
        rows = []
        for path, concurrency in (("/", 1), ("/", 8), ("/wait", 1), ("/wait", 8)):
            total = args.requests if path == "/" else args.requests // 10
            for label, (cwasm, p3) in apps.items():
                proc, url = serve(cwasm, p3)
                try:
                    stats = load(url, path, total, concurrency)
                    rows.append((label, path, concurrency, stats, rss_mb(proc.pid)))
                finally:
                    proc.terminate()
                    proc.wait(timeout=10)
    print(f"{'generation':<15}{'path':<7}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'RSS MB':>9}")
    for label, path, concurrency, stats, rss in rows:
        print(f"{label:<15}{path:<7}{concurrency:>8}{stats['rps']:>9.0f}{stats['p50_ms']:>9.2f}"
              f"{stats['p99_ms']:>9.2f}{rss:>9.0f}")


if __name__ == "__main__":
    main()
