"""A component holds what the app declares, found as pip, uv and poetry users expect, and
nothing of the machine that builds it (issue: build fidelity)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from fabricks._toml import tomllib

from .harness import ComponentServer, Req, assert_same, build_app, native_server, send
from .test_cli import assert_clean_failure, fabricks

pytestmark = pytest.mark.e2e
APPS = Path(__file__).resolve().parents[1] / "apps"
REQUESTS = [Req("GET", "/"), Req("POST", "/echo", {"Content-Type": "text/plain"}, b"x" * 70_000), Req("GET", "/nope")]


def locked(lock: Path, name: str) -> str:
    """The version ``lock`` (uv.lock) pins for ``name``: what the component must hold."""
    return next(p["version"] for p in tomllib.loads(lock.read_text())["package"] if p["name"] == name)


def pinned(requirements: Path, name: str) -> str:
    return next(line.split("==")[1].strip() for line in requirements.read_text().splitlines()
                if line.lower().startswith(name + "=="))


def serve_and_compare(app: Path) -> dict:
    """Build ``app``, serve it beside its native baseline, compare REQUESTS; the component's ``/``."""
    result = build_app(app)
    with native_server(app, result) as native, ComponentServer(result) as component:
        for req in REQUESTS:
            assert_same(send(native.url, req), send(component.url, req), req)
        return send(component.url, Req("GET", "/")).json()


@pytest.mark.parametrize("app, manifest, expected", [
    ("flask-requirements", "requirements.txt", lambda app: pinned(app / "requirements.txt", "flask")),
    ("flask-pyproject-uv", "pyproject.toml (uv.lock)", lambda app: locked(app / "uv.lock", "flask")),
    ("flask-pyproject", "pyproject.toml", None),
])
def test_dependencies_are_found_by_convention(app: str, manifest: str, expected) -> None:
    folder = APPS / app
    versions = serve_and_compare(folder)
    result = build_app(folder)
    [deps] = result.dependencies
    assert deps.declared_in == manifest
    staged = {p["name"].lower(): p["version"] for p in deps.packages}
    assert versions["flask"] == staged["flask"]
    if expected is not None:  # the pin or the lock decides, not the newest release
        assert versions["flask"] == expected(folder)
    else:  # [project].dependencies: flask>=3.0,<3.1
        assert versions["flask"].startswith("3.0.")
    sbom = json.loads((result.directory / "sbom.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    assert {c["purl"] for c in sbom["components"]} >= {f"pkg:pypi/flask@{versions['flask']}"}


def test_an_undeclared_module_fails_the_build_though_the_build_machine_has_it(tmp_path: Path) -> None:
    """Fabricks' own environment has requests; componentize-py's command line would have added
    it to the component's path (through VIRTUAL_ENV, or python3 on PATH)."""
    import requests  # noqa: F401 - the premise: importable by the build machine's Python

    app = tmp_path / "undeclared-import"
    shutil.copytree(APPS / "undeclared-import", app)
    venv = Path(sys.executable).parent.parent
    proc = fabricks("adapt", str(app), env={"VIRTUAL_ENV": str(venv),
                                            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"})
    said = " ".join(assert_clean_failure(proc).split())  # as one line: the terminal wraps it
    assert "main.py:3: the app imports 'requests', which is not among the app's declared dependencies " \
           "(requirements.txt)" in said, said
    assert "Add the distribution that provides 'requests' to requirements.txt" in said, said
    assert not (app / ".fabricks").exists()


def test_a_declared_version_wins_over_the_build_machines(tmp_path: Path) -> None:
    """The build machine has requests at one version; the app declares another."""
    import requests

    declared = "2.31.0" if requests.__version__ != "2.31.0" else "2.32.3"
    app = tmp_path / "declared-version"
    shutil.copytree(APPS / "undeclared-import", app)
    (app / "requirements.txt").write_text(f"flask==3.0.3\nrequests=={declared}\n")
    result = build_app(app)
    with ComponentServer(result) as component:
        assert send(component.url, Req("GET", "/")).text == declared


def test_a_lock_made_for_older_interpreters_is_named_with_its_unusable_pins(tmp_path: Path) -> None:
    """flask-stale-lock's uv.lock (resolved as of 2024-06) pins MarkupSafe 2.1.5: no CPython 3.14 wheel."""
    proc = fabricks("adapt", str(APPS / "flask-stale-lock"), "--lang", "python", "--framework", "flask",
                    "--app", "main:app")
    said = " ".join(assert_clean_failure(proc).split())
    assert f"{APPS / 'flask-stale-lock' / 'uv.lock'}: the lock pins markupsafe==2.1.5" in said, said
    assert "uv lock --upgrade-package markupsafe" in said, said


@pytest.mark.parametrize("example, ecosystem, package", [
    ("flask-hello", "pypi", "flask"), ("express-shop", "npm", "express"), ("axum-hello", "cargo", "axum"),
])
def test_every_pack_lists_what_went_in(example: str, ecosystem: str, package: str) -> None:
    """The SBOM beside each component names what its ecosystem resolved (cached builds: the
    examples' own tests build them)."""
    result = build_app(Path(__file__).resolve().parents[2] / "examples" / example)
    assert any(d.ecosystem == ecosystem for d in result.dependencies), result.dependencies
    sbom = json.loads((result.directory / "sbom.cdx.json").read_text())
    assert any(c["name"].lower() == package and c["purl"].startswith(f"pkg:{ecosystem}/") for c in sbom["components"])
