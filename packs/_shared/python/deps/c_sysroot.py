"""What a C or C++ extension module compiles and links with, for componentize-py's CPython.

A module built for the component is compiled by clang (Debian's clang-22) for
``wasm32-wasip1`` and linked, position-independent, against componentize-py's own
``libc.so`` and ``libc++.so`` (cpython_wasi.py). It needs three sets of headers that no Debian
package of bookworm has in a version that matches:

- **wasi-libc and libc++** of an LLVM 22 wasi-sdk (Debian's wasi-libc is from 2022: no
  ``pthread.h``, which ``Python.h`` includes). They come from the npm package
  ``@yowasp/clang``, whose ``llvm-resources.tar`` is a wasi-sdk sysroot: its ``include/``, and
  the static libraries that configure checks link test programs against (never a module: the
  module and the interpreter share componentize-py's libc).
- **CPython's** ``Include/`` at the exact release componentize-py embeds (3.14.0), from the
  CPython repository's tag as the Go module proxy serves it (a checksummed, immutable archive of
  the tag; python.org is one more host these machines may not reach).
- **pyconfig.h** for that interpreter: CPython's ``pyconfig.h.in`` filled in from the
  ``build_time_vars`` of componentize-py's ``_sysconfigdata__wasi_wasm32-wasi.py`` (which
  records every value configure chose), plus the macros configure defines for WASI that
  sysconfigdata doesn't record (``WASI_DEFINES``).

Beside them: empty archives for ``-lm`` and the like, and ``libfabricks_cxa.a`` (cxa_abort.c),
and :func:`compilers` writes the ``cc``/``c++`` wrappers a build is pointed at.
Everything is downloaded once per machine, checked against the hash pinned below, and
assembled under ``<cache>/c-sysroot/<key>``; a half-made folder is never left in place.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cpython_wasi

# (url, hash algorithm, digest): the npm registry's sha512 integrity, the Go proxy's zip sha256.
WASI_SDK_HEADERS = ("https://registry.npmjs.org/@yowasp/clang/-/clang-22.0.0-git20542-10.tgz", "sha512",
                    "V31/z9GrJECKeACTDUyvg2llbEUiFi3bxtL5HSg7H/6sydSxdI/AoVAD9F5ozrfLjotWl0B9rghR87m+DUM/zg==")
CPYTHON_SOURCES = {
    "3.14.0": ("https://proxy.golang.org/github.com/python/cpython/@v/v3.14.0+incompatible.zip", "sha256",
               "ee8cc1d04b099fe2cda89240f24ca110cc8e150fd32586692fb9c2cdabaa5b0d"),
}
# What CPython 3.14's configure.ac defines for WASI beyond what sysconfigdata records (names
# that start with an underscore are not parsed into build_time_vars): the emulations it links,
# AC_USE_SYSTEM_EXTENSIONS' feature macros, X/Open 7 with POSIX.1-2008 (WASI is not among the
# systems it leaves out), large-file support (off_t is wider than long). Without them an
# extension built with -std=c11 sees no POSIX declarations (fdopen, ftello, SSIZE_MAX).
WASI_DEFINES = {
    "_WASI_EMULATED_SIGNAL": 1, "_WASI_EMULATED_GETPID": 1, "_WASI_EMULATED_PROCESS_CLOCKS": 1,
    "_ALL_SOURCE": 1, "_DARWIN_C_SOURCE": 1, "__EXTENSIONS__": 1, "_GNU_SOURCE": 1,
    "_HPUX_ALT_XOPEN_SOCKET_API": 1, "_NETBSD_SOURCE": 1, "_OPENBSD_SOURCE": 1, "_POSIX_PTHREAD_SEMANTICS": 1,
    "__STDC_WANT_IEC_60559_ATTRIBS_EXT__": 1, "__STDC_WANT_IEC_60559_BFP_EXT__": 1,
    "__STDC_WANT_IEC_60559_DFP_EXT__": 1, "__STDC_WANT_IEC_60559_EXT__": 1,
    "__STDC_WANT_IEC_60559_FUNCS_EXT__": 1, "__STDC_WANT_IEC_60559_TYPES_EXT__": 1,
    "__STDC_WANT_LIB_EXT2__": 1, "__STDC_WANT_MATH_SPEC_FUNCS__": 1, "_TANDEM_SOURCE": 1,
    "_XOPEN_SOURCE": 700, "_XOPEN_SOURCE_EXTENDED": 1, "_POSIX_C_SOURCE": "200809L", "__BSD_VISIBLE": 1,
    "_LARGEFILE_SOURCE": 1, "_FILE_OFFSET_BITS": 64,
}
# wasi-sdk's static libraries, for configure-style checks that link a test program (meson's).
CHECK_LIBRARIES = tuple(f"lib/wasm32-wasip1/{name}" for name in (
    "libc.a", "libc++.a", "libc++abi.a", "crt1.o", "crt1-command.o", "crt1-reactor.o"))
# Libraries that wasi-libc folds into libc itself and wasi-sdk ships as empty archives, so that a
# build's `-lm` or `-lpthread` links; `stdc++` because setup.py files name it for C++ (clang's
# driver links libc++). Each is the 8-byte header of an archive with no members.
EMPTY_ARCHIVES = ("m", "pthread", "rt", "util", "xnet", "resolv", "crypt", "stdc++")
SYSROOT_FORMAT = 4  # bump when the layout below changes
TARGET = "wasm32-wasip1"


class SysrootError(Exception):
    """A download failed or didn't match its pinned hash; ``args`` = (message, hint)."""


@dataclass(frozen=True)
class Sysroot:
    """An assembled folder: ``root`` is clang's ``--sysroot``: ``include/wasm32-wasip1``,
    ``include/c++/v1``, and ``lib/wasm32-wasip1`` with wasi-sdk's static ``libc.a``,
    ``libc++.a``, ``libc++abi.a`` and ``crt1*.o`` (only for the test programs that configure
    steps link and never run: modules link against componentize-py's shared libraries), empty
    archives, and ``libfabricks_cxa.a`` (cxa_abort.c); ``python_include`` holds ``Python.h``
    and ``pyconfig.h``."""

    root: Path
    python_include: Path


def download(url: str, algorithm: str, digest: str) -> bytes:
    """The body at ``url``, checked against its pinned ``algorithm`` (``sha512`` as base64, ``sha256``
    as hex) ``digest``. Raises SysrootError (message, hint) for a failed download or a mismatch."""
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
    except OSError as error:
        raise SysrootError(f"could not download {url}: {error}",
                           "Building C extensions needs these headers once per machine; check the network, "
                           "or copy a <cache>/c-sysroot folder from a machine that has one.") from None
    got = hashlib.new(algorithm, data).digest()
    want = base64.b64decode(digest) if algorithm == "sha512" else bytes.fromhex(digest)
    if got != want:
        raise SysrootError(f"{url} does not match its pinned {algorithm} hash (c_sysroot.py)",
                           "The download was altered or truncated; try again.")
    return data


def pyconfig_h(template: str, build_time_vars: dict) -> str:
    """``pyconfig.h`` from CPython's ``pyconfig.h.in`` (its ``#undef NAME`` lines) and the values
    an interpreter's sysconfigdata recorded: a name recorded as 0, or not at all, stays undefined."""
    def define(match: re.Match) -> str:
        name = match.group(2)
        value = build_time_vars.get(name, WASI_DEFINES.get(name))
        if value in (None, 0, ""):
            return match.group(0)
        return f"{match.group(1)}define {name} {value}"
    return re.sub(r"^([ \t]*#[ \t]*)undef[ \t]+([A-Za-z_][A-Za-z0-9_]*)", define, template, flags=re.M)


def _key(version: str, clang: Path) -> str:
    material = f"{SYSROOT_FORMAT}\0{WASI_SDK_HEADERS}\0{CPYTHON_SOURCES[version]}\0" \
               f"{cpython_wasi.componentize_py_version()}\0{clang}\0" \
               f"{Path(__file__).with_name('cxa_abort.c').read_bytes().hex()}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _compile_cxa(clang: Path, sysroot: Path, archive: Path) -> None:
    obj = archive.with_suffix(".o")
    for argv in ([str(clang), f"--target={TARGET}", f"--sysroot={sysroot}", "-fPIC", "-O2", "-c",
                  str(Path(__file__).with_name("cxa_abort.c")), "-o", str(obj)],
                 [str(clang.with_name(clang.name.replace("clang", "llvm-ar"))), "rcs", str(archive), str(obj)]):
        proc = subprocess.run(argv, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SysrootError(f"{' '.join(argv[:1])} failed: {(proc.stderr.strip().splitlines() or ['?'])[0]}",
                               "Check the C toolchain (`make setup`).")
    obj.unlink()


def compilers(folder: Path, sysroot: Sysroot, libs: Path, clang: Path, clangxx: Path,
              prefixes: tuple[Path, ...] = ()) -> tuple[Path, Path]:
    """Write ``cc`` and ``c++`` into ``folder``: clang for ``wasm32-wasip1`` with this sysroot, as
    setuptools and meson call a compiler. Returns their paths.

    A link with ``-shared`` (an extension module) gets componentize-py's libraries (``libs``),
    position-independent linking without start files, and Python's C API left as imports; other
    links (configure checks) get none of that, so that a missing function is found missing.
    GNU ld's ``--start-group``/``--end-group``, which meson adds, are dropped: wasm-ld has no groups;
    so is ``-pthread`` (CMake's Threads::Threads), which on wasm means a shared memory, which
    componentize-py's single-threaded libc.so refuses at link time.
    C++ gets ``-fexceptions`` (throws call cxa_abort.c's ``__cxa_throw``: the runtime can't catch).
    ``prefixes``: folders of C libraries built for the package (c_libraries.py): their
    ``include/`` for every compile, their ``lib/`` for links.
    """
    includes = "".join(f" -I'{p}/include'" for p in prefixes)
    libdirs = "".join(f" -L'{p}/lib'" for p in prefixes)
    made = []
    for name, compiler, extra in (("cc", clang, ""), ("c++", clangxx, " -fexceptions")):
        script = folder / name
        script.write_text(f"""#!/bin/sh
# {compiler.name} for componentize-py's CPython (wasm32-wasip1), written by c_sysroot.py
shared=
link=1
for arg; do
  shift
  case "$arg" in
    -Wl,--start-group|-Wl,--end-group|-pthread|-pthreads) continue ;;
    -shared) shared=1 ;;
    -c|-E|-S|-M|-MM) link= ;;
  esac
  set -- "$@" "$arg"
done
if [ -n "$shared" ]; then
  set -- -nostartfiles -Wl,--no-entry -Wl,--experimental-pic -Wl,--allow-undefined -L'{libs}' "$@" -lfabricks_cxa
fi
if [ -n "$link" ]; then
  set -- {libdirs} "$@"
fi
exec '{compiler}' --target={TARGET} --sysroot='{sysroot.root}' -fPIC{extra}{includes} "$@"
""")
        script.chmod(0o755)
        made.append(script)
    return made[0], made[1]


def assemble(cache: Path, clang: Path) -> Sysroot:
    """The sysroot for this componentize-py, assembled now unless ``cache`` has it; ``clang``
    compiles its ``libfabricks_cxa.a``.

    Raises SysrootError (message, hint) for a failed download, and cpython_wasi.InterpreterMissing
    when componentize-py or its CPython can't be read.
    """
    version = cpython_wasi.cpython_version(cache)
    if version not in CPYTHON_SOURCES:
        raise SysrootError(f"componentize-py {cpython_wasi.componentize_py_version()} embeds CPython {version}, "
                           "whose headers c_sysroot.py has no pinned source for",
                           "Add the CPython tag's archive and hash to CPYTHON_SOURCES in c_sysroot.py.")
    folder = cache / "c-sysroot" / _key(version, clang)
    done = Sysroot(folder, folder / "python" / "include" / f"python{cpython_wasi.PYTHON_VERSION}")
    if (done.python_include / "pyconfig.h").is_file():
        return done
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".assemble-") as tmp:
        work = Path(tmp) / "sysroot"
        with tarfile.open(fileobj=io.BytesIO(download(*WASI_SDK_HEADERS))) as npm:
            resources = npm.extractfile("package/gen/llvm-resources.tar").read()
        with tarfile.open(fileobj=io.BytesIO(resources)) as tar:
            members = [m for m in tar.getmembers() if (m.isfile() or m.isdir()) and (
                m.name.startswith(("include/wasm32-wasip1/", "include/c++/")) or m.name in CHECK_LIBRARIES)]
            tar.extractall(work, members=members, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        include = Path(tmp) / "python-include"
        with zipfile.ZipFile(io.BytesIO(download(*CPYTHON_SOURCES[version]))) as archive:
            # the top folder's, not PC/pyconfig.h.in (Windows')
            prefix = min((n for n in archive.namelist() if n.endswith("/pyconfig.h.in")), key=len)[:-len("pyconfig.h.in")]
            template = archive.read(prefix + "pyconfig.h.in").decode()
            for name in archive.namelist():
                if name.startswith(prefix + "Include/") and not name.endswith("/"):
                    dest = include / name[len(prefix + "Include/"):]
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(archive.read(name))
        (include / "pyconfig.h").write_text(pyconfig_h(template, cpython_wasi.build_time_vars(cache)))
        archives = work / "lib" / "wasm32-wasip1"
        archives.mkdir(parents=True, exist_ok=True)
        _compile_cxa(clang, work, archives / "libfabricks_cxa.a")
        for name in EMPTY_ARCHIVES:
            (archives / f"lib{name}.a").write_bytes(b"!<arch>\n")
        placed = work / done.python_include.relative_to(folder)
        placed.parent.mkdir(parents=True)
        shutil.move(str(include), str(placed))
        if folder.exists():  # assembled by another process meanwhile
            return done
        work.replace(folder)
    return done
