"""The ``setuptools``, ``meson-python`` and ``scikit-build-core`` recipe builders: C and C++
extension modules built by the package's own build (``setup.py``, ``[tool.setuptools]
ext-modules``, meson-python's ``meson.build``, scikit-build-core's ``CMakeLists.txt``),
cross-compiled for componentize-py's CPython.

The build runs through its PEP 517 backend (pypa/build, in an isolated environment with the
package's declared build requirements) and is pointed at the component's interpreter the way
cross builds of CPython extensions are (crossenv, pyodide): ``_PYTHON_SYSCONFIGDATA_NAME``
names a copy of componentize-py's ``_sysconfigdata__wasi_wasm32-wasi.py`` whose compiler
settings say clang for ``wasm32-wasip1`` with the headers of c_sysroot.py, and
``_PYTHON_HOST_PLATFORM`` says ``wasi-0.0.0-wasm32``; setuptools then takes ``CC``,
``LDSHARED``, ``EXT_SUFFIX`` and ``INCLUDEPY`` from it, and meson's python module reads it too;
meson also gets a cross file (:func:`meson_cross_file`), CMake a toolchain file
(:func:`cmake_toolchain`). Each module is linked as a wasm
shared library (``-shared``, position-independent, Python's C API left as imports)
against componentize-py's ``libc.so`` (c_sysroot.compilers), as the maturin builder links PyO3 modules.

A package whose setup.py makes its extension optional (MarkupSafe) would silently build a
wheel without it when the compile fails; the builder fails instead, naming the first
compiler error, so that a recipe never yields less than it claims.
"""

from __future__ import annotations

import os
import pprint
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import c_libraries
import c_sysroot
import cpython_wasi
import build_run
from build_run import BuildFailed

CLANGS = ("clang-22", "clang-21", "clang-20", "clang-19", "clang")
INSTALL_HINT = ("Run `make setup` (packs/_shared/python/deps/install-c-toolchain.sh installs Debian's clang-22, "
                "llvm-22 and libclang-rt-22-dev-wasm32).")
# Host settings that would reach the cross compile through setuptools' customize_compiler.
HOST_FLAGS = ("CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "LDSHARED", "AR", "ARFLAGS",
              "PYTHONPATH", "_PYTHON_SYSCONFIGDATA_NAME", "_PYTHON_HOST_PLATFORM", "PKG_CONFIG_PATH")


def find_clang() -> tuple[Path, Path, Path]:
    """``(clang, clang++, llvm-ar)`` of one LLVM release that can link wasm32 shared libraries
    (its wasm-ld and its wasm32 compiler-rt builtins installed). Raises BuildFailed otherwise."""
    for name in CLANGS:
        clang = shutil.which(name)
        if clang is None:
            continue
        suffix = name[len("clang"):]
        clangxx, ar = shutil.which(f"clang++{suffix}"), shutil.which(f"llvm-ar{suffix}")
        probe = subprocess.run([clang, f"--target={c_sysroot.TARGET}", "-print-libgcc-file-name"], capture_output=True, text=True)
        builtins = Path(probe.stdout.strip()) if probe.returncode == 0 else None
        if clangxx and ar and builtins and builtins.is_file():
            return Path(clang), Path(clangxx), Path(ar)
    raise BuildFailed("no clang with wasm32 support was found (clang, llvm-ar and the wasm32 compiler-rt builtins "
                      "of one LLVM release)", INSTALL_HINT)


def cross_sysconfig(build_time_vars: dict, sysroot: c_sysroot.Sysroot, cc: Path, cxx: Path, ar: Path) -> dict:
    """componentize-py's ``build_time_vars`` with this machine's cross compiler (``cc`` and
    ``cxx`` from c_sysroot.compilers): what setuptools' ``customize_compiler`` and ``build_ext`` read."""
    cflags = "-O2 -DNDEBUG -fno-strict-overflow -Wsign-compare"
    settings = dict(build_time_vars)
    settings.update({
        "CC": str(cc), "CXX": str(cxx),
        "CFLAGS": cflags, "OPT": "-DNDEBUG -O2", "BASECFLAGS": "", "CONFIGURE_CFLAGS": "", "PY_CFLAGS": cflags,
        "CCSHARED": "", "CFLAGSFORSHARED": "",
        "LDSHARED": f"{cc} -shared", "BLDSHARED": f"{cc} -shared", "LDCXXSHARED": f"{cxx} -shared",
        "LDFLAGS": "", "CONFIGURE_LDFLAGS": "", "PY_LDFLAGS": "",
        "AR": str(ar), "ARFLAGS": "rcs",
        "INCLUDEPY": str(sysroot.python_include), "CONFINCLUDEPY": str(sysroot.python_include),
        "LIBDIR": "", "LIBPL": "",
    })
    return settings


def _runner(extra: dict[str, str], lines: list[str], echo):
    def run(cmd, cwd=None, extra_environ=None):
        environ = {k: v for k, v in os.environ.items() if k not in HOST_FLAGS}
        environ.update(extra_environ or {})
        environ.update(extra)
        status = build_run.run(list(cmd), cwd, environ, lines, echo)
        if status != 0:
            raise subprocess.CalledProcessError(status, cmd)
    return run


def first_error(lines: list[str]) -> str:
    """The compiler's or linker's first error line, or the last line of output."""
    for line in lines:
        if re.search(r"(^|: )(fatal )?error:", line):
            return line.strip()
    return lines[-1].strip() if lines else "no output"


def meson_cross_file(folder: Path, cc: Path, cxx: Path, ar: Path) -> Path:
    """A meson cross file for componentize-py's CPython: ``system = 'wasi'``, wasm32's IEEE quad
    ``long double``, and no running of what is built (meson's machine files reference)."""
    cross = folder / "cross.ini"
    cross.write_text(f"""[binaries]
c = '{cc}'
cpp = '{cxx}'
ar = '{ar}'
strip = '{ar.with_name(ar.name.replace("llvm-ar", "llvm-strip"))}'

[host_machine]
system = 'wasi'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'

[properties]
longdouble_format = 'IEEE_QUAD_LE'
needs_exe_wrapper = true
""")
    return cross


def find_python_shim(folder: Path, version: str, host_python: str) -> Path:
    """An interpreter for CMake's FindPython to question: the build's own Python, with this
    build's sysconfigdata (so the target's ``EXT_SUFFIX``, ``SOABI``), answering
    ``sys.version_info`` and ``sys.abiflags`` as componentize-py's CPython ``version`` would.
    FindPython insists that the interpreter and the headers be one release, and the one that
    runs the build can't be (no CPython 3.14 runs on the build machine); the build itself
    runs no code through it."""
    major, minor, micro = (int(part) for part in version.split(".")[:3])
    shim = folder / f"python{major}.{minor}"
    shim.write_text(f"""#!/bin/sh
# componentize-py's CPython {version} as CMake's FindPython sees it (setuptools_build.py)
if [ "$1" != "-c" ]; then exec '{host_python}' "$@"; fi
code="$2"; shift 2
exec '{host_python}' -c "import sys; sys.version_info = ({major}, {minor}, {micro}, 'final', 0); sys.abiflags = ''
$code" "$@"
""")
    shim.chmod(0o755)
    return shim


def cmake_toolchain(folder: Path, sysroot: c_sysroot.Sysroot, cc: Path, cxx: Path, ar: Path,
                    python: Path, prefixes: tuple[Path, ...] = ()) -> Path:
    """A CMake toolchain file (and the ``Platform/WASI.cmake`` it puts on the module path: Debian's
    CMake 3.25 has none) for componentize-py's CPython: our compilers, the sysroot and the
    ``prefixes`` of the recipe's C libraries as the only roots for finding libraries and headers, shared modules linked with ``-shared``, and FindPython
    pointed at the component's headers and at ``python`` (:func:`find_python_shim`)
    as its interpreter (cmake-toolchains(7), FindPython's variables)."""
    platform = folder / "cmake" / "Platform"
    platform.mkdir(parents=True, exist_ok=True)
    (platform / "WASI.cmake").write_text("""# WASI as componentize-py's CPython loads modules: wasm shared libraries (setuptools_build.py)
set(WASI 1)
set(UNIX 1)
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS TRUE)
set(CMAKE_SHARED_LIBRARY_PREFIX "lib")
set(CMAKE_SHARED_LIBRARY_SUFFIX ".so")
set(CMAKE_SHARED_MODULE_PREFIX "lib")
set(CMAKE_SHARED_MODULE_SUFFIX ".so")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a" ".so")
foreach(lang C CXX)
  set(CMAKE_SHARED_LIBRARY_CREATE_${lang}_FLAGS "-shared")
  set(CMAKE_SHARED_MODULE_CREATE_${lang}_FLAGS "-shared")
  set(CMAKE_${lang}_COMPILE_OPTIONS_PIC "-fPIC")
  set(CMAKE_SHARED_LIBRARY_${lang}_FLAGS "-fPIC")
endforeach()
""")
    ranlib = ar.with_name(ar.name.replace("llvm-ar", "llvm-ranlib"))
    toolchain = folder / "toolchain.cmake"
    toolchain.write_text(f"""# componentize-py's CPython, wasm32-wasip1 (setuptools_build.py)
list(APPEND CMAKE_MODULE_PATH "{folder / 'cmake'}")
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER "{cc}")
set(CMAKE_CXX_COMPILER "{cxx}")
set(CMAKE_AR "{ar}")
set(CMAKE_RANLIB "{ranlib}")
set(CMAKE_FIND_ROOT_PATH {" ".join(f'"{root}"' for root in (sysroot.root, *prefixes))})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(Python_EXECUTABLE "{python}" CACHE FILEPATH "componentize-py's CPython, as FindPython asks it" FORCE)
set(Python_INCLUDE_DIR "{sysroot.python_include}" CACHE PATH "componentize-py's CPython headers" FORCE)
""")
    return toolchain


def build_cmake(source: Path, tree: Path, cache: Path, *, features: tuple[str, ...] = (),
                env: dict[str, str] | None = None, settings: dict | None = None, libraries: tuple = (),
                echo=print) -> list[Path]:
    """The ``scikit-build-core`` builder: ``build()`` with a CMake toolchain file
    (:func:`cmake_toolchain`) in ``CMAKE_TOOLCHAIN_FILE``."""
    return build(source, tree, cache, features=features, env=env, settings=settings, libraries=libraries,
                 echo=echo, cmake=True)


def _tagged(module: Path) -> Path:
    """``module``, renamed ``NAME.cpython-314-wasm32-wasi.so`` if it is a Python module named
    ``NAME.so`` or ``NAME.abi3.so`` (CMake builds without the interpreter's SOABI, stable-ABI
    builds): componentize-py links only files with the interpreter's own suffix."""
    name = module.name
    stem = name[:-len(".abi3.so")] if name.endswith(".abi3.so") else name[:-len(".so")]
    if name.endswith(cpython_wasi.EXT_SUFFIX) or "." in stem or f"PyInit_{stem}".encode() not in module.read_bytes():
        return module
    return module.rename(module.with_name(stem + cpython_wasi.EXT_SUFFIX))


def build_meson(source: Path, tree: Path, cache: Path, *, features: tuple[str, ...] = (),
                env: dict[str, str] | None = None, settings: dict | None = None, libraries: tuple = (),
                echo=print) -> list[Path]:
    """The ``meson-python`` builder: ``build()`` with a meson cross file added to the recipe's
    ``setup-args``."""
    return build(source, tree, cache, features=features, env=env, settings=settings, libraries=libraries,
                 echo=echo, meson=True)


def build(source: Path, tree: Path, cache: Path, *, features: tuple[str, ...] = (),
          env: dict[str, str] | None = None, settings: dict | None = None,
          libraries: tuple[c_libraries.CLibrary, ...] = (), echo=print, meson: bool = False,
          cmake: bool = False) -> list[Path]:
    """Build the sdist unpacked at ``source`` and lay its files out in ``tree`` as installed.

    ``cache``: the per-machine cache (componentize-py's libraries, the sysroot); ``env``:
    the recipe's extra environment for the build; ``settings``: its PEP 517 config settings
    (``{"setup-args": (...)}``); ``libraries``: C libraries to build first (c_libraries.py),
    whose headers and archives the package's build then sees; ``cmake``: point CMake at a
    toolchain file (scikit-build-core); ``meson``: add a meson cross file to ``setup-args``
    (meson-python); ``features`` must be empty (Cargo's).
    ``echo`` receives the build's output lines. Returns the extension modules' paths in ``tree``.
    Raises BuildFailed (message, hint) for a missing toolchain, a failed build, or a build
    that produced no extension module.
    """
    import build as pypa_build  # noqa: PLC0415 - only recipe builds need it
    import build.env  # noqa: PLC0415

    if features:
        raise BuildFailed("`features` are Cargo features; the setuptools builder has none", "Remove them from the recipe.")
    clang, clangxx, ar = find_clang()
    work = tree.parent / "cross"
    work.mkdir()
    try:
        libs = cpython_wasi.link_libraries(cache)
        sysroot = c_sysroot.assemble(cache, clang)
        cc, cxx = c_sysroot.compilers(work, sysroot, libs, clang, clangxx)
        prefixes = (work / "prefix",) if libraries else ()
        for library in libraries:
            c_libraries.build(library, prefixes[0], cc, ar, echo)
        if prefixes:
            cc, cxx = c_sysroot.compilers(work, sysroot, libs, clang, clangxx, prefixes)
        cross_vars = cross_sysconfig(cpython_wasi.build_time_vars(cache), sysroot, cc, cxx, ar)
    except cpython_wasi.InterpreterMissing as error:
        raise BuildFailed(str(error), "Reinstall Fabricks (`make setup`): it pins componentize-py.") from None
    except c_sysroot.SysrootError as error:
        raise BuildFailed(*error.args) from None
    (work / f"{cpython_wasi.SYSCONFIGDATA}.py").write_text(
        f"# componentize-py's, with this machine's cross compiler (setuptools_build.py)\n"
        f"build_time_vars = {pprint.pformat(cross_vars, width=120)}\n")
    # pkg-config looks in the sysroot only (which has no .pc files): a setup.py that asks it for
    # a library's flags (cffi's libffi) must not get the build machine's.
    extra = {"_PYTHON_SYSCONFIGDATA_NAME": cpython_wasi.SYSCONFIGDATA, "PYTHONPATH": str(work),
             "_PYTHON_HOST_PLATFORM": "wasi-0.0.0-wasm32",
             "PKG_CONFIG_LIBDIR": str(sysroot.root / "lib" / "pkgconfig"), "PKG_CONFIG_SYSROOT_DIR": str(sysroot.root),
             **(env or {})}
    if cmake:
        shim = find_python_shim(work, cpython_wasi.cpython_version(cache), sys.executable)
        extra["CMAKE_TOOLCHAIN_FILE"] = str(cmake_toolchain(work, sysroot, cc, cxx, ar, shim, prefixes))
    lines: list[str] = []
    outdir = tree.parent / "dist"
    try:
        with build.env.DefaultIsolatedEnv() as isolated:
            builder = pypa_build.ProjectBuilder.from_isolated_env(isolated, source, runner=_runner(extra, lines, echo))
            isolated.install(builder.build_system_requires)
            isolated.install(builder.get_requires_for_build("wheel"))
            config = {key: value if isinstance(value, str) else list(value) for key, value in (settings or {}).items()}
            if meson:
                given = config.get("setup-args", [])
                config["setup-args"] = [f"--cross-file={meson_cross_file(work, cc, cxx, ar)}",
                                        *([given] if isinstance(given, str) else given)]
            wheel = Path(builder.build("wheel", outdir, config_settings=config or None))
    except (pypa_build.BuildException, pypa_build.BuildBackendException, subprocess.CalledProcessError) as error:
        raise BuildFailed(f"its build failed: {first_error(lines) if lines else error}",
                          "Run with --verbose to see the build's output; the recipe may need `env` "
                          "(docs/python-native.md).") from None
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if not name.split("/", 1)[0].endswith(".dist-info") and not name.endswith("/"):
                archive.extract(name, tree)
    modules = [_tagged(module) for module in sorted(tree.rglob("*.so"))]
    broken = [m for m in modules if b"dylink.0" not in m.read_bytes()[:64]]
    if not modules or broken:
        failed = next((line.strip() for line in lines if "error" in line.lower()), "")
        what = f"a module that is not a wasm shared library ({broken[0].name})" if broken else "no extension module"
        raise BuildFailed(f"its build produced {what}" + (f"; its output said: {failed}" if failed else ""),
                          "The package's setup.py may treat its C extension as optional and have skipped "
                          "it; run with --verbose to see why the compile failed.")
    return modules
