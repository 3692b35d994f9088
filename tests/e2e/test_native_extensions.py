"""Native extensions built for WASI from recipes (packs/_shared/python/deps): pydantic-core,
bcrypt, MarkupSafe's speedups.

The FastAPI example's differential test (test_examples.py) serves pydantic v2 from a component;
here: the wheel built then is reused, not rebuilt, when another app's dependencies are staged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fabricks import cache

from .harness import ComponentServer, Req, build_app, send

DEPS = Path(__file__).resolve().parents[2] / "packs" / "_shared" / "python" / "deps"
sys.path.insert(0, str(DEPS))
import recipes  # noqa: E402

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APPS = Path(__file__).resolve().parents[1] / "apps"


def test_pydantic_core_wheel_is_built_once_and_reused(tmp_path: Path) -> None:
    result = build_app(EXAMPLES / "fastapi-library")  # cached when the example's test ran first
    # Versions as resolved from the example's pins, not named here.
    staged = {recipes.canonical(p["name"]): p for d in result.dependencies for p in d.packages}
    core, pydantic = staged["pydantic-core"]["version"], staged["pydantic"]["version"]
    assert staged["pydantic-core"]["source"] == "recipe"
    wheel = recipes.wheel_cache(cache.root()) / recipes.wheel_name("pydantic-core", core)
    assert wheel.is_file()
    built_at = wheel.stat().st_mtime_ns

    (tmp_path / "requirements.txt").write_text(f"pydantic=={pydantic}\n")
    staged = subprocess.run([sys.executable, str(DEPS / "stage_deps.py"), "--requirements",
                             str(tmp_path / "requirements.txt"), "--target", str(tmp_path / "deps"),
                             "--cache", str(cache.root())], capture_output=True, text=True)
    assert staged.returncode == 0, staged.stdout + staged.stderr
    assert "building it for wasm32-wasi" not in staged.stdout and wheel.stat().st_mtime_ns == built_at
    module = tmp_path / "deps" / "pydantic_core" / "_pydantic_core.cpython-314-wasm32-wasi.so"
    assert module.read_bytes()[:4] == b"\0asm"
    assert "Tag: cp314-cp314-wasi_0_0_0_wasm32" in (tmp_path / "deps" / f"pydantic_core-{core}.dist-info" / "WHEEL").read_text()


def test_c_cxx_and_rust_extensions_from_recipes_load_in_the_component() -> None:
    """C (the setuptools builder: MarkupSafe's speedups, regex, msgpack's Cython module), C++
    (ujson, linked against componentize-py's libc++) and Rust (bcrypt, setuptools-rust's layout)
    modules are built, linked and imported, and compute what they compute natively. MarkupSafe
    and msgpack would fall back to Python silently: the app names the module doing the work."""
    result = build_app(APPS / "native-recipes")
    staged = {recipes.canonical(p["name"]): p["source"] for d in result.dependencies for p in d.packages}
    assert {name: staged[name] for name in ("markupsafe", "bcrypt", "regex", "ujson", "msgpack")} == dict.fromkeys(
        ("markupsafe", "bcrypt", "regex", "ujson", "msgpack"), "recipe")
    with ComponentServer(result) as component:
        assert json.loads(send(component.url, Req("GET", "/modules")).text) == {
            "markupsafe": "markupsafe._speedups", "msgpack": "msgpack._cmsgpack", "regex": "regex._regex",
            "ujson": "ujson.cpython-314-wasm32-wasi.so"}
        text = "Grüße <b>& 東京"
        assert json.loads(send(component.url, Req("POST", "/work", {}, text.encode())).text) == {
            "escape": "Grüße &lt;b&gt;&amp; 東京", "words": ["Grüße", "b", "東京"],
            "ujson": '{"text":"Grüße <b>& 東京","n":[1,2.5,null]}', "msgpack": [text, 1, 2.5]}
        hashed = json.loads(send(component.url, Req("POST", "/hash", {"Content-Type": "application/json"},
                                                   b'{"password": "hunter2"}')).text)
        assert hashed["ok"] is True and hashed["hash"].startswith("$2b$04$") and len(hashed["hash"]) == 60
