"""The headers a C or C++ extension module compiles against, for componentize-py's CPython.

A module built for the component is compiled by clang (Debian's clang-22) for
``wasm32-wasip1`` and linked, position-independent, against componentize-py's own
``libc.so`` (cpython_wasi.py). It needs three sets of headers that no Debian package of
bookworm has in a version that matches:

- **wasi-libc and libc++** of an LLVM 22 wasi-sdk (Debian's wasi-libc is from 2022: no
  ``pthread.h``, which ``Python.h`` includes). They come from the npm package
  ``@yowasp/clang``, whose ``llvm-resources.tar`` is a wasi-sdk sysroot; only its
  ``include/`` is used (libraries come from componentize-py, so that the module and the
  interpreter share one libc).
- **CPython's** ``Include/`` at the exact release componentize-py embeds (3.14.0), from the
  CPython repository's tag as the Go module proxy serves it (a checksummed, immutable archive of
  the tag; python.org is one more host these machines may not reach).
- **pyconfig.h** for that interpreter: CPython's ``pyconfig.h.in`` filled in from the
  ``build_time_vars`` of componentize-py's ``_sysconfigdata__wasi_wasm32-wasi.py`` (which
  records every value configure chose), plus the three ``_WASI_EMULATED_*`` macros that
  CPython's configure defines for WASI.

Everything is downloaded once per machine, checked against the hash pinned below, and
assembled under ``<cache>/c-sysroot/<key>``; a half-made folder is never left in place.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
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
# What CPython's configure.ac defines for WASI beyond what sysconfigdata records (names that
# start with an underscore are not parsed into build_time_vars).
WASI_DEFINES = {"_WASI_EMULATED_SIGNAL": 1, "_WASI_EMULATED_GETPID": 1, "_WASI_EMULATED_PROCESS_CLOCKS": 1}
# Libraries that wasi-libc folds into libc itself and wasi-sdk ships as empty archives, so that a
# build's `-lm` or `-lpthread` links; `stdc++` because setup.py files name it for C++ (clang's
# driver links libc++). Each is the 8-byte header of an archive with no members.
EMPTY_ARCHIVES = ("m", "pthread", "rt", "util", "xnet", "resolv", "crypt", "stdc++")
SYSROOT_FORMAT = 2  # bump when the layout below changes


class SysrootError(Exception):
    """A download failed or didn't match its pinned hash; ``args`` = (message, hint)."""


@dataclass(frozen=True)
class Sysroot:
    """An assembled folder: ``root`` is clang's ``--sysroot`` (``include/wasm32-wasip1``,
    ``include/c++/v1``, and ``lib/wasm32-wasip1`` with only empty archives: the libraries are
    componentize-py's); ``python_include`` holds ``Python.h`` and ``pyconfig.h``."""

    root: Path
    python_include: Path


def _download(url: str, algorithm: str, digest: str) -> bytes:
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


def _key(version: str) -> str:
    material = f"{SYSROOT_FORMAT}\0{WASI_SDK_HEADERS}\0{CPYTHON_SOURCES[version]}\0" \
               f"{cpython_wasi.componentize_py_version()}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def assemble(cache: Path) -> Sysroot:
    """The sysroot for this componentize-py, assembled now unless ``cache`` has it.

    Raises SysrootError (message, hint) for a failed download, and cpython_wasi.InterpreterMissing
    when componentize-py or its CPython can't be read.
    """
    version = cpython_wasi.cpython_version()
    if version not in CPYTHON_SOURCES:
        raise SysrootError(f"componentize-py {cpython_wasi.componentize_py_version()} embeds CPython {version}, "
                           "whose headers c_sysroot.py has no pinned source for",
                           "Add the CPython tag's archive and hash to CPYTHON_SOURCES in c_sysroot.py.")
    folder = cache / "c-sysroot" / _key(version)
    done = Sysroot(folder, folder / "python" / "include" / f"python{cpython_wasi.PYTHON_VERSION}")
    if (done.python_include / "pyconfig.h").is_file():
        return done
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".assemble-") as tmp:
        work = Path(tmp) / "sysroot"
        with tarfile.open(fileobj=io.BytesIO(_download(*WASI_SDK_HEADERS))) as npm:
            resources = npm.extractfile("package/gen/llvm-resources.tar").read()
        with tarfile.open(fileobj=io.BytesIO(resources)) as tar:
            members = [m for m in tar.getmembers()
                       if m.name.startswith(("include/wasm32-wasip1/", "include/c++/")) and (m.isfile() or m.isdir())]
            tar.extractall(work, members=members, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        include = Path(tmp) / "python-include"
        with zipfile.ZipFile(io.BytesIO(_download(*CPYTHON_SOURCES[version]))) as archive:
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
        archives.mkdir(parents=True)
        for name in EMPTY_ARCHIVES:
            (archives / f"lib{name}.a").write_bytes(b"!<arch>\n")
        placed = work / done.python_include.relative_to(folder)
        placed.parent.mkdir(parents=True)
        shutil.move(str(include), str(placed))
        if folder.exists():  # assembled by another process meanwhile
            return done
        work.replace(folder)
    return done
