"""The results of one benchmark run, rendered as Markdown tables, and docs/benchmarks.md rewritten.

Everything here is pure (no servers, no clock) so that tests/unit/test_bench.py covers it. Units:
req/s; milliseconds (latency, start times, instantiation); MB = 10^6 bytes (RSS, sizes).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadgen import WrkResult

BEGIN = "<!-- bench:begin (written by `make bench`; edit bench/report.py, not this block) -->"
END = "<!-- bench:end -->"
RUN = ".venv/bin/python bench/run.py"


@dataclass
class Measure:
    """One server on one route: its measured rounds (wrk results) and the peak RSS (MB) of its
    process tree over those rounds."""

    example: str
    path: str
    route: str  # what the route does (bench/cases.py)
    server: str  # label
    kind: str  # "native" or "component"
    rounds: list[WrkResult] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    @property
    def rps(self) -> float:
        """Median requests/s over the rounds."""
        return statistics.median(r.rps for r in self.rounds)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.rounds)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)


@dataclass
class FreshCost:
    """A fresh instance per request against instance reuse, on one route: requests/s at the run's
    connections (``reuse`` / ``fresh``) and latency at one connection (``reuse_1`` / ``fresh_1``),
    whose p50 difference is the time one instantiation adds to a request."""

    example: str
    path: str
    reuse: Measure
    fresh: Measure
    reuse_1: Measure
    fresh_1: Measure

    @property
    def ratio(self) -> float:
        return ratio(self.fresh.rps, self.reuse.rps)

    @property
    def instantiation_ms(self) -> float:
        """p50 latency at one connection, fresh minus reused instance (ms)."""
        return self.fresh_1.p50_ms - self.reuse_1.p50_ms


@dataclass
class Startup:
    """Per example: component sizes (MB), the median ms from ``fabricks service run`` (cached build)
    to the first 200, and each native baseline's ms from its process start to its first 200."""

    example: str
    path: str
    wasm_mb: float
    cwasm_mb: float
    service_run_ms: float | None = None
    native_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class Machine:
    """Where and when: ISO date, ``cores`` (nproc), memory in GiB, CPU model, 1-minute load
    average before and after the run (others' work on a shared machine)."""

    date: str
    cores: int
    memory_gib: float
    cpu: str
    load_before: float
    load_after: float


@dataclass
class Settings:
    """The load: wrk ``threads`` and ``connections``, ``duration_s`` per measured round after a
    ``warmup_s`` warm-up on the same server, ``rounds`` per server (servers alternate in each round)."""

    threads: int
    connections: int
    duration_s: float
    warmup_s: float
    rounds: int

    def flags(self) -> str:
        return f"-t{self.threads} -c{self.connections} -d{self.duration_s:g}s"


@dataclass
class Run:
    """A whole benchmark run."""

    machine: Machine
    settings: Settings
    measures: list[Measure] = field(default_factory=list)
    fresh: list[FreshCost] = field(default_factory=list)
    startups: list[Startup] = field(default_factory=list)
    command: str = "make bench"


def ratio(value: float, base: float) -> float:
    """``value / base``; 0 when there is no base."""
    return value / base if base else 0.0


def fmt_int(value: float) -> str:
    """Requests/s with thousands separators: ``12,345``."""
    return f"{value:,.0f}"


def fmt_ms(value: float) -> str:
    """Milliseconds: 2 decimals below 10, 1 below 100, else none."""
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A Markdown table; columns whose index is in ``right`` are right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join("---:" if i in right else "---" for i in range(len(header))) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def rerun(example: str, path: str | None = None) -> str:
    return f"`{RUN} --example {example}" + (f" --path {path}`" if path else "`")


def groups(measures: list[Measure]) -> list[tuple[str, str, list[Measure]]]:
    """``(example, path, measures)`` in the order first measured."""
    out: dict[tuple[str, str], list[Measure]] = {}
    for m in measures:
        out.setdefault((m.example, m.path), []).append(m)
    return [(e, p, ms) for (e, p), ms in out.items()]


def summary_table(run: Run) -> str:
    """The component against each native baseline, per route: req/s and component/native ratio."""
    rows = []
    for example, path, ms in groups(run.measures):
        components = [m for m in ms if m.kind == "component"]
        if not components:
            continue
        component = components[0]
        for native in (m for m in ms if m.kind == "native"):
            rows.append([f"{example} (`{path}`)", native.server, fmt_int(native.rps), fmt_int(component.rps),
                         f"{ratio(component.rps, native.rps):.2f}", rerun(example, path)])
    return table(["app (path)", "native baseline", "native req/s", "component req/s", "ratio", "rerun"],
                 rows, {2, 3, 4})


def detail_table(run: Run) -> str:
    """Every server on every route: req/s, latency, peak RSS, errors."""
    rows = []
    for example, path, ms in groups(run.measures):
        for m in ms:
            rows.append([f"{example} (`{path}`)", m.route, m.server, fmt_int(m.rps), fmt_ms(m.p50_ms), fmt_ms(m.p99_ms),
                         f"{m.peak_rss_mb:.0f}", str(m.errors)])
    return table(["app (path)", "route", "server", "req/s", "p50 ms", "p99 ms", "peak RSS MB", "errors"],
                 rows, {3, 4, 5, 6, 7})


def fresh_table(run: Run) -> str:
    rows = []
    for f in run.fresh:
        rows.append([f"{f.example} (`{f.path}`)", fmt_int(f.reuse.rps), fmt_int(f.fresh.rps), f"{f.ratio:.2f}",
                     fmt_ms(f.reuse_1.p50_ms), fmt_ms(f.fresh_1.p50_ms), fmt_ms(f.instantiation_ms),
                     f"{f.fresh.peak_rss_mb:.0f}", rerun(f.example, f.path)])
    return table(["app (path)", "reuse req/s", "fresh req/s", "fresh/reuse", "reuse p50 ms, 1 conn",
                  "fresh p50 ms, 1 conn", "ms per instantiation", "fresh peak RSS MB", "rerun"],
                 rows, {1, 2, 3, 4, 5, 6, 7})


def startup_table(run: Run) -> str:
    rows = []
    for s in run.startups:
        natives = "; ".join(f"{name} {fmt_ms(ms)}" for name, ms in s.native_ms.items()) or "-"
        cold = fmt_ms(s.service_run_ms) if s.service_run_ms is not None else "-"
        rows.append([s.example, f"{s.wasm_mb:.1f}", f"{s.cwasm_mb:.1f}", cold, natives, rerun(s.example)])
    return table(["app", "component .wasm MB", "precompiled .cwasm MB", "`service run` to first 200, ms",
                  "native start to first 200, ms", "rerun"], rows, {1, 2, 3})


def render(run: Run) -> str:
    """The generated part of docs/benchmarks.md (between BEGIN and END)."""
    m, s = run.machine, run.settings
    examples = sorted({x.example for x in run.measures} | {x.example for x in run.startups})
    out = [BEGIN, "",
           f"## Components against native servers, {m.date} ({m.cores} cores, {m.memory_gib:.0f} GiB; wrk on the same machine)",
           "",
           f"Generated by `{run.command}` ({', '.join(examples)}). Machine: {m.cpu}, `nproc` = {m.cores}, "
           f"{m.memory_gib:.1f} GiB; 1-minute load average {m.load_before:.2f} before, {m.load_after:.2f} after "
           "(others' work on a shared machine shows here).",
           f"Load: `wrk {s.flags()} --latency`, {s.warmup_s:g} s of warm-up before each measured round, "
           f"{s.rounds} round(s) per server with the servers alternating (native, component, ...; reversed in odd "
           "rounds); each figure is the median over the rounds. Ratios are component / native from this one run: "
           "quote those, not the absolute numbers.",
           "",
           "### Throughput: the component against the baselines users deploy",
           "",
           f"Rerun all: `make bench` (or `{RUN}`); one row: the command beside it.",
           "",
           summary_table(run),
           "",
           "What bounds these numbers: wrk's 2 threads and the server share the same cores, so a server that can "
           "use every core (gunicorn and uvicorn workers, node cluster, tokio, fabricks-host) gets what wrk leaves; "
           "native figures are lower bounds on the server alone. gunicorn's sync workers close the connection after "
           "every response (wrk reconnects: that is what gunicorn offers as deployed). The component is served with "
           "`fabricks service run`'s defaults (fabricks-host, docs/host.md): a request goes to an idle instance, a "
           "new one only when every instance is busy, instances are reused without a cap, and a request's cost is "
           "the guest's (interpreter or engine inside wasm) plus the host's (hyper, wasi:http resources, copies "
           "across the component boundary).",
           "",
           "### Every server: latency and memory",
           "",
           f"Rerun: `make bench`, or the row's example with `{RUN} --example NAME`. Peak RSS is sampled every "
           "100 ms from /proc over the server's measured rounds, summed over its process tree (all gunicorn/uvicorn "
           "workers, every node cluster process; the fabricks-host process for a component). Errors are wrk's socket "
           "errors plus non-2xx responses (a row with errors is not comparable).",
           "",
           detail_table(run),
           ""]
    if run.fresh:
        out += ["### A fresh instance per request (`fabricks service run --fresh-instances`)",
                "",
                f"Rerun: the command beside each row. Throughput at `-c{s.connections}`; latency at one connection "
                "(`wrk -t1 -c1`), where the p50 difference between a fresh and a reused instance is what one "
                "instantiation adds to a request.",
                "",
                fresh_table(run),
                "",
                "What bounds this: instantiating the component on every request, on the same cores as wrk. "
                "The host uses wasmtime's pooling allocator for such a service, each memory's first 64 MiB kept "
                "resident between instances (docs/host.md). Profiled (flask-hello, perf): the kernel's page "
                "faults as the request writes into the copy-on-write snapshot, wasmtime wiring the core "
                "instances (componentize-py links libc, libpython and each extension as separate core modules: "
                "their imports are resolved and their function references made per instance), then the "
                "interpreter's first pass over cold caches.",
                ""]
    if run.startups:
        out += ["### Cold start and size",
                "",
                "Rerun: the command beside each row. Cold start: from spawning `fabricks service run APP` with the "
                "build cached to the first 200 on the app's first route, the median of the runs (the CLI's Python "
                "start, resolving the app and hashing it to find the cached build, wasmtime loading the precompiled "
                ".cwasm, the first instance). Native: from spawning the baseline to its first 200, once, for "
                "comparison (interpreters import the app then; the component imported it at build time).",
                "",
                startup_table(run),
                ""]
    out.append(END)
    return "\n".join(out)


def rewrite(doc: str, block: str) -> str:
    """``doc`` with its generated block replaced by ``block``. Without markers the block goes after
    the title and the text that follows it, before the first ``## `` section (kept: older sections)."""
    if BEGIN in doc and END in doc:
        start, end = doc.index(BEGIN), doc.index(END) + len(END)
        return doc[:start] + block + doc[end:]
    first = re.search(r"^## ", doc, re.M)
    if first is None:
        return doc.rstrip("\n") + "\n\n" + block + "\n"
    return doc[:first.start()] + block + "\n\n" + doc[first.start():]


def write_docs(path: Path, run: Run) -> None:
    """Rewrite the generated block of ``path`` (docs/benchmarks.md) with ``run``'s tables."""
    path.write_text(rewrite(path.read_text(), render(run)))
