"""Native extensions built for WASI from recipes (packs/_shared/python/deps): pydantic-core.

The FastAPI example's differential test (test_examples.py) covers pydantic v2 under ASGI;
here: the wheel is built once per machine and reused by another app, in another pack.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fabricks import cache

from .harness import ComponentServer, Req, both, build_app, gunicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packs" / "_shared" / "python" / "deps"))
import recipes  # noqa: E402

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APP = Path(__file__).resolve().parents[1] / "apps" / "pydantic-wsgi"
JSON = {"Content-Type": "application/json"}


def test_pydantic_core_wheel_is_built_once_and_reused_by_another_pack() -> None:
    fastapi = build_app(EXAMPLES / "fastapi-library")  # python-asgi; cached when the example test ran
    wheel = recipes.wheel_cache(cache.root()) / recipes.wheel_name("pydantic-core", "2.50.4")
    assert wheel.is_file()
    built_at = wheel.stat().st_mtime_ns

    result = build_app(APP)  # python-wsgi: a new dependencies step, the same wheel
    assert wheel.stat().st_mtime_ns == built_at
    for deps in (fastapi.outputs["deps"], result.outputs["deps"]):
        module = Path(deps) / "pydantic_core" / "_pydantic_core.cpython-314-wasm32-wasi.so"
        assert module.read_bytes()[:4] == b"\0asm"
        assert "Tag: cp314-cp314-wasi_0_0_0_wasm32" in (Path(deps) / "pydantic_core-2.50.4.dist-info" / "WHEEL").read_text()

    with gunicorn(APP, "main:application", result=result) as native, ComponentServer(result) as component:
        servers = (native, component)
        assert both(servers, Req("GET", "/version")).json()["pydantic_core"] == "2.50.4"
        assert both(servers, Req("POST", "/", JSON, b'{"sku": "MUG-01", "qty": 2}')).json()["qty"] == 2
        errors = both(servers, Req("POST", "/", JSON, b'{"sku": "mug", "qty": 0, "extra": 1}')).json()
        assert [e["type"] for e in errors] == ["string_pattern_mismatch", "greater_than"]
        assert both(servers, Req("POST", "/", JSON, b'{"sku": ')).json()[0]["type"] == "json_invalid"
