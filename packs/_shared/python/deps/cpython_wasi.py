"""The component's interpreter, as a native extension module sees it: componentize-py's
CPython 3.14 for wasm32-wasi.

componentize-py links extension modules it finds in its ``-p`` folders (files named
``*.cpython-314-wasm32-wasi.so`` that are wasm shared libraries: a ``dylink.0`` section,
``env.memory`` imported) against its own ``libc.so`` (wasi-libc, position-independent)
and ``libpython3.14.so``, which its wheel carries zstd-compressed inside
``componentize_py.abi3.so`` (componentize-py 0.25: ``build.rs``, ``src/prelink.rs``). An
extension must be linked against that very ``libc.so``; Debian's wasi-libc is static and
not position-independent, so wasm-ld rejects it for ``--shared``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import re
import tarfile
from pathlib import Path

PYTHON_VERSION = "3.14"
EXT_SUFFIX = ".cpython-314-wasm32-wasi.so"
WHEEL_TAG = "cp314-cp314-wasi_0_0_0_wasm32"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
SYSCONFIGDATA = "_sysconfigdata__wasi_wasm32-wasi"

# PyO3's interpreter config for cross builds (pyo3-build-config's ``PYO3_CONFIG_FILE``
# keys), matching componentize-py's own ``pyo3-config.txt`` and the sysconfigdata of its
# CPython (``Py_GIL_DISABLED 0``, ``Py_DEBUG 0``, ``SIZEOF_VOID_P 4``). The build script
# emits no link lines: Python's symbols stay imports, resolved when componentize-py links.
PYO3_CONFIG = f"""\
implementation=CPython
version={PYTHON_VERSION}
shared=true
abi3=false
lib_name=python{PYTHON_VERSION}
pointer_width=32
build_flags=
suppress_build_script_link_lines=true
"""


class InterpreterMissing(Exception):
    """componentize-py, or the libraries expected inside it, were not found; ``args[0]`` says which."""


def componentize_py_version() -> str:
    """The installed componentize-py's version (the libraries differ between releases)."""
    try:
        return importlib.metadata.version("componentize-py")
    except importlib.metadata.PackageNotFoundError:
        raise InterpreterMissing("componentize-py is not installed in this interpreter") from None


def _embedded(binary: bytes):
    """Yield each zstd frame of ``binary``, decompressed (wasm modules, the stdlib tar)."""
    import zstandard  # noqa: PLC0415 - only recipe builds need it

    view = memoryview(binary)
    start = binary.find(ZSTD_MAGIC)
    while start != -1:
        try:
            data = zstandard.ZstdDecompressor().decompressobj().decompress(view[start:])
        except zstandard.ZstdError:
            data = b""
        if data:
            yield data
        start = binary.find(ZSTD_MAGIC, start + 4)


def _embedded_modules(binary: bytes):
    """Yield each zstd frame of ``binary`` that decompresses to a wasm module."""
    yield from (data for data in _embedded(binary) if data.startswith(b"\0asm"))


def _binary() -> tuple[Path, bytes]:
    spec = importlib.util.find_spec("componentize_py")
    locations = (spec.submodule_search_locations if spec else None) or []
    binaries = [p for loc in locations for p in Path(loc).glob("componentize_py*.so")]
    if not binaries:
        raise InterpreterMissing("componentize-py's native module (componentize_py*.so) was not found")
    return binaries[0], binaries[0].read_bytes()


def cpython_version(cache: Path) -> str:
    """The CPython release componentize-py embeds (``"3.14.0"``), read from its libpython once
    per componentize-py version and kept as ``cpython-version.txt`` beside ``libc.so``.

    Raises InterpreterMissing when libpython isn't found or names no single release.
    """
    kept = cache / "cpython-wasi" / componentize_py_version() / "cpython-version.txt"
    if kept.is_file():
        return kept.read_text().strip()
    path, binary = _binary()
    for module in _embedded_modules(binary):
        if b"Py_Initialize" in module and b"dylink.0" in module[:64]:
            found = set(re.findall(rb"\b(3\.14\.\d+)\b", module))
            if len(found) == 1:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_text(found.pop().decode() + "\n")
                return kept.read_text().strip()
    raise InterpreterMissing(f"no libpython naming one CPython {PYTHON_VERSION} release inside {path}")


def build_time_vars(cache: Path) -> dict:
    """The ``build_time_vars`` of componentize-py's ``_sysconfigdata__wasi_wasm32-wasi.py``
    (configure's and the Makefile's values for its CPython), kept as ``sysconfigdata.py`` beside
    ``libc.so``. Raises InterpreterMissing when its stdlib holds no such file."""
    folder = cache / "cpython-wasi" / componentize_py_version()
    kept = folder / "sysconfigdata.py"
    if not kept.is_file():
        path, binary = _binary()
        for data in _embedded(binary):
            if data[257:262] != b"ustar":
                continue
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                names = [n for n in tar.getnames() if n.rsplit("/", 1)[-1] == f"{SYSCONFIGDATA}.py"]
                if names:
                    folder.mkdir(parents=True, exist_ok=True)
                    tmp = kept.with_suffix(".tmp")
                    tmp.write_bytes(tar.extractfile(names[0]).read())
                    tmp.replace(kept)
                    break
        else:
            raise InterpreterMissing(f"no {SYSCONFIGDATA}.py in the standard library inside {path}")
    namespace: dict = {}
    exec(compile(kept.read_text(), str(kept), "exec"), namespace)  # noqa: S102 - componentize-py's own file
    return namespace["build_time_vars"]


# How each library a module links against is told apart among the embedded modules (all
# position-independent: a dylink.0 section first): by names only it has.
LIBRARIES = {
    "libc.so": lambda m: b"__wasilibc_" in m and b"Py_Initialize" not in m and b"_ZNSt3__" not in m,
    "libc++.so": lambda m: m.count(b"_ZNSt3__") > 100 and b"Py_Initialize" not in m,
    "libc++abi.so": lambda m: b"__cxa_guard_acquire" in m and b"_ZNSt3__" not in m and b"Py_Initialize" not in m,
}


def link_libraries(cache: Path) -> Path:
    """A folder holding componentize-py's ``libc.so``, ``libc++.so`` and ``libc++abi.so``
    (wasi-sdk's, position-independent), extracted once per componentize-py version: what an
    extension module links against, so that it shares them with the interpreter.

    ``cache``: a per-machine cache folder. Returns ``cache/cpython-wasi/<version>``, which
    also holds ``pyo3-config.txt``. Raises InterpreterMissing when a library isn't found.
    """
    folder = cache / "cpython-wasi" / componentize_py_version()
    if all((folder / name).is_file() for name in (*LIBRARIES, "pyo3-config.txt")):
        return folder
    path, binary = _binary()
    shared = [m for m in _embedded_modules(binary) if b"dylink.0" in m[:64]]
    folder.mkdir(parents=True, exist_ok=True)
    for name, test in LIBRARIES.items():
        module = next((m for m in shared if test(m)), None)
        if module is None:
            raise InterpreterMissing(f"no position-independent {name} inside {path}")
        tmp = folder / f"{name}.tmp"
        tmp.write_bytes(module)
        tmp.replace(folder / name)
    (folder / "pyo3-config.txt").write_text(PYO3_CONFIG)
    return folder
