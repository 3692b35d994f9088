"""Build-time warm-up requests of the Node packs (packs/_shared/node/runtime/warmup.js): sent
through each pack's real bridge before the snapshot, with the build saying what a warm-up did
that an instance would inherit, and the component serving as usual afterwards."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import requests

from .harness import ComponentServer, build_app

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "node-warmup"
WARMUP = ["/count", "/slow", "/random", "/env", "/throw"]
ENV = {"DATABASE_URL": "postgres://db.internal/app"}


def app_copy(tmp_path: Path, framework: str, entry: str, warmup: list[str] = WARMUP) -> Path:
    app = tmp_path / APP.name
    shutil.copytree(APP, app)
    fabrickfile = (app / "Fabrickfile").read_text()
    fabrickfile = fabrickfile.replace('framework = "http"', f'framework = "{framework}"')
    fabrickfile = fabrickfile.replace('app = "app.js"', f'app = "{entry}"')
    fabrickfile = re.sub(r"(?m)^warmup = .*$", "warmup = [" + ", ".join(f'"{p}"' for p in warmup) + "]", fabrickfile)
    (app / "Fabrickfile").write_text(fabrickfile)
    return app


def get(component: ComponentServer, path: str) -> requests.Response:
    return requests.get(component.url + path, timeout=30)


@pytest.mark.parametrize(("framework", "entry"), [("http", "app.js"), ("fetch", "fetch.js")], ids=["node-http", "fetch"])
def test_warm_up_runs_through_the_bridge_and_says_what_an_instance_would_inherit(tmp_path, framework, entry):
    app = app_copy(tmp_path, framework, entry)
    result = build_app(app)
    warnings = "\n".join(result.warnings)
    routes = app / "routes.js"
    # One warning of each kind, naming the line in the app's own file where it can.
    assert "the warm-up request GET /slow was still waiting (on a timer or I/O)" in warnings
    assert f"{routes}:14: the warm-up requests called Math.random() at build time" in warnings
    assert f"{routes}:17: the warm-up requests read process.env.DATABASE_URL at build time" in warnings
    assert "NODE_ENV" not in warnings  # the build's mode is there at build time
    assert "/count" not in warnings and "/throw" not in warnings, warnings

    with ComponentServer(result, env=ENV) as component:
        # The warm-up requests ran in the snapshot every instance starts from.
        assert get(component, "/count").text == f"served {len(WARMUP) + 1}"
        # The environment is the host's from the first request on, not the build's.
        assert get(component, "/env").text == "db postgres://db.internal/app production"
        # The abandoned request's timer is armed as the instance starts; it does not disturb it.
        assert get(component, "/slow").text == "slow done"
        # An exception in a warm-up did not retire the snapshot: it fails only its own request.
        assert get(component, "/throw").status_code == 500
        assert get(component, "/count").status_code == 200


def test_no_warm_up_leaves_the_state_as_the_top_level_made_it(tmp_path):
    result = build_app(app_copy(tmp_path, "http", "app.js", warmup=[]))
    assert not [w for w in result.warnings if "warm-up" in w], result.warnings
    with ComponentServer(result, env=ENV) as component:
        assert get(component, "/count").text == "served 1"
