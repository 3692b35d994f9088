"""Build times, in seconds, from an empty build cache (what CI and a new machine pay).

Cold (for Rust this includes building std for wasm; for an app needing a native extension,
building its wheel from the recipe, reported apart), unchanged (a cache hit), and after a
one-line change to an ``edit`` file (a comment appended: the crate recompiles and relinks,
the cached std and dependencies are reused). Slow (minutes): not part of ``make bench``;
``bench/run.py --build-times`` or ``--edit FILE`` runs it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from fabricks.packs import Registry
from fabricks.pipeline import build
from fabricks.resolve import resolve

ROOT = Path(__file__).resolve().parents[1]


def _build(app_dir: Path):
    return build(resolve(app_dir, Registry.discover()))


def build_times(example: str, edit: str | None = None) -> list[str]:
    """Lines reporting the build times of ``examples/<example>`` in a fresh cache (seconds;
    ms for a cache hit), the component's size in MB, and the time spent on recipe wheels."""
    lines = []
    previous = os.environ.get("FABRICKS_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as cache:
        os.environ["FABRICKS_CACHE_DIR"] = cache
        try:
            app_dir = Path(cache) / "app" / example  # a copy: the one-line change must not touch examples/
            shutil.copytree(ROOT / "examples" / example, app_dir,
                            ignore=shutil.ignore_patterns(".fabricks", "target", "node_modules", "__pycache__"))
            started = time.perf_counter()
            result = _build(app_dir)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            _build(app_dir)
            cached = time.perf_counter() - started
            edited = ""
            if edit:
                with (app_dir / edit).open("a") as file:
                    file.write("\n// bench: a one-line change\n" if not edit.endswith(".py")
                               else "\n# bench: a one-line change\n")
                started = time.perf_counter()
                result = _build(app_dir)
                edited = f", after a one-line change to {edit} {time.perf_counter() - started:.1f} s"
            lines.append(f"build {example} (fresh cache): cold {cold:.1f} s, unchanged {cached * 1000:.0f} ms{edited}, "
                         f"component {result.wasm.stat().st_size / 1e6:.1f} MB")
            wheels = sorted(Path(cache).glob("wasi-wheels/*/*.whl"))
            if wheels:
                # A native extension was built from its recipe during the cold build: build again from
                # nothing but those wheels (what any later app on this machine pays).
                for kept in ("steps", "builds"):
                    shutil.rmtree(Path(cache) / kept, ignore_errors=True)
                shutil.rmtree(app_dir / ".fabricks", ignore_errors=True)
                started = time.perf_counter()
                _build(app_dir)
                again = time.perf_counter() - started
                names = ", ".join(" ".join(w.name.split("-")[:2]) for w in wheels)
                lines.append(f"  of which building {names} from recipes: {cold - again:.1f} s "
                             f"(a cold build with the wheels cached: {again:.1f} s)")
        finally:
            if previous is None:
                os.environ.pop("FABRICKS_CACHE_DIR", None)
            else:
                os.environ["FABRICKS_CACHE_DIR"] = previous
    return lines
