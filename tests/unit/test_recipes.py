"""WASI build recipes for native-only Python packages (packs/_shared/python/deps)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import c_libraries
import c_sysroot
import cpython_wasi
import maturin_build
import recipes
import setuptools_build


def test_the_shipped_recipes_load():
    known = recipes.load()
    assert known["pydantic-core"].builder == "maturin"
    assert known["pydantic-core"].path.name == "pydantic-core.toml"
    assert (known["markupsafe"].builder, known["bcrypt"].builder) == ("setuptools", "maturin")


def test_a_recipe_names_its_package_canonically(tmp_path: Path):
    (tmp_path / "x.toml").write_text('[recipe]\npackage = "Foo_Bar.baz"\nbuilder = "maturin"\nfeatures = ["a"]\n'
                                     '[recipe.env]\nOPT = 1\n')
    recipe = recipes.load(tmp_path)["foo-bar-baz"]
    assert recipe.features == ("a",) and recipe.env == {"OPT": "1"} and recipe.tested == ()


@pytest.mark.parametrize("text, said", [
    ('[recipe]\npackage = "x"\n', "not a valid recipe"),
    ('[recipe]\npackage = "x"\nbuilder = "cmake"\n', "unknown builder 'cmake'"),
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


def _local(tmp_path: Path) -> Path:
    source = tmp_path / "native" / "fast-thing"
    (source / "src").mkdir(parents=True)
    (source / "pyproject.toml").write_text('[project]\nname = "fast-thing"\nversion = "1.2.0"\n'
                                           'description = "A thing"\n[tool.maturin]\nmodule-name = "_fast"\n')
    (source / "Cargo.toml").write_text('[package]\nname = "fast-thing"\n[lib]\nname = "_fast"\n')
    (source / "src" / "lib.rs").write_text("// one\n")
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "fast-thing.toml").write_text(
        '[recipe]\npackage = "fast-thing"\nbuilder = "maturin"\nsource = "../native/fast-thing"\n')
    return source


def test_a_recipe_can_build_a_local_source_folder(tmp_path: Path):
    source = _local(tmp_path)
    recipe = recipes.load(tmp_path / "recipes")["fast-thing"]
    assert recipe.source == source.resolve()
    version = recipes.local_version(recipe)
    assert version.startswith("1.2.0+src.") and len(version) == len("1.2.0+src.") + 12
    # Build outputs don't change it; an edit does.
    (source / "target").mkdir()
    (source / "target" / "x.wasm").write_bytes(b"\0asm")
    assert recipes.local_version(recipe) == version
    (source / "src" / "lib.rs").write_text("// two\n")
    assert recipes.local_version(recipe) != version


def test_a_local_source_is_copied_with_the_metadata_of_an_sdist(tmp_path: Path):
    source = _local(tmp_path)
    (source / "target").mkdir()
    recipe = recipes.load(tmp_path / "recipes")["fast-thing"]
    (tmp_path / "work").mkdir()
    tree = recipes._local_source(recipe, "1.2.0+src.abc", tmp_path / "work")
    assert not (tree / "target").exists() and (tree / "src" / "lib.rs").is_file()
    assert (tree / "PKG-INFO").read_text() == "Metadata-Version: 2.1\nName: fast-thing\nVersion: 1.2.0+src.abc\nSummary: A thing\n"
    assert maturin_build.layout(tree).module == "_fast"


def test_a_local_source_without_pyproject_is_refused(tmp_path: Path):
    (tmp_path / "x.toml").write_text('[recipe]\npackage = "x"\nbuilder = "maturin"\nsource = "nowhere"\n')
    with pytest.raises(recipes.RecipeError) as caught:
        recipes.load(tmp_path)
    assert "has no pyproject.toml" in caught.value.args[0]


def test_the_shipped_hashlib_recipe_builds_fabricks_own_crate():
    recipe = recipes.load()["fabricks-hashlib"]
    assert recipe.source is not None and (recipe.source / "Cargo.lock").is_file()
    assert maturin_build.layout(recipe.source).module == "_fabricks_hashlib"


def test_a_builtin_without_the_rust_toolchain_fails_naming_make_setup(tmp_path: Path, monkeypatch, capsys):
    """No half-built component: without Rust (and no cached wheel) the dependencies step stops."""
    import stage_deps

    monkeypatch.setenv("FABRICKS_RUSTC", str(tmp_path / "no-rustc"))
    with pytest.raises(SystemExit) as exited:
        stage_deps.install_builtins(tmp_path / "deps", ["fabricks-hashlib"], tmp_path / "cache")
    said = capsys.readouterr().out
    assert exited.value.code == 3
    assert "fabricks-error: fabricks-hashlib, which every Python component includes" in said
    assert "fabricks-hint: " in said and "make setup" in said
    assert not list((tmp_path / "cache").rglob("*.whl"))


def test_layout_of_a_setuptools_rust_project(tmp_path: Path):
    """bcrypt's form: the module declared in [[tool.setuptools-rust.ext-modules]]."""
    src = tmp_path / "bcrypt"
    (src / "src" / "_bcrypt").mkdir(parents=True)
    (src / "src" / "bcrypt").mkdir()
    (src / "pyproject.toml").write_text('[tool.setuptools]\npackage-dir = {"" = "src"}\n'
                                        '[[tool.setuptools-rust.ext-modules]]\ntarget = "bcrypt._bcrypt"\n'
                                        'path = "src/_bcrypt/Cargo.toml"\n')
    (src / "src" / "_bcrypt" / "Cargo.toml").write_text('[package]\nname = "bcrypt-rust"\n[lib]\nname = "bcrypt_rust"\n')
    lay = maturin_build.layout(src)
    assert (lay.manifest, lay.lib_name, lay.module) == (src / "src/_bcrypt/Cargo.toml", "bcrypt_rust", "bcrypt._bcrypt")
    assert lay.python_source == src / "src"


def test_layout_refuses_several_setuptools_rust_modules(tmp_path: Path):
    src = tmp_path / "two"
    src.mkdir()
    (src / "pyproject.toml").write_text('[[tool.setuptools-rust.ext-modules]]\ntarget = "a"\n'
                                        '[[tool.setuptools-rust.ext-modules]]\ntarget = "b"\n')
    with pytest.raises(maturin_build.BuildFailed) as caught:
        maturin_build.layout(src)
    assert "declares 2 modules" in caught.value.args[0]


def test_pyconfig_h_is_configure_s_choices():
    """#undef lines become the values sysconfigdata recorded; 0 and unknown names stay undefined."""
    template = ("#undef HAVE_FORK\n#undef HAVE_PTHREAD_H\n#undef SIZEOF_LONG\n"
                "#ifndef _GNU_SOURCE\n# undef _GNU_SOURCE\n#endif\n# undef _MINIX\n#undef _WASI_EMULATED_SIGNAL\n"
                "#undef PY_BUILTIN_HASHLIB_HASHES\n#undef const\n")
    made = c_sysroot.pyconfig_h(template, {"HAVE_FORK": 0, "HAVE_PTHREAD_H": 1, "SIZEOF_LONG": 4,
                                           "PY_BUILTIN_HASHLIB_HASHES": '"md5,sha1"'})
    assert made.splitlines() == ["#undef HAVE_FORK", "#define HAVE_PTHREAD_H 1", "#define SIZEOF_LONG 4",
                                 "#ifndef _GNU_SOURCE", "# define _GNU_SOURCE 1", "#endif", "# undef _MINIX",
                                 "#define _WASI_EMULATED_SIGNAL 1", '#define PY_BUILTIN_HASHLIB_HASHES "md5,sha1"',
                                 "#undef const"]


def test_the_cross_sysconfig_points_setuptools_at_clang_for_wasm(tmp_path: Path):
    sysroot = c_sysroot.Sysroot(tmp_path / "root", tmp_path / "root" / "python" / "include" / "python3.14")
    made = setuptools_build.cross_sysconfig({"EXT_SUFFIX": ".cpython-314-wasm32-wasi.so", "CC": "/opt/wasi-sdk/bin/clang"},
                                            sysroot, tmp_path / "cc", tmp_path / "c++", Path("/usr/bin/llvm-ar-22"))
    assert made["EXT_SUFFIX"] == ".cpython-314-wasm32-wasi.so"
    assert (made["CC"], made["LDSHARED"], made["LDCXXSHARED"]) == (
        str(tmp_path / "cc"), f"{tmp_path / 'cc'} -shared", f"{tmp_path / 'c++'} -shared")
    assert made["INCLUDEPY"] == str(sysroot.python_include) and made["AR"] == "/usr/bin/llvm-ar-22"


def test_the_compiler_wrappers_link_modules_against_componentize_py_and_checks_against_nothing(tmp_path: Path):
    """A -shared link gets the module flags; a configure check's link does not (or a missing
    function would link, as an import); GNU ld's groups are dropped. Run with `echo` as clang."""
    sysroot = c_sysroot.Sysroot(tmp_path / "root", tmp_path / "root" / "python" / "include" / "python3.14")
    cc, cxx = c_sysroot.compilers(tmp_path, sysroot, tmp_path / "libs", Path("/bin/echo"), Path("/bin/echo"))
    module = subprocess.run([cxx, "-shared", "x.o", "-Wl,--start-group", "-lm", "-Wl,--end-group", "-o", "x.so"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert module == ["--target=wasm32-wasip1", f"--sysroot={sysroot.root}", "-fPIC", "-fexceptions", "-nostartfiles",
                      "-Wl,--no-entry", "-Wl,--experimental-pic", "-Wl,--allow-undefined", f"-L{tmp_path / 'libs'}",
                      "-shared", "x.o", "-lm", "-o", "x.so", "-lfabricks_cxa"]
    check = subprocess.run([cc, "test file.c", "-o", "a.out"], capture_output=True, text=True, check=True).stdout
    assert check.split()[-4:] == ["test", "file.c", "-o", "a.out"] and "--allow-undefined" not in check


def test_the_wrappers_drop_pthread_and_show_a_recipes_c_libraries(tmp_path: Path):
    """-pthread would make the module's memory shared (componentize-py refuses it at link time);
    a c-library prefix gives every compile its headers and only links its -L."""
    sysroot = c_sysroot.Sysroot(tmp_path / "root", tmp_path / "root" / "python" / "include" / "python3.14")
    prefix = tmp_path / "prefix"
    cc, _ = c_sysroot.compilers(tmp_path, sysroot, tmp_path / "libs", Path("/bin/echo"), Path("/bin/echo"), (prefix,))
    compiled = subprocess.run([cc, "-pthread", "-c", "x.c"], capture_output=True, text=True, check=True).stdout.split()
    assert "-pthread" not in compiled and f"-I{prefix}/include" in compiled and f"-L{prefix}/lib" not in compiled
    linked = subprocess.run([cc, "-shared", "x.o", "-lyaml", "-o", "x.so"], capture_output=True, text=True,
                            check=True).stdout.split()
    assert linked.index(f"-L{prefix}/lib") < linked.index("-lyaml")


def test_a_recipe_with_patches_and_c_libraries_loads(tmp_path: Path):
    (tmp_path / "fix.patch").write_text("")
    (tmp_path / "lib").mkdir()
    (tmp_path / "x.toml").write_text(
        '[recipe]\npackage = "x"\nbuilder = "setuptools"\npatches = ["fix.patch"]\n'
        '[recipe.config-settings]\n"wheel.py-api" = ""\nsetup-args = ["-Da=b"]\n'
        '[[recipe.c-library]]\nname = "y"\nsource = "lib"\nsources = ["*.c"]\ninclude = ["."]\n'
        '[[recipe.c-library]]\nname = "z"\nurl = "https://example.org/z.tar.gz"\nsha256 = "00"\nsources = ["src/*.c"]\n'
        'cflags = ["-DZ=1"]\n')
    recipe = recipes.load(tmp_path)["x"]
    assert recipe.patches == (tmp_path / "fix.patch",)
    assert recipe.settings == {"wheel.py-api": "", "setup-args": ("-Da=b",)}  # a TOML string stays one string
    assert recipe.libraries == (
        c_libraries.CLibrary("y", ("*.c",), (".",), (), None, None, (tmp_path / "lib").resolve()),
        c_libraries.CLibrary("z", ("src/*.c",), (), ("-DZ=1",), "https://example.org/z.tar.gz", "00", None))


@pytest.mark.parametrize("extra, said", [
    ('patches = ["gone.patch"]\n', "gone.patch does not exist"),
    ('[[recipe.c-library]]\nname = "y"\nsources = ["*.c"]\n', "needs either `source` or `url` with `sha256`"),
    ('[[recipe.c-library]]\nname = "y"\nurl = "https://example.org/y.tgz"\nsources = ["*.c"]\n', "`url` with `sha256`"),
    ('[[recipe.c-library]]\nname = "y"\nsource = "gone"\nsources = ["*.c"]\n', "gone does not exist"),
])
def test_a_recipe_s_bad_patch_or_c_library_is_named(tmp_path: Path, extra: str, said: str):
    (tmp_path / "bad.toml").write_text(f'[recipe]\npackage = "x"\nbuilder = "setuptools"\n{extra}')
    with pytest.raises(recipes.RecipeError) as caught:
        recipes.load(tmp_path)
    assert str(tmp_path / "bad.toml") in caught.value.args[0] and said in caught.value.args[0]


def test_patches_apply_to_the_source_and_a_stale_one_is_named(tmp_path: Path):
    source = tmp_path / "pkg-1.0"
    source.mkdir()
    (source / "a.c").write_text("int x = 1;\n")
    good, stale = tmp_path / "good.patch", tmp_path / "stale.patch"
    good.write_text("why: a comment above the diff\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-int x = 1;\n+int x = 2;\n")
    stale.write_text("--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-int y = 1;\n+int y = 2;\n")
    recipe = recipes.Recipe("pkg", "setuptools", tmp_path / "pkg.toml", patches=(good,))
    recipes._apply_patches(recipe, source)
    assert (source / "a.c").read_text() == "int x = 2;\n"
    with pytest.raises(recipes.RecipeError) as caught:
        recipes._apply_patches(recipes.Recipe("pkg", "setuptools", tmp_path / "pkg.toml", patches=(stale,)), source)
    assert "stale.patch does not apply to pkg-1.0" in caught.value.args[0] and "pkg.toml" in caught.value.args[1]


def test_a_c_library_glob_that_matches_nothing_is_named(tmp_path: Path):
    library = c_libraries.CLibrary("y", ("src/*.c",), folder=tmp_path)
    with pytest.raises(setuptools_build.BuildFailed) as caught:
        c_libraries.build(library, tmp_path / "prefix", Path("/bin/false"), Path("/bin/false"))
    assert "c-library y: 'src/*.c' matches no file" in caught.value.args[0]


def test_a_module_built_without_the_abi_tag_is_renamed_for_componentize_py(tmp_path: Path):
    """componentize-py links only *.cpython-314-wasm32-wasi.so; CMake's FindPython may name a
    module _ffi.so, a stable-ABI build _ffi.abi3.so. A library that isn't a module keeps its name."""
    (tmp_path / "_ffi.so").write_bytes(b"\0asm...PyInit__ffi...")
    (tmp_path / "_two.abi3.so").write_bytes(b"\0asm...PyInit__two...")
    (tmp_path / "libhelper.so").write_bytes(b"\0asm...")
    assert setuptools_build._tagged(tmp_path / "_ffi.so") == tmp_path / "_ffi.cpython-314-wasm32-wasi.so"
    assert setuptools_build._tagged(tmp_path / "_two.abi3.so") == tmp_path / "_two.cpython-314-wasm32-wasi.so"
    assert setuptools_build._tagged(tmp_path / "libhelper.so") == tmp_path / "libhelper.so"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "_ffi.cpython-314-wasm32-wasi.so", "_two.cpython-314-wasm32-wasi.so", "libhelper.so"]


def test_findpython_sees_the_component_s_cpython_release(tmp_path: Path):
    import sys  # noqa: PLC0415
    shim = setuptools_build.find_python_shim(tmp_path, "3.14.0", sys.executable)
    said = subprocess.run([shim, "-c", "import sys; sys.stdout.write('.'.join(map(str, sys.version_info[:3])))"],
                          capture_output=True, text=True, check=True).stdout
    assert shim.name == "python3.14" and said == "3.14.0"
    toolchain = setuptools_build.cmake_toolchain(tmp_path, c_sysroot.Sysroot(tmp_path, tmp_path / "inc"),
                                                 tmp_path / "cc", tmp_path / "c++", Path("/usr/bin/llvm-ar-22"), shim,
                                                 (tmp_path / "prefix",))
    text = toolchain.read_text()
    assert f'set(CMAKE_FIND_ROOT_PATH "{tmp_path}" "{tmp_path / "prefix"}")' in text
    assert f'set(Python_EXECUTABLE "{shim}"' in text
    assert "set(CMAKE_SYSTEM_NAME WASI)" in text and (tmp_path / "cmake" / "Platform" / "WASI.cmake").is_file()


def test_the_first_c_compiler_error_is_reported():
    lines = ["building 'x' extension", "x.c:3:10: warning: unused", "x.c:9:1: error: expected ';'", "1 error generated."]
    assert setuptools_build.first_error(lines) == "x.c:9:1: error: expected ';'"


def test_without_clang_the_setuptools_builder_names_make_setup(monkeypatch):
    monkeypatch.setattr(setuptools_build.shutil, "which", lambda name: None)
    with pytest.raises(setuptools_build.BuildFailed) as caught:
        setuptools_build.find_clang()
    assert "no clang" in caught.value.args[0] and "make setup" in caught.value.args[1]


def test_a_fallback_package_whose_recipe_fails_is_used_without_its_extension(tmp_path: Path, monkeypatch, capsys):
    """MarkupSafe without a C toolchain: a warning, and the caller installs the pure-Python fallback."""
    import stage_deps

    def broken(*args, **kwargs):
        raise recipes.RecipeError("building markupsafe==3.0.3 for wasm32-wasi failed: no clang", "Run `make setup`.")
    monkeypatch.setattr(recipes, "wheel", broken)
    known = {"markupsafe": recipes.Recipe("markupsafe", "setuptools", tmp_path / "markupsafe.toml")}
    assert not stage_deps.install_from_recipe(tmp_path / "deps", "markupsafe", "markupsafe==3.0.3", tmp_path, known,
                                              fallback=True)
    assert "fabricks-warning: building markupsafe==3.0.3 for wasm32-wasi failed: no clang" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        stage_deps.install_from_recipe(tmp_path / "deps", "markupsafe", "markupsafe==3.0.3", tmp_path, known)


def test_a_wheel_built_from_an_older_recipe_is_dropped_and_a_current_one_kept(tmp_path: Path):
    """Editing a recipe (a patch) must rebuild its wheel: pip's --find-links would reuse it."""
    (tmp_path / "fix.patch").write_text("one\n")
    (tmp_path / "x.toml").write_text('[recipe]\npackage = "x"\nbuilder = "setuptools"\npatches = ["fix.patch"]\n')
    recipe = recipes.load(tmp_path)["x"]
    cache = tmp_path / "wheels"
    cache.mkdir()
    wheel = cache / recipes.wheel_name("x", "1.0")
    wheel.write_bytes(b"built before records were kept")
    assert recipes.drop_stale(recipe, "1.0", cache) and not wheel.exists()

    wheel.write_bytes(b"built now")
    (cache / (wheel.name + ".recipe")).write_text(recipes.digest(recipe) + "\n")
    assert not recipes.drop_stale(recipe, "1.0", cache) and wheel.exists()
    assert recipes.wheel(recipe, "1.0", cache, tmp_path) == wheel  # reused, not rebuilt

    (tmp_path / "fix.patch").write_text("two\n")
    assert recipes.digest(recipe) != (cache / (wheel.name + ".recipe")).read_text().strip()
    assert recipes.drop_stale(recipe, "1.0", cache) and not wheel.exists()
    assert not recipes.drop_stale(recipe, "2.0", cache)  # nothing cached: nothing to drop
