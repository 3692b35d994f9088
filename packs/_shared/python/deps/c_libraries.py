"""C libraries that a recipe's package links into its extension module, built first from their
sources: libyaml for PyYAML's ``_yaml``, a libffi for cffi's ``_cffi_backend``.

A recipe names them in ``[[recipe.c-library]]`` tables (docs/python-native.md)::

    [[recipe.c-library]]
    name = "yaml"                       # makes libyaml.a; the package's -lyaml finds it
    url = "http://deb.debian.org/debian/pool/main/liby/libyaml/libyaml_0.2.5.orig.tar.gz"
    sha256 = "fa240dbf..."              # of the archive: a release tarball, pinned
    sources = ["src/*.c"]               # globs, relative to the archive's top folder
    include = ["include"]               # header folders the package's build then sees
    cflags = ["-DYAML_VERSION_MAJOR=0"] # what the library's own build system would define

or, instead of ``url`` and ``sha256``, ``source = "../../native/libffi-wasi"``: a folder of
Fabricks' own, relative to the recipe file.

Each library is compiled with the build's own ``cc`` (c_sysroot.compilers: position-independent
wasm32, the sysroot's headers) into a static archive under ``<prefix>/lib`` with its headers
under ``<prefix>/include``; the package's build then sees that prefix (``-I``/``-L`` in its
compiler wrappers), and the module links the archive's objects in: nothing is loaded at run time.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import c_sysroot
from build_run import BuildFailed


@dataclass(frozen=True)
class CLibrary:
    """One ``[[recipe.c-library]]`` table: ``name`` (``lib<name>.a``), either ``url`` and
    ``sha256`` (a tarball) or ``folder`` (Fabricks' own source), ``sources`` (globs of C files),
    ``include`` (header folders), ``cflags`` (compiler arguments for its sources)."""

    name: str
    sources: tuple[str, ...]
    include: tuple[str, ...] = ()
    cflags: tuple[str, ...] = ()
    url: str | None = None
    sha256: str | None = None
    folder: Path | None = None


def parse(table: dict, recipe_file: Path) -> CLibrary:
    """A CLibrary from a recipe's ``[[recipe.c-library]]`` table. Raises KeyError or TypeError
    (which recipes.load reports with the file's name) for a missing or malformed key."""
    if not isinstance(table, dict) or not isinstance(table["name"], str) or not table.get("sources"):
        raise TypeError("a [[recipe.c-library]] needs `name` and `sources`")
    if ("source" in table) == ("url" in table) or ("url" in table and "sha256" not in table):
        raise TypeError(f"c-library {table['name']!r} needs either `source` or `url` with `sha256`")
    return CLibrary(table["name"], tuple(table["sources"]), tuple(table.get("include", ())),
                    tuple(table.get("cflags", ())), table.get("url"), table.get("sha256"),
                    (recipe_file.parent / table["source"]).resolve() if "source" in table else None)


def _tree(library: CLibrary, work: Path) -> Path:
    if library.folder is not None:
        return library.folder
    try:
        data = c_sysroot.download(library.url, "sha256", library.sha256)
    except c_sysroot.SysrootError as error:
        raise BuildFailed(*error.args) from None
    archive = work / Path(library.url).name
    archive.write_bytes(data)
    with tarfile.open(archive) as tar:
        tar.extractall(work / "src", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    roots = [p for p in (work / "src").iterdir() if p.is_dir()]
    return roots[0] if len(roots) == 1 else work / "src"


def build(library: CLibrary, prefix: Path, cc: Path, ar: Path, echo=print) -> None:
    """Compile ``library`` with ``cc`` and archive it with ``ar`` into ``prefix/lib/lib<name>.a``;
    copy its header folders' contents into ``prefix/include``.

    Raises BuildFailed (message, hint) for a failed download (or a hash mismatch), a glob that
    matches nothing, or a compiler error (its first line).
    """
    (prefix / "lib").mkdir(parents=True, exist_ok=True)
    (prefix / "include").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=prefix, prefix=f".{library.name}-") as tmp:
        work = Path(tmp)
        tree = _tree(library, work)
        includes = [tree / folder for folder in library.include]
        objects = []
        for pattern in library.sources:
            files = sorted(glob.glob(str(tree / pattern)))
            if not files:
                raise BuildFailed(f"c-library {library.name}: {pattern!r} matches no file in its source",
                                  "Check the recipe's `sources` against the library's release.")
            for source in files:
                obj = work / f"{len(objects)}-{Path(source).stem}.o"
                argv = [str(cc), "-O2", "-c", source, "-o", str(obj), *library.cflags,
                        *(f"-I{folder}" for folder in includes)]
                proc = subprocess.run(argv, capture_output=True, text=True)
                if proc.returncode != 0:
                    output = (proc.stderr + proc.stdout).splitlines()
                    first = next((line for line in output if "error" in line), output[0] if output else "?")
                    raise BuildFailed(f"c-library {library.name}: compiling {Path(source).name} failed: {first.strip()}",
                                      "The recipe's `cflags` may need the defines the library's own build sets.")
                objects.append(obj)
        echo(f"c-library {library.name}: {len(objects)} object(s)")
        subprocess.run([str(ar), "rcs", str(prefix / "lib" / f"lib{library.name}.a"), *map(str, objects)],
                       check=True, capture_output=True)
        for folder in includes:
            shutil.copytree(folder, prefix / "include", dirs_exist_ok=True)
