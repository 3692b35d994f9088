"""Node module resolution as Node does it, through a real component against the same app run
by Node: a workspace member whose dependencies are hoisted to the workspace root (and a
sibling workspace package, and its package.json "imports")."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .harness import ComponentServer, Req, both, build_app, node_http

pytestmark = pytest.mark.e2e
APPS = Path(__file__).resolve().parents[1] / "apps"
WORKSPACE = APPS / "npm-workspace"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The workspace built as a component from a copy of its member packages/api, and the same
    copy installed the way its users install it (`npm ci` at the workspace root) for Node."""
    copy = tmp_path_factory.mktemp("workspace") / WORKSPACE.name
    shutil.copytree(WORKSPACE, copy, ignore=shutil.ignore_patterns("node_modules", ".fabricks"))
    result = build_app(copy / "packages" / "api")
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=copy, check=True,
                   capture_output=True, timeout=300)
    return copy, result


@pytest.fixture(scope="module")
def servers(workspace):
    copy, result = workspace
    # No result: Node resolves from the workspace's own node_modules, not the component's staging.
    with node_http(copy / "packages" / "api", "server.js") as native, ComponentServer(result) as component:
        yield native, component


def test_hoisted_dependencies_and_sibling_package_resolve_as_in_node(servers):
    both(servers, Req("GET", "/"))
    both(servers, Req("GET", "/greet/ada?ago=90000"))
    both(servers, Req("GET", "/shout/hello"))  # the sibling's "exports" subpath
    both(servers, Req("GET", "/limit"))  # "#config" from the member's "imports"
    assert both(servers, Req("GET", "/express")).json() == {"version": "5.1.0"}


def test_workspace_dev_dependencies_are_not_installed(workspace):
    _, result = workspace
    deps = Path(result.outputs["deps"])
    assert (deps / "node_modules" / "express").is_dir() and (deps / "node_modules" / "ms").is_dir()
    assert not (deps / "node_modules" / "typescript").exists()
