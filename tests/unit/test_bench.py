"""The benchmark's pure parts (bench/): wrk output parsing, RSS arithmetic, ratios and tables.
No servers, no wrk: fast."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import cases, loadgen, report, rss  # noqa: E402
from bench.loadgen import WrkResult  # noqa: E402

WRK_OUTPUT = """\
Running 2s test @ http://127.0.0.1:40123/users/1
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   681.33us  301.22us   5.86ms   85.40%
    Req/Sec     5.91k   462.44     6.64k    75.00%
  Latency Distribution
     50%  610.00us
     75%  794.00us
     90%    1.01ms
     99%    1.79ms
  23542 requests in 2.00s, 3.37MB read
Requests/sec:  11759.55
Transfer/sec:      1.68MB
"""

WRK_ERRORS = """\
Running 2s test @ http://127.0.0.1:40123/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    92.10ms   20.00ms    1.20s    70.00%
    Req/Sec    43.00     10.00     60.00     70.00%
  Latency Distribution
     50%   91.95ms
     75%  100.00ms
     90%  150.00ms
     99%    2.01s
  175 requests in 2.00s, 20.00KB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:     87.41
Transfer/sec:     10.00KB
"""


def test_wrk_output_is_parsed_in_milliseconds() -> None:
    result = loadgen.parse(WRK_OUTPUT)
    assert result == WrkResult(rps=11759.55, p50_ms=pytest.approx(0.61), p99_ms=pytest.approx(1.79),
                               requests=23542, errors=0)


def test_wrk_errors_count_socket_errors_and_non_2xx() -> None:
    result = loadgen.parse(WRK_ERRORS)
    assert result.errors == 3 + 2 + 7
    assert result.p50_ms == pytest.approx(91.95) and result.p99_ms == pytest.approx(2010)
    assert result.rps == pytest.approx(87.41) and result.requests == 175


def test_wrk_output_without_latency_is_refused() -> None:
    with pytest.raises(ValueError):
        loadgen.parse(WRK_OUTPUT.replace("     99%    1.79ms\n", ""))


@pytest.mark.parametrize("text, ms", [("610.00us", 0.61), ("1.79ms", 1.79), ("2.01s", 2010), ("1.50m", 90_000)])
def test_wrk_durations(text: str, ms: float) -> None:
    assert loadgen.to_ms(text) == pytest.approx(ms)


def test_wrk_command_has_latency_and_at_least_one_connection_per_thread() -> None:
    argv = loadgen.command("http://127.0.0.1:1/", threads=2, connections=1, duration_s=2)
    assert argv[:4] == ["wrk", "-t2", "-c2", "-d2s"] and "--latency" in argv and argv[-1] == "http://127.0.0.1:1/"


def test_process_tree_and_rss() -> None:
    family = {1: [2, 3], 2: [4], 3: [], 4: [2]}  # a cycle must not loop
    assert rss.tree(1, lambda p: family.get(p, [])) == [1, 2, 3, 4]
    assert rss.vmrss_kb("Name:\tnode\nVmPeak:\t 900 kB\nVmRSS:\t  51200 kB\n") == 51200
    assert rss.vmrss_kb("Name:\tzombie\nState:\tZ\n") == 0


def test_peak_rss_of_this_process_is_positive() -> None:
    import os

    with rss.PeakRss(os.getpid(), interval_s=0.01) as peak:
        pass
    assert peak.peak_mb > 1


def test_every_case_has_a_hello_route_and_a_second_route() -> None:
    examples = {p.parent.name for p in (ROOT / "examples").glob("*/Fabrickfile")}
    for case in cases.CASES:
        assert case.example in examples
        assert len(case.routes) >= 2 and all(r.path.startswith("/") for r in case.routes)
    assert cases.find("flask-hello").hello.path == "/"
    with pytest.raises(KeyError, match="known"):
        cases.find("nope")


def _wrk(rps: float, p50: float = 1.0, p99: float = 2.0, errors: int = 0) -> WrkResult:
    return WrkResult(rps=rps, p50_ms=p50, p99_ms=p99, requests=int(rps * 10), errors=errors)


def _run() -> report.Run:
    machine = report.Machine("2026-12-01", 2, 23.5, "Test CPU", 1.0, 2.0)
    run = report.Run(machine, report.Settings(2, 8, 10, 2, 3))
    native = report.Measure("flask-hello", "/users/1", "JSON object", "gunicorn, 2 sync workers", "native",
                            [_wrk(3000), _wrk(3500, p50=1.5), _wrk(3400)], 84.4)
    component = report.Measure("flask-hello", "/users/1", "JSON object", "component (service run defaults)",
                               "component", [_wrk(2800), _wrk(2700), _wrk(2900)], 103)
    run.measures += [native, component]
    one = report.Measure("flask-hello", "/users/1", "", "reuse, 1 conn", "component", [_wrk(1500, p50=0.5)])
    fresh_1 = report.Measure("flask-hello", "/users/1", "", "fresh, 1 conn", "component", [_wrk(100, p50=9.5)])
    fresh = report.Measure("flask-hello", "/users/1", "", "fresh", "component", [_wrk(140)], 60)
    run.fresh.append(report.FreshCost("flask-hello", "/users/1", component, fresh, one, fresh_1))
    run.startups.append(report.Startup("flask-hello", "/", 40.4, 56.4, 650.0, {"gunicorn, 2 sync workers": 507.0}))
    return run


def test_medians_and_ratios() -> None:
    run = _run()
    native, component = run.measures
    assert native.rps == 3400 and native.p50_ms == 1.0 and component.rps == 2800
    assert report.ratio(component.rps, native.rps) == pytest.approx(0.8235, abs=1e-4)
    assert report.ratio(1, 0) == 0
    assert run.fresh[0].ratio == pytest.approx(140 / 2800)
    assert run.fresh[0].instantiation_ms == pytest.approx(9.0)


def test_tables_render_ratio_and_rerun_command() -> None:
    text = report.render(_run())
    assert text.startswith(report.BEGIN) and text.endswith(report.END)
    assert ("| flask-hello (`/users/1`) | gunicorn, 2 sync workers | 3,400 | 2,800 | 0.82 | "
            "`.venv/bin/python bench/run.py --example flask-hello --path /users/1` |") in text
    assert "| flask-hello (`/users/1`) | 2,800 | 140 | 0.05 | 0.50 | 9.50 | 9.00 | 60 |" in text
    assert "| flask-hello | 40.4 | 56.4 | 650 | gunicorn, 2 sync workers 507 |" in text
    assert "2026-12-01 (2 cores, 24 GiB" in text and "`wrk -t2 -c8 -d10s --latency`" in text
    assert "What bounds these numbers" in text


def test_table_alignment() -> None:
    assert report.table(["a", "b"], [["x", "1"]], {1}) == "| a | b |\n| --- | ---: |\n| x | 1 |"
    assert report.fmt_ms(0.614) == "0.61" and report.fmt_ms(22.53) == "22.5" and report.fmt_ms(650.2) == "650"
    assert report.fmt_int(11759.55) == "11,760"


def test_docs_rewrite_keeps_other_sections() -> None:
    doc = "# Benchmarks\n\nIntro.\n\n## flask-hello, old\n\nold table\n\n## wasi:http 0.2 against 0.3\n\nkept\n"
    first = report.rewrite(doc.replace("## flask-hello, old\n\nold table\n\n", ""), "BLOCK")
    assert first == "# Benchmarks\n\nIntro.\n\nBLOCK\n\n## wasi:http 0.2 against 0.3\n\nkept\n"
    marked = f"# B\n\n{report.BEGIN}\nold\n{report.END}\n\n## kept\n"
    assert report.rewrite(marked, "NEW") == "# B\n\nNEW\n\n## kept\n"
