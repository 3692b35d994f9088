"""The Node packs' JavaScript toolchain (componentize-js, esbuild, TypeScript, the polyfills), at
the versions package-lock.json pins: where it is, and its installation on first use.

In a checkout, ``make setup`` npm-installs it into ``node_modules`` beside this file. Fabricks
installed as a tool (a wheel, through pipx or ``uv tool install``) ships no ``node_modules``: the
first build npm-installs the lockfile into the user's cache (``<cache>/node-toolchain/<lockfile
hash>``, once per lockfile) and links it here as ``node_modules``, so build.mjs and esbuild resolve
it as Node always resolves packages.

``python toolchain.py check`` prints one version line, or ``fabricks-error:``/``fabricks-hint:``
lines and exits 1; progress goes to stderr. With ``FABRICKS_NO_INSTALL=1`` (``fabricks doctor``)
nothing is installed: the line says what the first build will install.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK = HERE / "package-lock.json"
MODULES = HERE / "node_modules"
COMPLETE = ".fabricks-complete"  # written last into an installed cache copy
SHOWN = ("@bytecodealliance/componentize-js", "esbuild", "typescript")


def fail(message: str, hint: str) -> None:
    print(f"fabricks-error: {message}")
    print(f"fabricks-hint: {hint}")
    sys.exit(1)


def pinned() -> dict[str, str]:
    """The lockfile's versions of the packages the version line shows."""
    packages = json.loads(LOCK.read_text()).get("packages", {})
    return {name: packages.get(f"node_modules/{name}", {}).get("version", "?") for name in SHOWN}


def version_line(prefix: str = "") -> str:
    return prefix + ", ".join(f"{name.rsplit('/', 1)[-1]} {v}" for name, v in pinned().items())


def install(target: Path) -> None:
    """npm-install the lockfile into ``target`` (through a temporary folder renamed into place)."""
    npm = shutil.which("npm")
    if npm is None:
        fail("npm was not found on PATH: the Node packs' toolchain is installed with it",
             "Install Node.js 20 or newer with npm (https://nodejs.org or your distribution's nodejs and npm packages).")
    print(f"installing the Node packs' toolchain ({version_line()}) from {LOCK} into {target}, once "
          "(about a minute)", file=sys.stderr, flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".install-", dir=target.parent))
    try:
        shutil.copy2(HERE / "package.json", tmp / "package.json")
        shutil.copy2(LOCK, tmp / "package-lock.json")
        # As `make setup` does: --no-save keeps the lockfile; no install script is needed.
        with open(tmp / "npm.log", "w") as log:
            code = subprocess.call([npm, "install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"],
                                   cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
        if code != 0:
            tail = "\n".join((tmp / "npm.log").read_text(errors="replace").splitlines()[-15:])
            print(tail, file=sys.stderr)
            fail(f"npm could not install the Node packs' toolchain (exit {code})",
                 "Check the network or the npm registry settings (~/.npmrc), then build again.")
        (tmp / "node_modules" / COMPLETE).write_text(LOCK.name)
        try:
            tmp.rename(target)
        except OSError:  # another build installed it meanwhile
            if not (target / "node_modules" / COMPLETE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def link(target: Path) -> None:
    """Point ``node_modules`` here at ``target`` (replacing an older link atomically)."""
    tmp = HERE / f".node_modules-{os.getpid()}"
    try:
        tmp.symlink_to(target, target_is_directory=True)
        os.replace(tmp, MODULES)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        fail(f"could not link {MODULES} to the installed toolchain: {error}",
             "Install Fabricks where your user can write (pipx install, uv tool install, or a virtual environment).")


def check() -> None:
    if MODULES.is_dir() and not MODULES.is_symlink():  # a checkout's `make setup`
        if not (MODULES / ".package-lock.json").is_file():
            fail(f"{MODULES} is incomplete", "Run `make setup` in the Fabricks checkout.")
        print(version_line())
        return
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]
    from fabricks.cache import root  # this runs on Fabricks' own Python ({python})

    target = root() / "node-toolchain" / digest
    if not (target / "node_modules" / COMPLETE).is_file():
        if os.environ.get("FABRICKS_NO_INSTALL"):
            print(version_line("not installed yet: the first Node build npm-installs "))
            return
        install(target)
    if not MODULES.is_symlink() or MODULES.resolve() != (target / "node_modules").resolve():
        link(target / "node_modules")
    print(version_line())


if __name__ == "__main__":
    if sys.argv[1:] != ["check"]:
        sys.exit("usage: toolchain.py check")
    check()
