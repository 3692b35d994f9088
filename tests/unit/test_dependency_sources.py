"""Finding an app's declared Python dependencies (packs/_shared/python/deps/sources.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sources
from fabricks._toml import tomllib

APPS = Path(__file__).resolve().parents[1] / "apps"
DATA = Path(__file__).resolve().parent / "data"


def test_requirements_txt_is_found_without_a_fabrickfile_key(tmp_path: Path):
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["django"]\n')
    declared = sources.find(tmp_path)
    assert declared.requirements_file == tmp_path / "requirements.txt" and declared.describe() == "requirements.txt"


def test_the_fabrickfile_key_wins_over_convention(tmp_path: Path):
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "prod.txt").write_text("bottle\n")
    assert sources.find(tmp_path, tmp_path / "prod.txt").requirements_file == tmp_path / "prod.txt"


def test_pyproject_dependencies_are_read_with_markers_for_the_component(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\n'
        'dependencies = ["flask>=3", "tomli; python_version < \'3.11\'", "pywin32; sys_platform == \'win32\'"]\n')
    declared = sources.find(tmp_path)
    assert declared.requirements == ["flask>=3"] and declared.lock is None
    assert declared.describe() == "pyproject.toml"


def test_a_uv_lock_pins_the_resolution():
    declared = sources.find(APPS / "flask-pyproject-uv")
    assert declared.describe() == "pyproject.toml (uv.lock)"
    lock = tomllib.loads((APPS / "flask-pyproject-uv" / "uv.lock").read_text())
    flask = next(p["version"] for p in lock["package"] if p["name"] == "flask")
    assert f"flask=={flask}" in declared.constraints
    # The project itself (source = { virtual = "." }) is not an index release.
    assert not any(c.startswith("flask-pyproject-uv==") for c in declared.constraints)
    # tomli is locked only for interpreters older than the component's 3.14: still a harmless pin.
    assert all("==" in c for c in declared.constraints)


def test_a_pylock_toml_pins_only_what_applies_to_the_component(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\ndependencies = ["flask"]\n')
    (tmp_path / "pylock.toml").write_text((DATA / "pylock.toml").read_text())
    declared = sources.find(tmp_path)
    assert declared.describe() == "pyproject.toml (pylock.toml)"
    assert "flask==3.0.3" in declared.constraints and "werkzeug==3.0.3" in declared.constraints
    assert not any(c.startswith("colorama") for c in declared.constraints)  # marker: sys_platform == 'win32'


def test_a_poetry_project_with_its_lock(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.10"\nflask = "^3.0"\n'
        'requests = { version = "~2.31", extras = ["socks"] }\nbottle = "0.13.1"\n')
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "flask"\nversion = "3.0.2"\noptional = false\n\n'
        '[[package]]\nname = "mylib"\nversion = "1.0"\n[package.source]\ntype = "directory"\nurl = "../mylib"\n\n'
        '[metadata]\nlock-version = "2.0"\n')
    declared = sources.find(tmp_path)
    assert declared.requirements == ["flask>=3.0,<4", "requests[socks]>=2.31,<2.32", "bottle==0.13.1"]
    assert declared.constraints == ["flask==3.0.2"]


@pytest.mark.parametrize("spec, pep440", [
    ("^1.2.3", ">=1.2.3,<2"), ("^0.2.3", ">=0.2.3,<0.3"), ("^0.0.3", ">=0.0.3,<0.0.4"), ("^2", ">=2,<3"),
    ("~1.2.3", ">=1.2.3,<1.3"), ("~1", ">=1,<2"), ("*", ""), ("1.4", "==1.4"), (">=1,<2", ">=1,<2"),
])
def test_poetry_constraints_mean_what_poetry_documents(spec: str, pep440: str):
    assert sources.poetry_constraint(spec) == pep440


def test_a_broken_pyproject_is_named(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(sources.SourceError) as caught:
        sources.find(tmp_path)
    assert str(tmp_path / "pyproject.toml") in caught.value.args[0]


def test_an_invalid_dependency_is_named(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["flask >>> 3"]\n')
    with pytest.raises(sources.SourceError, match="flask >>> 3"):
        sources.find(tmp_path)


def test_no_manifest_means_no_dependencies(tmp_path: Path):
    declared = sources.find(tmp_path)
    assert declared.describe() == "no manifest" and not declared.requirements and not declared.requirements_file
