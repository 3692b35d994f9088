"""The CLI as a user meets it: clear errors with non-zero exits, warnings, `service run` and Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from fabricks._toml import tomllib

from .harness import free_port, wait_for_port

pytestmark = pytest.mark.e2e
APPS = Path(__file__).resolve().parents[1] / "apps"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def fabricks(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fabricks", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=900)


def assert_clean_failure(proc: subprocess.CompletedProcess[str], *expected: str) -> str:
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Traceback" not in output, output
    # rich wraps long lines (longer where the paths of test folders are): compared as one line
    flat = flatten(output)
    for text in expected:
        assert flatten(text) in flat, output
    return flat


def flatten(text: str) -> str:
    return " ".join(text.split())


def build_name(app_dir: Path) -> str:
    """The name resolve() gives the app's build: the Fabrickfile's ``[info] name``, else its folder's."""
    try:
        return tomllib.loads((app_dir / "Fabrickfile").read_text()).get("info", {}).get("name") or app_dir.name
    except (OSError, tomllib.TOMLDecodeError):
        return app_dir.name


def assert_nothing_half_written(app_dir: Path) -> None:
    """Nothing of the app's failed build is left in the cache's tmp/ (whose folders name their app:
    another test worker's builds may be in flight there) or in the app's folder."""
    tmp = Path(os.environ["FABRICKS_CACHE_DIR"]) / "tmp"
    name = build_name(app_dir)
    left = [p for p in tmp.iterdir() if f"-{name}-" in p.name] if tmp.exists() else []
    assert not left, left
    assert not (app_dir / ".fabricks").exists()


def copy_app(name: str, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / name
    shutil.copytree(APPS / name, target)
    return target


def test_missing_app_key(tmp_path):
    (tmp_path / "Fabrickfile").write_text('[from]\nsource = "python"\n[python]\nframework = "flask"\n')
    (tmp_path / "main.py").write_text("print('hi')\n")
    assert_clean_failure(fabricks("adapt", str(tmp_path)), "could not tell the app", "Fabrickfile")


def test_unknown_framework(tmp_path):
    (tmp_path / "Fabrickfile").write_text('[python]\nframework = "flsk"\napp = "main:app"\n')
    output = assert_clean_failure(fabricks("adapt", str(tmp_path)), "unknown framework 'flsk'", "Fabrickfile:2")
    assert "flask" in output


def test_broken_toml_names_the_line(tmp_path):
    (tmp_path / "Fabrickfile").write_text('[python]\nframework = "flask\n')
    assert_clean_failure(fabricks("adapt", str(tmp_path)), "Fabrickfile:2", "invalid TOML")


def test_app_attribute_not_found(tmp_path):
    app_dir = copy_app("bad-attribute", tmp_path)
    output = assert_clean_failure(fabricks("adapt", str(app_dir)), "attribute 'app' not found in main",
                                  str(app_dir / "main.py"))
    assert "application" in output  # the names it does define are suggested
    assert_nothing_half_written(app_dir)


def test_syntax_error_in_the_app(tmp_path):
    app_dir = copy_app("syntax-error", tmp_path)
    assert_clean_failure(fabricks("adapt", str(app_dir)), "syntax error", f"{app_dir / 'main.py'}:3")
    assert_nothing_half_written(app_dir)


def test_dependency_with_only_native_wheels(tmp_path):
    app_dir = copy_app("native-dependency", tmp_path)
    # rpds-py (Rust; jsonschema and referencing need it) has only native wheels and no WASI recipe.
    output = assert_clean_failure(fabricks("adapt", str(app_dir)), "rpds", "only native wheels")
    assert "rpds-py==" in output and "<- jsonschema" in output
    assert "packs/_shared/python/deps/recipes/" in output  # how a recipe is added
    assert_nothing_half_written(app_dir)


def test_node_dependency_that_is_a_native_addon(tmp_path):
    app_dir = copy_app("node-native-addon", tmp_path)
    output = assert_clean_failure(fabricks("adapt", str(app_dir)), "utf-8-validate@", "is a native addon")
    assert str(app_dir / "package.json") in output
    assert "stands in for: bcrypt, argon2" in output  # the addons that do work
    assert_nothing_half_written(app_dir)


def test_node_prebuilt_addon_is_named_with_the_dependency_that_pulls_it_in(tmp_path):
    """A napi-rs package's binary comes in a per-platform optionalDependencies package: the
    error names that package and the app's dependency, the one to replace."""
    app_dir = copy_app("node-native-optional", tmp_path)
    output = assert_clean_failure(fabricks("adapt", str(app_dir)), "@node-rs/argon2-", "is a native addon")
    assert "pulled in by @node-rs/argon2" in output and "alternative to @node-rs/argon2, which needs" in output
    assert_nothing_half_written(app_dir)


def test_node_module_that_exports_no_app(tmp_path):
    app_dir = copy_app("node-no-app", tmp_path)
    assert_clean_failure(fabricks("adapt", str(app_dir)), "server.js exports no app with a fetch() method",
                         "it exports handler, routes")
    assert_nothing_half_written(app_dir)


def test_node_top_level_exception_names_its_line(tmp_path):
    app_dir = copy_app("node-top-level-error", tmp_path)
    assert_clean_failure(fabricks("adapt", str(app_dir)), f"{app_dir / 'settings.js'}:3", "SyntaxError: JSON.parse")
    assert_nothing_half_written(app_dir)


def test_node_syntax_error_names_its_line(tmp_path):
    (tmp_path / "Fabrickfile").write_text('[nodejs]\nframework = "hono"\napp = "app.js"\n')
    (tmp_path / "app.js").write_text("export default {\n  fetch() { return new Response('x') \n};\n")
    assert_clean_failure(fabricks("adapt", str(tmp_path)), "app.js:3", "Expected")
    assert_nothing_half_written(tmp_path)


def test_express_headline_command_builds_without_a_fabrickfile(tmp_path):
    app_dir = copy_app("express-esm", tmp_path)
    proc = fabricks("adapt", str(app_dir), "--lang", "nodejs", "--framework", "express", "-o", str(tmp_path / "out.wasm"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nodejs / express / server.mjs" in proc.stderr and "(pack node-express)" in proc.stderr
    assert (tmp_path / "out.wasm").read_bytes()[:4] == b"\0asm"


def test_node_app_importing_a_builtin_with_no_stand_in(tmp_path):
    """The app's own require of child_process fails the build, naming the file (a dependency's
    require() of one throws MODULE_NOT_FOUND when it runs instead: nest-tasks needs that)."""
    (tmp_path / "Fabrickfile").write_text('[nodejs]\nframework = "http"\napp = "app.js"\n')
    (tmp_path / "app.js").write_text("const { execSync } = require('child_process');\n"
                                     "module.exports = (req, res) => res.end(String(execSync('date')));\n")
    assert_clean_failure(fabricks("adapt", str(tmp_path)),
                         'app.js imports the Node built-in "child_process", which a component has no stand-in for')
    assert_nothing_half_written(tmp_path)


def test_node_http_module_with_no_listener(tmp_path):
    (tmp_path / "Fabrickfile").write_text('[nodejs]\nframework = "http"\napp = "app.js"\n')
    (tmp_path / "app.js").write_text("module.exports = { routes: [] };\n")
    assert_clean_failure(fabricks("adapt", str(tmp_path)), "app.js neither calls listen() at its top level nor exports",
                         "it exports default", "docs/node-express.md")
    assert_nothing_half_written(tmp_path)


@pytest.mark.parametrize(("source", "line", "call"), [
    ("// a secret made once\nconst secret = Math.random().toString(36);\nmodule.exports = (req, res) => res.end(secret);\n",
     2, "Math.random()"),
    ("const started = performance.now();\nmodule.exports = (req, res) => res.end(String(performance.now() >= started));\n",
     1, "performance.now()"),
], ids=["randomness", "clock"])
def test_node_top_level_randomness_and_clock_warn_with_their_line(tmp_path, source, line, call):
    """Both would be baked into the snapshot (the clock would abort the engine): the build
    goes on and says where."""
    (tmp_path / "Fabrickfile").write_text('[nodejs]\nframework = "http"\napp = "app.js"\n')
    (tmp_path / "app.js").write_text(source)
    proc = fabricks("adapt", str(tmp_path), "-o", str(tmp_path / "out.wasm"))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert f"{tmp_path / 'app.js'}:{line}: the app's top level called {call} at build time" in flatten(output)


def test_verbose_shows_the_traceback(tmp_path):
    (tmp_path / "Fabrickfile").write_text('[python]\nframework = "flsk"\napp = "main:app"\n')
    proc = fabricks("adapt", str(tmp_path), "--verbose")
    assert proc.returncode == 1 and "Traceback" in proc.stderr


def test_top_level_run_and_baked_values_warn_but_build(tmp_path):
    app_dir = copy_app("top-level-run", tmp_path)
    proc = fabricks("adapt", str(app_dir), "-o", str(tmp_path / "out.wasm"))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    output = flatten(output)
    assert "Flask.run() at the top level of the app was skipped" in output
    assert f"{app_dir / 'main.py'}:8: the app read the environment variable GREETING" in output
    assert "drew random bytes" in output and f"{app_dir / 'main.py'}:7" in output
    assert "FLASK_DEBUG" not in output  # Flask's own reads are not the app's business
    assert (tmp_path / "out.wasm").read_bytes()[:4] == b"\0asm"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_service_run_serves_and_stops_with_its_host(stop):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fabricks", "service", "run", str(EXAMPLES / "flask-hello"),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    try:
        wait_for_port(port, proc, timeout=600)
        response = requests.get(f"http://127.0.0.1:{port}/users/1", timeout=30)
        assert response.json() == {"id": 1, "name": "User 1"}
        time.sleep(0.3)
        proc.send_signal(stop)
        signalled = time.monotonic()
        output, _ = proc.communicate(timeout=30)
        stopped_after = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    # Nothing in flight: the host's idle instances (kept 600 s for their state) are not waited
    # for. Before, the CLI waited out its 10 s grace period.
    assert stopped_after < 5, stopped_after
    assert "serving flask-hello on http://127.0.0.1" in output
    assert "Traceback" not in output
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=5)


def test_a_killed_cli_takes_its_host_with_it():
    """SIGKILL leaves the CLI no chance to stop its host: the host must not outlive it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fabricks", "service", "run", str(EXAMPLES / "flask-hello"),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, timeout=600)
        assert requests.get(f"http://127.0.0.1:{port}/users/1", timeout=30).status_code == 200
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
        except requests.ConnectionError:
            return
        time.sleep(0.1)
    pytest.fail(f"the host still answers on port {port} after its CLI was killed")


def test_unchanged_app_is_not_rebuilt(tmp_path):
    """The second build of an unchanged app comes from the cache (its speed is measured in bench/)."""
    first = fabricks("adapt", str(EXAMPLES / "flask-hello"), "-o", str(tmp_path / "a.wasm"))
    second = fabricks("adapt", str(EXAMPLES / "flask-hello"), "-o", str(tmp_path / "b.wasm"))
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "unchanged, from cache" in second.stderr and "✓ componentize" not in second.stderr
    assert (tmp_path / "a.wasm").read_bytes() == (tmp_path / "b.wasm").read_bytes()


def test_doctor_and_packs_list():
    doctor = fabricks("doctor")
    assert doctor.returncode == 0 and "componentize-py 0.25.1" in doctor.stdout
    assert re.search(r"fabricks-host \d+\.\d+\.\d+ \(wasmtime 49\.0\.3\)", doctor.stdout), doctor.stdout
    assert "rust-wasm" in doctor.stdout and "wasm32-wasip1" in doctor.stdout
    listing = fabricks("packs", "list")
    assert "python-wsgi" in listing.stdout


def test_cgi_script_syntax_error_names_the_script_and_line(tmp_path):
    """CGI scripts are compiled at build time (python-cgi pack): a syntax error fails the build."""
    (tmp_path / "Fabrickfile").write_text('[python]\nframework = "cgi"\napp = "cgi-bin"\n')
    (tmp_path / "cgi-bin").mkdir()
    (tmp_path / "cgi-bin" / "ok.py").write_text("print('Content-Type: text/plain')\nprint()\n")
    (tmp_path / "cgi-bin" / "bad.py").write_text("print('Content-Type: text/plain')\nif True\n")
    assert_clean_failure(fabricks("adapt", str(tmp_path)), "syntax error", f"{tmp_path / 'cgi-bin' / 'bad.py'}:2")
    assert_nothing_half_written(tmp_path)


def test_force_replaces_the_cached_build(tmp_path):
    """`adapt --force` builds again and its build, not the cached one, is used from then on."""
    app_dir = copy_app("express-esm", tmp_path)
    out = tmp_path / "out.wasm"
    first = fabricks("adapt", str(app_dir), "-o", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    built = Path((first.stdout + first.stderr).split("precompiled for fabricks-host:")[1].split()[0]).parent / "component.wasm"
    built.write_bytes(b"stale")
    again = fabricks("adapt", str(app_dir), "--force", "-o", str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    assert built.read_bytes()[:4] == b"\0asm" and out.read_bytes()[:4] == b"\0asm"


def test_a_pack_from_another_folder_reuses_the_language_library(tmp_path):
    """A pack is a folder anywhere (`--packs DIR`): a copy of python-cgi under another name,
    outside the checkout, reaches the shared Python runtime and the WSGI bridge through
    `{packs}/...` in its manifest and serves the guestbook's scripts."""
    import shutil

    outside = tmp_path / "my-packs" / "cgi-elsewhere"
    shutil.copytree(Path(__file__).resolve().parents[2] / "packs" / "python-cgi", outside)
    manifest = outside / "pack.toml"
    manifest.write_text(manifest.read_text().replace('name = "python-cgi"', 'name = "cgi-elsewhere"')
                        .replace('frameworks = ["cgi"]', 'frameworks = ["cgi-elsewhere"]')
                        .replace("[frameworks.cgi]", "[frameworks.cgi-elsewhere]"))
    app_dir = tmp_path / "guestbook"
    shutil.copytree(EXAMPLES / "cgi-guestbook", app_dir)
    (app_dir / "Fabrickfile").write_text('[python]\nframework = "cgi-elsewhere"\napp = "cgi-bin"\n')
    listed = fabricks("packs", "list", "--packs", str(outside.parent))
    assert "cgi-elsewhere" in listed.stdout, listed.stdout + listed.stderr
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "fabricks", "service", "run", str(app_dir), "--packs",
                                str(outside.parent), "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        wait_for_port(port, process, timeout=900)
        answer = requests.get(f"http://127.0.0.1:{port}/cgi-bin/hello.py/x?name=Ada", timeout=30)
        assert answer.status_code == 200 and "Hello, Ada!" in answer.text and "/x" in answer.text
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    assert "(pack cgi-elsewhere)" in output, output
