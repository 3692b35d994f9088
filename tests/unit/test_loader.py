"""Loading ``module:attribute`` (gunicorn/uvicorn syntax): exact messages, user errors passed through."""

from __future__ import annotations

import sys

import pytest

from fabricks_runtime.loader import AppLoadError, load_app


@pytest.fixture
def app_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("fx_")]:
        del sys.modules[name]


def write(app_dir, name, text):
    (app_dir / f"{name}.py").write_text(text)


def test_attribute(app_dir):
    write(app_dir, "fx_main", "def app(e, s):\n    return []\n")
    assert load_app("fx_main:app").__name__ == "app"


def test_default_attribute_is_application(app_dir):
    write(app_dir, "fx_default", "def application(e, s):\n    return []\n")
    assert load_app("fx_default").__name__ == "application"


def test_factory_call_with_literal_arguments(app_dir):
    write(app_dir, "fx_factory", "def create_app(mode='dev'):\n    def app(e, s):\n        return [mode]\n    return app\n")
    assert load_app("fx_factory:create_app('prod')")(None, None) == ["prod"]


def test_missing_module_names_the_import_string(app_dir):
    with pytest.raises(AppLoadError, match="module 'fx_nope' \\(from app 'fx_nope:app'\\) was not found"):
        load_app("fx_nope:app")


def test_missing_attribute_suggests_what_the_module_defines(app_dir):
    write(app_dir, "fx_attr", "def application(e, s):\n    return []\n")
    with pytest.raises(AppLoadError) as info:
        load_app("fx_attr:app")
    assert info.value.message == "attribute 'app' not found in fx_attr (from 'fx_attr:app')"
    assert "application" in info.value.hint


def test_import_error_inside_the_app_passes_through(app_dir):
    write(app_dir, "fx_inner", "import fx_missing_dependency\n")
    with pytest.raises(ModuleNotFoundError, match="fx_missing_dependency"):
        load_app("fx_inner:app")


def test_not_callable(app_dir):
    write(app_dir, "fx_value", "app = 3\n")
    with pytest.raises(AppLoadError, match="is int, not a WSGI application"):
        load_app("fx_value:app")


def test_non_literal_call_arguments_are_refused(app_dir):
    write(app_dir, "fx_call", "def f(x):\n    return x\n")
    with pytest.raises(AppLoadError, match="only pass literal arguments"):
        load_app("fx_call:f(open('x'))")
