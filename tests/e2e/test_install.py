"""Fabricks installed as users install tools: a wheel built from the checkout, installed into a
fresh virtual environment outside it, builds a Python and a Node example. The Node packs'
toolchain is not in the wheel: the first Node build npm-installs it into the user's cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fabricks import toolchain

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
# Per-machine artifacts of toolchains the wheel's builds share with the other tests' (the
# component's CPython, the native-extension recipes' wheels and Rust target): not what this
# test is about, and minutes to make again.
SHARED_CACHES = ("cpython-wasi", "wasi-wheels", "rust-target-pic", "rust-target")


def run(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"{argv}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """``(venv's bin folder, environment)``: Fabricks' wheel installed into a fresh venv, with a
    fresh cache; fabricks-host (built by `make setup`) on PATH, as a user's installed host."""
    base = tmp_path_factory.mktemp("installed")
    wheels = base / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)], dict(os.environ))
    wheel = next(wheels.glob("fabricks-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "fabricks/_data/packs/_shared/node/package-lock.json" in names
    assert "fabricks/_data/host/Cargo.toml" in names
    assert not [n for n in names if "/node_modules/" in n or "/target/" in n or n.endswith((".wasm", ".pyc"))]

    venv = base / "venv"
    run([sys.executable, "-m", "venv", str(venv)], dict(os.environ))
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], dict(os.environ))

    host_bin = base / "host-bin"
    host_bin.mkdir()
    (host_bin / "fabricks-host").symlink_to(toolchain.require(toolchain.HOST))
    cache = base / "cache"
    cache.mkdir()
    for name in SHARED_CACHES:
        shared = Path(os.environ["FABRICKS_CACHE_DIR"]) / name
        if shared.is_dir():
            (cache / name).symlink_to(shared, target_is_directory=True)
    env = {**os.environ, "FABRICKS_CACHE_DIR": str(cache), "COLUMNS": "200",
           "PATH": f"{host_bin}{os.pathsep}{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    return venv / "bin", env


def test_doctor_says_what_the_first_build_installs(installed):
    bin_dir, env = installed
    proc = run([str(bin_dir / "fabricks"), "doctor"], env, cwd=bin_dir.parent)
    assert "not installed yet: the first Node build npm-installs" in proc.stdout, proc.stdout
    assert "componentize-py 0.25.1" in proc.stdout


@pytest.mark.parametrize("example, pack", [("flask-hello", "python-wsgi"), ("hono-api", "node-hono")])
def test_the_installed_tool_builds_examples(installed, example, pack, tmp_path):
    bin_dir, env = installed
    app = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, app, ignore=shutil.ignore_patterns(".fabricks", "node_modules"))
    proc = run([str(bin_dir / "fabricks"), "adapt", str(app)], env, cwd=tmp_path)
    said = proc.stdout + proc.stderr
    assert f"(pack {pack})" in said and (app / ".fabricks" / f"{example}.wasm").is_file(), said
    site = next((bin_dir.parent / "lib").glob("python3*/site-packages/fabricks/_data/packs"))
    assert site.is_dir()
    if pack.startswith("node"):
        modules = site / "_shared" / "node" / "node_modules"
        assert modules.is_symlink() and str(modules.resolve()).startswith(env["FABRICKS_CACHE_DIR"])
        assert "installing the Node packs' toolchain" in said, said
