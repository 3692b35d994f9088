"""The build cache key: content, not location, unless the pack bakes the location in."""

from __future__ import annotations

import shutil
from pathlib import Path

from fabricks.packs import Registry
from fabricks.cachekey import build_key
from fabricks.resolve import Flags, resolve

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def key(app_dir: Path) -> str:
    return build_key(resolve(app_dir, Registry.discover(), Flags()), {}, {})


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


def test_a_declared_build_input_keys_the_build(tmp_path: Path, monkeypatch):
    """[build] inputs are hashed by content: an edit to a build script's library rebuilds."""
    from fabricks.resources import builtin_packs_dir

    shutil.copytree(builtin_packs_dir() / "python-wsgi", tmp_path / "packs" / "python-wsgi")
    manifest = tmp_path / "packs" / "python-wsgi" / "pack.toml"
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helper.py").write_text("A = 1\n")
    manifest.write_text(manifest.read_text() + f'\n[build]\ninputs = ["{tmp_path / "lib"}"]\n')
    app = EXAMPLES / "flask-hello"

    def outside_key() -> str:
        return build_key(resolve(app, Registry.discover([tmp_path / "packs"]), Flags()), {}, {})

    before = outside_key()
    (tmp_path / "lib" / "helper.py").write_text("A = 2\n")
    assert outside_key() != before


def test_source_include_and_exclude_choose_the_hashed_files(tmp_path: Path):
    a, _ = copies("flask-hello", tmp_path)
    (a / "notes.log").write_text("1")
    plain = key(a)
    (a / "Fabrickfile").write_text((a / "Fabrickfile").read_text() + '\n[source]\nexclude = ["*.log"]\n')
    excluded = key(a)
    (a / "notes.log").write_text("2")
    assert key(a) == excluded != plain


def test_a_relative_cache_dir_is_taken_from_the_current_folder(tmp_path: Path, monkeypatch):
    """Build commands run in the build's own folders: the cache's paths must not be relative."""
    from fabricks import cache
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FABRICKS_CACHE_DIR", "rel/cache")
    assert cache.root() == tmp_path / "rel" / "cache" and cache.root().is_dir()
