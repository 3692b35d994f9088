"""The one build pipeline every pack goes through, phase by phase.

resolve (:mod:`.resolve`) -> toolchain (:mod:`.toolchain`) -> stage (:mod:`.stage`) -> render
(:mod:`.render`) -> componentize -> verify -> precompile -> cache (:mod:`.cachekey`, :mod:`.cache`).
Each phase is driven by the pack's manifest (:mod:`.manifest`); nothing here names a framework.
Progress goes to a :class:`~fabricks.report.Reporter`; tools' output is streamed to it with
``verbose`` and kept, so a failing phase can show its tail. Tools may print
``fabricks-error:``, ``fabricks-hint:`` and ``fabricks-warning:`` lines, which become the error
or warnings shown to the user.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, sbom, toolchain
from .cachekey import META_FORMAT, build_key
from .errors import BuildError
from .manifest import Pack
from .placeholders import Placeholders
from .render import read_report, render, template_config
from .report import QuietReporter, Reporter
from .resolve import BuildSpec
from .stage import run_steps, stage_app
from .toolchain import run_tool

# Stands for the app's folder in the warnings a cached build keeps (meta.json).
APP_DIR = "{app_dir}"


@dataclass
class BuildResult:
    """A finished build. ``mounts`` are ``(host folder, guest path)`` the component expects;
    ``outputs`` the staging steps' folders by output name (e.g. ``deps``); ``dependencies``
    what they staged (also in ``directory/sbom.cdx.json``, CycloneDX)."""

    spec: BuildSpec
    directory: Path
    wasm: Path
    cwasm: Path
    mounts: list[tuple[str, str]]
    outputs: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dependencies: list[sbom.Dependencies] = field(default_factory=list)
    cached: bool = False
    seconds: float = 0.0


class Pipeline:
    """Builds one :class:`BuildSpec` into a cached, precompiled component."""

    def __init__(self, spec: BuildSpec, reporter: Reporter | None = None, verbose: bool = False,
                 force: bool = False) -> None:
        self.spec = spec
        self.pack: Pack = spec.pack
        self.reporter = reporter or QuietReporter()
        self.verbose = verbose
        self.force = force
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.reporter.warning(message)

    def _waiting(self, key: str) -> None:
        with self.reporter.phase("cache", f"another build of {key} is running; waiting for it"):
            pass

    # -- phases --------------------------------------------------------------
    def check_toolchain(self) -> dict[str, str]:
        """Every tool's version line, by name. Raises ToolchainError for a missing one."""
        return {tool.name: toolchain.version(tool) for tool in (*self.pack.tools, *toolchain.HOST_TOOLS)}

    def host_location(self, guest_file: str | None, line: int | None) -> tuple[Path | None, int | None]:
        """Map a guest path under the app root (``/0/main.py``) to the user's file."""
        root = self.pack.component.app_root
        if guest_file and root and guest_file.startswith(root.rstrip("/") + "/"):
            return self.spec.app_dir / guest_file[len(root.rstrip("/")) + 1:], line
        return None, None

    def componentize(self, placeholders: Placeholders, glue: Path) -> None:
        """Run ``[build] run``; the entry code's report becomes errors and warnings at the user's lines."""
        try:
            run_tool(placeholders.command(self.pack.build.run), phase="componentize", error=BuildError,
                     reporter=self.reporter, verbose=self.verbose, cwd=Path(placeholders.values["stage"]),
                     warn=self.warn)
        except BuildError:
            report = read_report(self.spec, glue)
            if report and report.get("error"):
                found = report["error"]
                path, line = self.host_location(found.get("file"), found.get("line"))
                raise BuildError(found["message"], hint=found.get("hint"), path=path, line=line) from None
            raise
        report = read_report(self.spec, glue) or {}
        for found in report.get("warnings", []):
            path, line = self.host_location(found.get("file"), found.get("line"))
            where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
            self.warn(f"{where}{found['message']}. {found.get('hint') or ''}".strip())

    def verify(self, wasm: Path) -> None:
        """Raises BuildError unless the component exports every ``[pack] exports`` interface."""
        tool = toolchain.require(toolchain.INSPECTOR)
        text = run_tool([str(tool), "component", "wit", str(wasm)], phase="verify", error=BuildError,
                        reporter=QuietReporter(), verbose=False)
        exported = {line.split()[1].rstrip(";") for line in text.splitlines() if line.strip().startswith("export ")}
        for required in self.pack.exports:
            if not any(e == required or e.startswith(required + "@") for e in exported):
                raise BuildError(f"the component does not export {required}",
                                 hint=f"It exports: {', '.join(sorted(exported)) or 'nothing'}. "
                                      f"Check the pack's template and world ({self.pack.manifest}).")

    def precompile(self, wasm: Path, cwasm: Path) -> None:
        """Compile ahead of time for the host (``fabricks-host compile``), so instances start fast.
        Functions an earlier build compiled (the same interpreter or engine) come from the
        per-machine cache of compiled functions: a Python or Node component in a third of the CPU."""
        tool = toolchain.require(toolchain.HOST)
        run_tool([str(tool), "compile", str(wasm), str(cwasm), "--cache", str(cache.root() / "compiled-functions")],
                 phase="precompile", error=BuildError,
                 reporter=self.reporter, verbose=self.verbose)

    # -- the whole pipeline --------------------------------------------------
    def run(self) -> BuildResult:
        """Build (or reuse) the component. Raises a FabricksError subclass on failure."""
        started = time.monotonic()
        spec, reporter = self.spec, self.reporter
        with reporter.phase("toolchain", ", ".join(t.name for t in self.pack.tools)):
            versions = self.check_toolchain()
        placeholders = Placeholders(spec)
        with reporter.phase("stage", "dependencies"):
            outputs = run_steps(spec, placeholders, reporter, verbose=self.verbose, force=self.force)
        key = build_key(spec, versions, {name: k for name, (_, k) in outputs.items()}, placeholders)
        dependencies = sbom.collect([folder for folder, _ in outputs.values()])
        final = cache.root() / "builds" / key
        meta_path = final / "meta.json"
        # One build of a key at a time on this machine: a second process waits, then reuses it.
        with cache.locked(f"build-{key}", on_wait=lambda: self._waiting(key)):
            cached = meta_path.is_file() and not self.force
            if cached:
                meta = json.loads(meta_path.read_text())
                with reporter.phase("cache", f"unchanged, reusing {key}"):
                    pass
                for message in meta.get("warnings", []):
                    self.warn(message.replace(APP_DIR, str(spec.app_dir)))
                dependencies += sbom.collect([final / "stage" / "glue"])
                mounts = [tuple(m) for m in meta["mounts"]]
            else:
                mounts = self._build(key, final, placeholders, outputs, versions, dependencies)
        return BuildResult(spec, final, final / "component.wasm", final / "component.cwasm", mounts,
                           {n: f for n, (f, _) in outputs.items()}, self.warnings, dependencies, cached=cached,
                           seconds=time.monotonic() - started)

    def _build(self, key: str, final: Path, placeholders: Placeholders, outputs: dict[str, tuple[Path, str]],
               versions: dict[str, str], dependencies: list[sbom.Dependencies]) -> list[tuple[str, str]]:
        """Stage, render, componentize, verify and precompile into a temporary folder, then publish
        it as ``final``; returns the component's mounts. ``dependencies`` gains what the build
        command resolved itself. Nothing is left behind when a phase fails."""
        spec, reporter, values = self.spec, self.reporter, placeholders.values
        tmp = cache.tmp_dir(f"build-{spec.name}-")
        try:
            stage = tmp / "stage"
            values.update(stage=str(stage), app=str(stage / "app"), glue=str(stage / "glue"),
                          output=str(tmp / "component.wasm"))
            for name, (folder, _) in outputs.items():
                values[name] = str(folder)
            with reporter.phase("stage", "sources"):
                (stage / "app").mkdir(parents=True)
                stage_app(spec, stage / "app")
            with reporter.phase("render", ", ".join(self.pack.template.files)):
                render(spec, stage / "glue", template_config(spec))
            with reporter.phase("componentize", spec.pack.name):
                self.componentize(placeholders, stage / "glue")
            dependencies += sbom.collect([stage / "glue"])  # what the build command resolved itself
            with reporter.phase("verify", ", ".join(self.pack.exports)):
                self.verify(tmp / "component.wasm")
            with reporter.phase("precompile", "fabricks-host compile"):
                self.precompile(tmp / "component.wasm", tmp / "component.cwasm")
            with reporter.phase("cache", key):
                mounts = []
                for folder, guest in self.pack.component.mounts:
                    host = final / "stage" / folder if folder in ("app", "glue") else Path(values[folder])
                    mounts.append((str(host), guest))
                meta = {"key": key, "name": spec.name, "pack": spec.pack.name, "framework": spec.framework,
                        "app": spec.app, "mounts": mounts, "versions": versions,
                        # Copies of one app share a build: each is shown its own files.
                        "warnings": [w.replace(str(spec.app_dir), APP_DIR) for w in self.warnings],
                        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
                sbom.write(tmp / sbom.SBOM, spec.name, spec.version or "0", dependencies)
                if self.force and final.exists():  # else publish() keeps the old build, as it would another's
                    shutil.rmtree(final)
                cache.publish(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return [tuple(m) for m in mounts]

def build(spec: BuildSpec, reporter: Reporter | None = None, *, verbose: bool = False,
          force: bool = False) -> BuildResult:
    """Build ``spec`` through the pipeline (cached). See :class:`Pipeline`."""
    return Pipeline(spec, reporter, verbose=verbose, force=force).run()


__all__ = ["APP_DIR", "META_FORMAT", "BuildResult", "Pipeline", "build"]
