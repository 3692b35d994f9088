"""Resolution: Fabrickfile, then flags over it, then detection; clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabricks.errors import FabrickfileError
from fabricks.packs import Registry
from fabricks.resolve import Flags, resolve

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def registry():
    return Registry.discover()


def app_folder(tmp_path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_example_fabrickfile_resolves(registry):
    spec = resolve(EXAMPLES / "flask-hello", registry)
    assert (spec.language, spec.framework, spec.app, spec.name) == ("python", "flask", "main:app", "flask-hello")
    assert spec.pack.name == "python-wsgi" and spec.options["requirements"].name == "requirements.txt"
    assert spec.origin == {"language": "Fabrickfile", "framework": "Fabrickfile", "app": "Fabrickfile"}


def test_flags_override_the_fabrickfile(registry):
    spec = resolve(EXAMPLES / "flask-hello", registry, Flags(app="main:other", framework="wsgi"))
    assert spec.app == "main:other" and spec.framework == "wsgi" and spec.origin["app"] == "flag"


def test_flask_app_is_detected_without_fabrickfile(registry, tmp_path):
    folder = app_folder(tmp_path, {"server.py": "from flask import Flask\napplication = Flask(__name__)\n"})
    spec = resolve(folder, registry)
    assert (spec.framework, spec.app) == ("flask", "server:application")
    assert spec.guessed and spec.origin["app"] == "detected (server.py)"
    assert 'framework = "flask"' in spec.pin_snippet()


def test_hono_app_is_detected_as_its_file(registry, tmp_path):
    folder = app_folder(tmp_path, {"src/server.js": "import { Hono } from 'hono'\nconst app = new Hono()\n"})
    spec = resolve(folder, registry)
    assert (spec.language, spec.pack.name, spec.framework, spec.app) == ("nodejs", "node-hono", "hono", "src/server.js")


def test_nestjs_app_is_its_bootstrap_file_though_controllers_import_express(registry, tmp_path):
    folder = app_folder(tmp_path, {
        "src/app.controller.ts": "import { Controller, Res } from '@nestjs/common';\nimport type { Response } from 'express';\n",
        "src/main.ts": "import { NestFactory } from '@nestjs/core';\n"
                       "async function bootstrap() { const app = await NestFactory.create(AppModule); await app.listen(3000); }\n",
    })
    spec = resolve(folder, registry)
    assert (spec.pack.name, spec.framework, spec.app) == ("node-express", "nestjs", "src/main.ts")


def test_koa_app_is_detected(registry, tmp_path):
    folder = app_folder(tmp_path, {"server.js": "const Koa = require('koa');\nconst app = new Koa();\n"})
    assert (resolve(folder, registry).framework, resolve(folder, registry).app) == ("koa", "server.js")


def test_django_wsgi_module_is_detected(registry, tmp_path):
    folder = app_folder(tmp_path, {
        "manage.py": "",
        "proj/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
    })
    spec = resolve(folder, registry)
    assert (spec.framework, spec.app) == ("django", "proj.wsgi:application")


def test_flask_factory_is_detected_as_a_call(registry, tmp_path):
    folder = app_folder(tmp_path, {"app/__init__.py": "def create_app():\n    return None\n"})
    assert resolve(folder, registry).app == "app:create_app()"


def test_nothing_detectable_says_what_is_missing(registry, tmp_path):
    folder = app_folder(tmp_path, {"readme.txt": "hi"})
    with pytest.raises(FabrickfileError) as info:
        resolve(folder, registry)
    assert "language, framework, app" in info.value.message and "Fabrickfile" in info.value.hint


def test_missing_app_key_is_an_error_when_undetectable(registry, tmp_path):
    folder = app_folder(tmp_path, {"Fabrickfile": '[from]\nsource = "python"\n[python]\nframework = "flask"\n',
                                   "main.py": "print('no app here')\n"})
    with pytest.raises(FabrickfileError, match="could not tell the app"):
        resolve(folder, registry)


def test_unknown_framework_names_the_known_ones(registry, tmp_path):
    folder = app_folder(tmp_path, {"Fabrickfile": '[from]\nsource = "python"\n[python]\nframework = "flaks"\napp = "m:a"\n'})
    with pytest.raises(FabrickfileError) as info:
        resolve(folder, registry)
    assert "unknown framework 'flaks'" in info.value.message and "flask" in info.value.message
    assert info.value.line == 4


def test_unknown_language(registry, tmp_path):
    folder = app_folder(tmp_path, {"Fabrickfile": '[from]\nsource = "cobol"\n'})
    with pytest.raises(FabrickfileError, match="'cobol' is not a language"):
        resolve(folder, registry)


def test_unknown_option_key_is_a_typo_guard(registry, tmp_path):
    folder = app_folder(tmp_path, {"Fabrickfile": '[python]\nframework = "flask"\napp = "m:a"\nrequirement = "r.txt"\n'})
    with pytest.raises(FabrickfileError) as info:
        resolve(folder, registry)
    assert "`python.requirement`" in info.value.message and "requirements" in info.value.message
    assert info.value.line == 4


def test_missing_requirements_file(registry, tmp_path):
    folder = app_folder(tmp_path, {"Fabrickfile": '[python]\nframework = "flask"\napp = "m:a"\nrequirements = "nope.txt"\n'})
    with pytest.raises(FabrickfileError, match="'nope.txt' does not exist"):
        resolve(folder, registry)


def test_bad_app_syntax(registry, tmp_path):
    folder = app_folder(tmp_path, {"Fabrickfile": '[python]\nframework = "flask"\napp = "main.py"\n'})
    with pytest.raises(FabrickfileError, match="not of the form 'main:app'"):
        resolve(folder, registry)


def test_granted_folder_must_exist(registry, tmp_path):
    folder = app_folder(tmp_path, {"Fabrickfile": '[python]\nframework = "flask"\napp = "m:a"\n'
                                                  '[capabilities]\nfilesystem.read_write = ["data"]\n'})
    with pytest.raises(FabrickfileError, match="'data' is not a folder"):
        resolve(folder, registry)


def test_not_a_folder(registry, tmp_path):
    with pytest.raises(FabrickfileError, match="is not a folder"):
        resolve(tmp_path / "nope", registry)


def test_a_pack_option_named_handler_is_kept(registry, tmp_path):
    """The resolver names no pack's option: node-express's `handler` reaches the build."""
    folder = app_folder(tmp_path, {"Fabrickfile": '[nodejs]\nframework = "express"\napp = "app.js"\nhandler = "api"\n',
                                   "app.js": "module.exports.api = require('express')();\n"})
    assert resolve(folder, registry).options["handler"] == "api"
