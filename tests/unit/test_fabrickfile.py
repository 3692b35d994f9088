"""Fabrickfile parsing and validation: errors name the file, the key, the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabricks import fabrickfile
from fabricks.errors import FabrickfileError

LANGS = ["python", "nodejs", "rust"]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "Fabrickfile").write_text(text)
    return tmp_path


def test_no_fabrickfile_is_none(tmp_path):
    assert fabrickfile.load(tmp_path, LANGS) is None


def test_full_file_is_parsed(tmp_path):
    ff = fabrickfile.load(write(tmp_path, '''
[info]
name = "shop"
version = "1.2.0"
type = "service"

[from]
source = "python"

[python]
framework = "flask"
app = "main:app"

[capabilities]
env = ["SECRET_KEY", "MODE=prod"]
filesystem.read = ["static"]
filesystem.read_write = ["data"]

[serve]
port = 9000
'''), LANGS)
    assert (ff.name, ff.version, ff.type, ff.source) == ("shop", "1.2.0", "service", "python")
    assert ff.language_tables["python"] == {"framework": "flask", "app": "main:app"}
    assert ff.capabilities.env == ("SECRET_KEY", "MODE=prod")
    assert ff.capabilities.read == ("static",) and ff.capabilities.read_write == ("data",)
    assert ff.serve == {"port": 9000}


def test_toml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(FabrickfileError) as info:
        fabrickfile.load(write(tmp_path, '[from]\nsource = "python"\n[python\n'), LANGS)
    assert info.value.line == 3 and info.value.path == tmp_path / "Fabrickfile"
    assert "invalid TOML" in info.value.message


def test_unknown_table_lists_the_known_ones(tmp_path):
    with pytest.raises(FabrickfileError) as info:
        fabrickfile.load(write(tmp_path, '[pyhton]\nframework = "flask"\n'), LANGS)
    assert "[pyhton]" in info.value.message and "[python]" in info.value.message
    assert info.value.line == 1


def test_env_entry_must_be_a_name(tmp_path):
    with pytest.raises(FabrickfileError) as info:
        fabrickfile.load(write(tmp_path, '[capabilities]\nenv = ["NOT VALID"]\n'), LANGS)
    assert "`capabilities.env`" in info.value.message and info.value.line == 2


def test_filesystem_must_be_lists_of_strings(tmp_path):
    with pytest.raises(FabrickfileError) as info:
        fabrickfile.load(write(tmp_path, '[capabilities]\nfilesystem.read_write = "data"\n'), LANGS)
    assert "filesystem.read_write" in info.value.message and "array of strings" in info.value.message


def test_port_must_be_an_integer(tmp_path):
    with pytest.raises(FabrickfileError) as info:
        fabrickfile.load(write(tmp_path, '[serve]\nport = "80"\n'), LANGS)
    assert "`serve.port`" in info.value.message and info.value.line == 2


def test_bad_service_name(tmp_path):
    with pytest.raises(FabrickfileError, match="not a valid service name"):
        fabrickfile.load(write(tmp_path, '[info]\nname = "my app"\n'), LANGS)


@pytest.mark.parametrize("text, said", [
    ('[capabilities]\nnetwork.connect = ["https://api.example.com"]\n', "is not host:port"),
    ('[capabilities]\nnetwork.allow = ["a:1"]\n', "connect"),
    ('[serve]\nroute = "api"\n', "does not start with /"),
])
def test_network_grants_and_routes_are_checked(tmp_path, text, said):
    with pytest.raises(FabrickfileError) as info:
        fabrickfile.load(write(tmp_path, text), LANGS)
    assert said in info.value.message
