"""Pack discovery by manifest: built-in packs load as outside ones do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fabricks.errors import PackError
from fabricks.manifest import load_pack
from fabricks.packs import Registry
from fabricks.resources import builtin_packs_dir

MINIMAL = '''
[pack]
name = "{name}"
language = "python"
frameworks = ["{framework}"]
world = "http-handler"

[build]
run = ["true"]
'''


def test_builtin_wsgi_pack_is_discovered():
    pack = Registry.discover().by_name("python-wsgi")
    assert pack is not None
    assert pack.language == "python" and set(pack.frameworks) >= {"flask", "django", "bottle", "wsgi"}
    assert pack.exports == ("wasi:http/incoming-handler",)
    assert "requirements" in pack.options and pack.options["requirements"].type == "path"


def test_extra_pack_folder_adds_a_framework(tmp_path):
    (tmp_path / "python-falcon").mkdir()
    (tmp_path / "python-falcon" / "pack.toml").write_text(MINIMAL.format(name="python-falcon", framework="falcon"))
    registry = Registry.discover([tmp_path])
    assert registry.find("python", "falcon").name == "python-falcon"
    assert "falcon" in registry.frameworks("python")


def test_env_var_adds_pack_folders(tmp_path, monkeypatch):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.toml").write_text(MINIMAL.format(name="p", framework="pyramid"))
    monkeypatch.setenv("FABRICKS_PACKS_PATH", str(tmp_path))
    assert Registry.discover().find("python", "pyramid") is not None


def test_outside_pack_shadows_builtin_of_same_name(tmp_path):
    shutil.copytree(builtin_packs_dir() / "python-wsgi", tmp_path / "python-wsgi")
    registry = Registry.discover([tmp_path])
    assert registry.by_name("python-wsgi").root == tmp_path / "python-wsgi"
    assert sum(p.name == "python-wsgi" for p in registry.packs) == 1


def test_duplicate_names_in_one_folder_are_an_error(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "pack.toml").write_text(MINIMAL.format(name="same", framework=folder))
    with pytest.raises(PackError, match="two packs named 'same'"):
        Registry.discover([tmp_path])


def test_manifest_missing_key_names_the_key(tmp_path):
    (tmp_path / "pack.toml").write_text('[pack]\nname = "x"\nlanguage = "python"\nframeworks = []\n')
    with pytest.raises(PackError) as info:
        load_pack(tmp_path)
    assert "`pack.world`" in info.value.message and info.value.path == tmp_path / "pack.toml"


def test_orchestrator_names_no_framework():
    """Adding a framework is adding a folder: the orchestrator's code must not name one."""
    source = Path(__file__).resolve().parents[2] / "orchestrator" / "fabricks"
    for path in source.glob("*.py"):
        text = path.read_text().lower()
        for name in ("flask", "django", "bottle", "fastapi", "express", "hono", "axum", "werkzeug"):
            assert name not in text, (path.name, name)


BASE = '''
[pack]
language = "python"
world = "http-handler"

[options.shared]
type = "string"
default = "from-base"

[runtime]
preload = ["a"]

[build]
run = ["base-build"]
inputs = ["{pack}/tool"]
'''


def test_a_pack_extends_its_base_manifest(tmp_path):
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.toml").write_text(
        '[pack]\nname = "p"\nextends = "../base.toml"\nframeworks = ["x"]\n'
        '[options.own]\ntype = "list"\n[runtime]\nneutralize = ["b"]\n')
    pack = load_pack(tmp_path / "p")
    assert (pack.language, pack.world, pack.base) == ("python", "http-handler", (tmp_path / "base.toml").resolve())
    assert set(pack.options) == {"shared", "own"}  # tables merge key by key
    assert pack.runtime == {"preload": ["a"], "neutralize": ["b"]}
    assert pack.build.run == ("base-build",) and pack.build.inputs == ("{pack}/tool",)


def test_builtin_packs_share_their_language_base():
    registry = Registry.discover()
    python = [p for p in registry.packs if p.language == "python"]
    assert len(python) >= 3 and all(p.base and p.base.name == "base.toml" for p in python)
    assert all(p.steps[0].name == "dependencies" and p.component.app_root == "/0" for p in python)
    assert all(p.base for p in registry.packs if p.language == "nodejs")


def test_unknown_key_names_the_closest_known_one(tmp_path):
    (tmp_path / "pack.toml").write_text(MINIMAL.format(name="x", framework="y") + '\n[template]\nfile = ["t.py"]\n')
    with pytest.raises(PackError) as info:
        load_pack(tmp_path)
    assert "`template.file`" in info.value.message and "did you mean `files`" in info.value.message
    assert info.value.line == 12


def test_a_bad_value_in_the_base_names_the_base_file(tmp_path):
    (tmp_path / "base.toml").write_text(BASE.replace('default = "from-base"', 'default = "x"\nhelp = 3'))
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.toml").write_text('[pack]\nname = "p"\nextends = "../base.toml"\nframeworks = ["x"]\n')
    with pytest.raises(PackError) as info:
        load_pack(tmp_path / "p")
    assert info.value.path == (tmp_path / "base.toml").resolve() and "`options.shared.help`" in info.value.message


def test_a_missing_base_is_an_error(tmp_path):
    (tmp_path / "pack.toml").write_text('[pack]\nname = "p"\nextends = "nowhere.toml"\n')
    with pytest.raises(PackError, match="nowhere.toml does not exist"):
        load_pack(tmp_path)
