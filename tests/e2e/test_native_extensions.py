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


# argon2's own known-answer test (libargon2's src/test.c, vendored in argon2-cffi-bindings'
# sdist): Argon2id v19, t=2, m=2^8 KiB, p=2 (two lanes: filled one after the other here).
ARGON2ID_KAT = {"password": "password", "salt": "somesalt", "t": 2, "m": 256, "p": 2,
                "raw": "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037",
                "encoded": "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"}
YAML_DOC = b"""\
service: {name: shop, replicas: 3, ratio: 0.25, tags: [a, "b c"]}
when: 2026-12-06
empty: ~
multi: |
  line one
  line two
anchors: &base {x: 1}
reuse: *base
"""


def test_c_cxx_and_rust_extensions_from_recipes_load_in_the_component() -> None:
    """C (the setuptools builder: MarkupSafe's speedups, regex, msgpack's Cython module,
    PyYAML's _yaml over libyaml built first from its tarball, cffi's backend over libffi-wasi),
    C through CMake (scikit-build-core: argon2-cffi-bindings), C++ (ujson, linked against
    componentize-py's libc++) and Rust (bcrypt, setuptools-rust's layout) modules are built,
    linked and imported, and compute what they compute natively. MarkupSafe, msgpack and PyYAML
    would fall back to Python silently: the app names the module doing the work."""
    import yaml  # noqa: PLC0415 - the native reference for the YAML round trip

    result = build_app(APPS / "native-recipes")
    staged = {recipes.canonical(p["name"]): p["source"] for d in result.dependencies for p in d.packages}
    built = ("markupsafe", "bcrypt", "regex", "ujson", "msgpack", "pyyaml", "cffi", "argon2-cffi-bindings")
    assert {name: staged[name] for name in built} == dict.fromkeys(built, "recipe")
    with ComponentServer(result) as component:
        assert json.loads(send(component.url, Req("GET", "/modules")).text) == {
            "markupsafe": "markupsafe._speedups", "msgpack": "msgpack._cmsgpack", "regex": "regex._regex",
            "ujson": "ujson.cpython-314-wasm32-wasi.so", "yaml": "yaml._yaml", "cffi": "_cffi_backend",
            "argon2": "_argon2_cffi_bindings._ffi.lib"}
        answer = json.loads(send(component.url, Req("POST", "/argon2", {"Content-Type": "application/json"},
                                                    json.dumps(ARGON2ID_KAT).encode())).text)
        assert answer["raw"] == ARGON2ID_KAT["raw"] and answer["given"] is True
        assert answer["ok"] is True and answer["wrong"] == "rejected"
        # argon2-cffi's default profile on WebAssembly: one lane (p=1), as it has no threads
        assert answer["hash"].startswith("$argon2id$v=19$m=8192,t=3,p=1$")
        assert json.loads(send(component.url, Req("GET", "/cffi/callback")).text) == {
            "error": "MemoryError", "message": "Cannot allocate write+execute memory for ffi"}
        roundtrip = json.loads(send(component.url, Req("POST", "/yaml", {}, YAML_DOC)).text)
        native = yaml.safe_load(YAML_DOC)
        native["when"] = native["when"].strftime("%a, %d %b %Y %H:%M:%S GMT")  # as Flask's JSON writes a date
        assert roundtrip["data"] == native
        assert roundtrip["dumped"] == yaml.safe_dump(yaml.safe_load(YAML_DOC), sort_keys=True)
        text = "Grüße <b>& 東京"
        assert json.loads(send(component.url, Req("POST", "/work", {}, text.encode())).text) == {
            "escape": "Grüße &lt;b&gt;&amp; 東京", "words": ["Grüße", "b", "東京"],
            "ujson": '{"text":"Grüße <b>& 東京","n":[1,2.5,null]}', "msgpack": [text, 1, 2.5]}
        hashed = json.loads(send(component.url, Req("POST", "/hash", {"Content-Type": "application/json"},
                                                   b'{"password": "hunter2"}')).text)
        assert hashed["ok"] is True and hashed["hash"].startswith("$2b$04$") and len(hashed["hash"]) == 60
