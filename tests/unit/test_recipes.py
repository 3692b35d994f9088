"""WASI build recipes for native-only Python packages (packs/_shared/python/deps)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cpython_wasi
import maturin_build
import recipes


def test_the_shipped_recipes_load():
    known = recipes.load()
    assert known["pydantic-core"].builder == "maturin"
    assert known["pydantic-core"].path.name == "pydantic-core.toml"


def test_a_recipe_names_its_package_canonically(tmp_path: Path):
    (tmp_path / "x.toml").write_text('[recipe]\npackage = "Foo_Bar.baz"\nbuilder = "maturin"\nfeatures = ["a"]\n'
                                     '[recipe.env]\nOPT = 1\n')
    recipe = recipes.load(tmp_path)["foo-bar-baz"]
    assert recipe.features == ("a",) and recipe.env == {"OPT": "1"} and recipe.tested == ()


@pytest.mark.parametrize("text, said", [
    ('[recipe]\npackage = "x"\n', "not a valid recipe"),
    ('[recipe]\npackage = "x"\nbuilder = "setuptools"\n', "unknown builder 'setuptools'"),
    ('[recipe\n', "not a valid recipe"),
])
def test_a_bad_recipe_is_named(tmp_path: Path, text: str, said: str):
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(recipes.RecipeError) as caught:
        recipes.load(tmp_path)
    assert str(tmp_path / "bad.toml") in caught.value.args[0] and said in caught.value.args[0]


def test_wheel_names_follow_pep_427():
    assert recipes.wheel_name("pydantic-core", "2.50.4") == "pydantic_core-2.50.4-cp314-cp314-wasi_0_0_0_wasm32.whl"


def _sdist(root: Path, pyproject: str, cargo: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(pyproject)
    (root / "Cargo.toml").write_text(cargo)
    return root


def test_layout_of_a_mixed_project_with_python_source(tmp_path: Path):
    src = _sdist(tmp_path / "pkg", '[tool.maturin]\npython-source = "python"\nmodule-name = "pkg._core"\n'
                 'features = ["pyo3/extension-module"]\n', '[package]\nname = "pkg"\n[lib]\nname = "_core"\n')
    lay = maturin_build.layout(src)
    assert (lay.lib_name, lay.module, lay.python_source) == ("_core", "pkg._core", src / "python")
    assert lay.features == ("pyo3/extension-module",)


def test_layout_of_a_pure_rust_module(tmp_path: Path):
    lay = maturin_build.layout(_sdist(tmp_path / "fast-json", "", '[package]\nname = "fast-json"\n'))
    assert (lay.lib_name, lay.module, lay.python_source) == ("fast_json", "fast_json", None)


def test_layout_finds_a_mixed_package_next_to_cargo_toml(tmp_path: Path):
    src = _sdist(tmp_path / "m", "", '[package]\nname = "m"\n')
    (src / "m").mkdir()
    (src / "m" / "__init__.py").write_text("")
    assert maturin_build.layout(src).python_source == src


def test_layout_refuses_other_bindings(tmp_path: Path):
    src = _sdist(tmp_path / "c", '[tool.maturin]\nbindings = "cffi"\n', '[package]\nname = "c"\n')
    with pytest.raises(maturin_build.BuildFailed) as caught:
        maturin_build.layout(src)
    assert "bindings = 'cffi'" in caught.value.args[0]


def test_the_first_compiler_error_is_reported():
    lines = ["   Compiling x v1", "warning: unused", "error[E0425]: cannot find value `y`", "error: aborting"]
    assert maturin_build.first_error(lines) == "error[E0425]: cannot find value `y`"


def test_componentize_pys_libc_is_extracted_once(tmp_path: Path):
    folder = cpython_wasi.link_libraries(tmp_path)
    libc = (folder / "libc.so").read_bytes()
    assert libc.startswith(b"\0asm") and b"dylink.0" in libc[:64] and b"__wasilibc_" in libc
    assert "suppress_build_script_link_lines=true" in (folder / "pyo3-config.txt").read_text()
    stamp = (folder / "libc.so").stat().st_mtime_ns
    assert cpython_wasi.link_libraries(tmp_path) == folder and (folder / "libc.so").stat().st_mtime_ns == stamp
