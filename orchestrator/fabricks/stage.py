"""The stage phase: each ``[[steps]]`` command into a cached folder, then a copy of the app.

A step's folder is kept per machine under ``steps/<name>-<key>``, keyed by its command and the
content of its declared ``inputs`` (:func:`hash_inputs`): an app whose manifests did not change
reuses its installed dependencies.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from . import cache
from .errors import StageError
from .manifest import Step
from .placeholders import Placeholders
from .report import Reporter
from .resolve import BuildSpec
from .toolchain import run_tool


def hash_inputs(hasher: cache.Hasher, label: str, paths: list[str]) -> None:
    """Hash each declared input (a file or a folder) by content; an absent one (an optional
    manifest, an unset option) by its position only, so copies of an app in other folders
    share the key."""
    for index, raw in enumerate(paths):
        path = Path(raw)
        if raw and path.is_dir():
            hasher.tree(f"{label}{index}", path)
        elif raw and path.is_file():
            hasher.file(f"{label}{index}", path)
        else:
            hasher.value(f"{label}{index}", "absent")


def excluded_dirs(spec: BuildSpec) -> list[Path]:
    """Granted read-write folders: mounted live, never copied or hashed."""
    out = []
    for entry in spec.capabilities.read_write:
        host = entry.split("::", 1)[0]
        out.append(Path(host) if Path(host).is_absolute() else spec.app_dir / host)
    return out


def glob_pattern(pattern: str) -> re.Pattern:
    """A ``[source]`` glob as a regex over posix paths relative to the app folder: ``**`` spans
    folders, ``*`` and ``?`` stay within one; a pattern without ``/`` matches a name at any
    depth, and a folder matches everything under it (as .gitignore reads them)."""
    anchored = "/" in pattern.rstrip("/")
    out = "" if anchored else "(?:.*/)?"
    body = pattern.strip("/")
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif body.startswith("**", i):
            out, i = out + ".*", i + 2
        elif body[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif body[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(body[i]), i + 1
    return re.compile(out + "(?:/.*)?")


def app_files(spec: BuildSpec) -> list[Path]:
    """The app's files, staged and hashed: cache.tree_files (no VCS, venv or build folders, no
    granted read-write folder), narrowed by the Fabrickfile's ``[source] include``, less its
    ``exclude``."""
    files = cache.tree_files(spec.app_dir, excluded_dirs(spec))
    include = [glob_pattern(p) for p in spec.include]
    exclude = [glob_pattern(p) for p in spec.exclude]
    if not include and not exclude:
        return files
    out = []
    for path in files:
        rel = path.relative_to(spec.app_dir).as_posix()
        if rel == "Fabrickfile" or ((not include or any(p.fullmatch(rel) for p in include))
                                    and not any(p.fullmatch(rel) for p in exclude)):
            out.append(path)
    return out


def stage_app(spec: BuildSpec, target: Path) -> None:
    """Copy the app's files (:func:`app_files`) into ``target``."""
    for path in app_files(spec):
        dest = target / path.relative_to(spec.app_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)


def run_steps(spec: BuildSpec, placeholders: Placeholders, reporter: Reporter, *, verbose: bool = False,
              force: bool = False) -> dict[str, tuple[Path, str]]:
    """Run (or reuse) each staging step; returns ``{output name: (folder, key)}``. A step whose
    ``when`` option is unset gets an empty folder. Raises StageError when a step fails."""
    outputs: dict[str, tuple[Path, str]] = {}
    for step in spec.pack.steps:
        if step.when and not spec.options.get(step.when):
            empty = cache.root() / "steps" / "empty"
            empty.mkdir(parents=True, exist_ok=True)
            outputs[step.output] = (empty, "empty")
            continue
        outputs[step.output] = run_step(step, spec, placeholders, reporter, verbose=verbose, force=force)
    return outputs


def run_step(step: Step, spec: BuildSpec, placeholders: Placeholders, reporter: Reporter, *,
             verbose: bool = False, force: bool = False) -> tuple[Path, str]:
    """One step: its cached folder and key, built into a temporary folder first (nothing
    half-written is left behind when it fails)."""
    hasher = cache.Hasher().value("run", step.run).value("python", sys.version_info[:2])
    hash_inputs(hasher, "input", [placeholders.expand(i) for i in step.inputs])
    key = hasher.hexdigest()
    final = cache.root() / "steps" / f"{step.name}-{key}"
    if final.is_dir() and not force:
        return final, key

    def waiting() -> None:
        with reporter.phase(step.name, "another build is staging the same inputs; waiting for it"):
            pass

    with cache.locked(f"step-{step.name}-{key}", on_wait=waiting):
        if final.is_dir() and not force:
            return final, key
        tmp = cache.tmp_dir(f"step-{spec.name}-{step.name}-")
        try:
            placeholders.values["output"] = str(tmp)
            run_tool(placeholders.command(step.run), phase=step.name, error=StageError,
                     reporter=reporter, verbose=verbose, cwd=spec.app_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            placeholders.values.pop("output", None)
        if final.exists():
            shutil.rmtree(final)
        return cache.publish(tmp, final), key
