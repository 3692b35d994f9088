"""The build cache key: content, not location, unless the pack bakes the location in."""

from __future__ import annotations

import shutil
from pathlib import Path

from fabricks.packs import Registry
from fabricks.pipeline import Pipeline
from fabricks.resolve import Flags, resolve

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def key(app_dir: Path) -> str:
    return Pipeline(resolve(app_dir, Registry.discover(), Flags())).cache_key({}, {})


def copies(example: str, tmp_path: Path) -> tuple[Path, Path]:
    out = []
    for side in ("a", "b"):
        target = tmp_path / side / example
        shutil.copytree(EXAMPLES / example, target, ignore=shutil.ignore_patterns(".fabricks", "target", "__pycache__"))
        out.append(target)
    return out[0], out[1]


def test_copies_of_a_python_app_share_a_build(tmp_path: Path):
    a, b = copies("flask-shop", tmp_path)  # its requirements option is a path inside the app
    assert key(a) == key(b)
    (b / "app.py").write_text((b / "app.py").read_text() + "\n# changed\n")
    assert key(a) != key(b)


def test_a_pack_that_bakes_in_the_source_path_keys_by_it(tmp_path: Path):
    a, b = copies("axum-hello", tmp_path)  # rust-axum maps panic locations through {source}
    assert key(a) != key(b)
