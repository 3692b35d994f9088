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
    assert (ff.name, ff.version, ff.source) == ("shop", "1.2.0", "python")
    assert ff.language_tables["python"] == {"framework": "flask", "app": "main:app"}
    assert ff.capabilities.env == ("SECRET_KEY", "MODE=prod")
    assert ff.capabilities.read == ("static",) and ff.capabilities.read_write == ("data",)
    assert ff.serve.port == 9000 and ff.serve.instance_reuse == 0


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


def test_upstream_keys_keep_their_meaning(tmp_path):
    """The upstream Fabrickfile's keys: [config] port and environment, [source] globs,
    filesystem.write (read-write in WASI), allow_all_outbound, [health_check.http]."""
    ff = fabrickfile.load(write(tmp_path, '''
fabrick_version = "1.0"

[info]
name = "product-service"
version = "2.1.0"
type = "http"
authors = ["team@example.com"]
license = "MIT"

[source]
path = "."
include = ["src/**/*.py", "requirements.txt"]
exclude = ["tests/**"]

[capabilities]
env = ["DATABASE_URL"]
[capabilities.filesystem]
write = ["logs"]
[capabilities.network]
listen = [9090]
allow_all_outbound = true

[config]
port = 8085
[config.environment]
LOG_LEVEL = "info"
DEBUG = false

[health_check.http]
path = "/health"
timeout = "500ms"
retries = 5
'''), LANGS)
    assert ff.serve.port == 8085  # [config] port over network.listen
    assert ff.capabilities.env == ("DATABASE_URL", "LOG_LEVEL=info", "DEBUG=false")
    assert ff.capabilities.read_write == ("logs",) and ff.capabilities.network == ("*:*",)
    assert (ff.include, ff.exclude) == (("src/**/*.py", "requirements.txt"), ("tests/**",))
    check = ff.health_check
    assert (check.path, check.method, check.expected_status, check.timeout, check.retries) == ("/health", "GET", 200, 0.5, 5)


@pytest.mark.parametrize("text, said, line", [
    ('[info]\nnmae = "x"\n', "`info.nmae`: unknown key (did you mean `name`?)", 2),
    ('[capabilities]\nenvs = ["A"]\n', "did you mean `env`?", 2),
    ('[config]\nprot = 80\n', "did you mean `port`?", 2),
    ('[healthcheck]\n', "did you mean `health_check`?", 1),
    ('[info]\ntype = "command"\n', "Fabricks builds HTTP services", 2),
    ('fabrick_version = "2.0"\n', "not a format this Fabricks reads", 1),
    ('[health_check.http]\npath = "/h"\ntimeout = "soon"\n', "is not a duration", 3),
    ('[source]\npath = "src"\n', "the app folder is the Fabrickfile's own", 2),
])
def test_unknown_or_unsupported_keys_are_named(tmp_path, text, said, line):
    with pytest.raises(FabrickfileError) as info:
        fabrickfile.load(write(tmp_path, text), LANGS)
    assert said in info.value.message and info.value.line == line


def test_source_globs_read_as_gitignore_does():
    from fabricks.stage import glob_pattern

    assert glob_pattern("*.log").fullmatch("a/b/c.log") and not glob_pattern("*.log").fullmatch("c.logs")
    assert glob_pattern("src/**/*.py").fullmatch("src/main.py") and glob_pattern("src/**/*.py").fullmatch("src/a/b.py")
    assert not glob_pattern("src/*.py").fullmatch("src/a/b.py")
    assert glob_pattern("tests/**").fullmatch("tests/x/y.py") and glob_pattern("node_modules").fullmatch("a/node_modules/x.js")
