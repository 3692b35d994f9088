"""The one build pipeline every pack goes through.

resolve -> toolchain -> stage -> render -> componentize -> verify -> precompile
-> cache. Each phase is driven by the pack's manifest; nothing here names a
framework. Progress goes to a :class:`Reporter` (the CLI renders it with rich);
tools' output is streamed to it with ``verbose`` and kept, so a failing phase can
show its tail. Tools may print ``fabricks-error:``, ``fabricks-hint:`` and
``fabricks-warning:`` lines, which become the error or warnings shown to the user.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol

from . import __version__, cache, sbom, toolchain
from .errors import BuildError, FabricksError, StageError
from .packs import Pack, Step
from .resolve import BuildSpec
from .resources import builtin_packs_dir, wit_dir

# Stands for the app's folder in the warnings a cached build keeps (meta.json).
APP_DIR = "{app_dir}"
# What a cached build's meta.json holds; a new format makes new keys (builds made before are not read).
META_FORMAT = 2
TAIL_LINES = 30


class Reporter(Protocol):
    """Receives the pipeline's progress. All methods may be no-ops."""

    def phase(self, name: str, detail: str = "") -> contextlib.AbstractContextManager:
        """A context for one phase; exits with the phase's exception, if any."""

    def output(self, line: str) -> None:
        """One line of a tool's output (called only when verbose)."""

    def warning(self, message: str) -> None:
        """Something the user should know that does not stop the build."""


class QuietReporter:
    """A Reporter that shows nothing (tests, library use)."""

    @contextlib.contextmanager
    def phase(self, name: str, detail: str = "") -> Iterator[None]:
        yield

    def output(self, line: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass


@dataclass
class BuildResult:
    """A finished build. ``mounts`` are ``(host folder, guest path)`` the component expects;
    ``outputs`` the staging steps' folders by output name (e.g. ``deps``); ``dependencies``
    what they staged (also in ``directory/sbom.cdx.json``, CycloneDX)."""

    spec: BuildSpec
    key: str
    directory: Path
    wasm: Path
    cwasm: Path
    mounts: list[tuple[str, str]]
    outputs: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dependencies: list[sbom.Dependencies] = field(default_factory=list)
    cached: bool = False
    seconds: float = 0.0


def run_tool(command: list[str], *, phase: str, error: type[FabricksError], reporter: Reporter,
             verbose: bool, cwd: Path | None = None) -> str:
    """Run ``command``; return its combined output. Raises ``error`` on a non-zero exit.

    ``fabricks-warning:`` lines go to ``reporter.warning``; on failure, the
    ``fabricks-error:``/``fabricks-hint:`` lines become the message, else the
    output's last TAIL_LINES lines are attached.
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
            reporter.warning(line.removeprefix("fabricks-warning: "))
        elif verbose:
            reporter.output(line)
    code = proc.wait()
    text = "\n".join(lines)
    if code != 0:
        message, hint = toolchain.failure_said(lines)
        if message:
            raise error(message, hint=hint)
        raise error(f"{phase} failed: `{Path(command[0]).name}` exited with status {code}",
                    hint="Run again with --verbose to see the tool's whole output.",
                    output="\n".join(lines[-TAIL_LINES:]))
    return text


class Placeholders:
    """``{name}`` substitution in manifest commands: ``{tool:X}``, ``{option:X}`` and plain names."""

    def __init__(self, spec: BuildSpec, values: dict[str, str]) -> None:
        self.spec, self.values = spec, values

    def expand(self, text: str) -> str:
        out = text
        for name, value in self.values.items():
            out = out.replace("{" + name + "}", value)
        while "{tool:" in out:
            start = out.index("{tool:")
            end = out.index("}", start)
            tool = next((t for t in self.spec.pack.tools if t.name == out[start + 6:end]), None)
            if tool is None:
                raise BuildError(f"{self.spec.pack.manifest}: {{tool:{out[start + 6:end]}}} names no [[tools]] entry")
            out = out[:start] + str(toolchain.require(tool)) + out[end + 1:]
        while "{option:" in out:
            start = out.index("{option:")
            end = out.index("}", start)
            value = self.spec.options.get(out[start + 8:end])
            out = out[:start] + ("" if value is None else str(value)) + out[end + 1:]
        return out

    def command(self, parts: tuple[str, ...]) -> list[str]:
        return [self.expand(p) for p in parts]


def _hash_inputs(hasher: cache.Hasher, label: str, paths: list[str]) -> None:
    """Hash each declared input by content; an absent one (an optional manifest, an unset
    option) by its position only, so copies of an app in other folders share the key."""
    for index, raw in enumerate(paths):
        path = Path(raw)
        if raw and path.is_dir():
            hasher.tree(f"{label}{index}", path)
        elif raw and path.is_file():
            hasher.file(f"{label}{index}", path)
        else:
            hasher.value(f"{label}{index}", "absent")


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

    # -- helpers -------------------------------------------------------------
    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.reporter.warning(message)

    def excluded_dirs(self) -> list[Path]:
        """Granted read-write folders are mounted live, never copied or hashed."""
        out = []
        for entry in self.spec.capabilities.read_write:
            host = entry.split("::", 1)[0]
            out.append(Path(host) if Path(host).is_absolute() else self.spec.app_dir / host)
        return out

    def base_values(self) -> dict[str, str]:
        return {"python": sys.executable, "pack": str(self.pack.root), "packs": str(builtin_packs_dir()),
                "wit": str(wit_dir()), "world": self.pack.world, "name": self.spec.name,
                "source": str(self.spec.app_dir), "cache": str(cache.root()), "app_spec": self.spec.app}

    # -- phases --------------------------------------------------------------
    def check_toolchain(self) -> dict[str, str]:
        versions = {}
        for tool in (*self.pack.tools, *toolchain.HOST_TOOLS):
            versions[tool.name] = toolchain.version(tool)
        return versions

    def step_outputs(self, values: dict[str, str]) -> dict[str, tuple[Path, str]]:
        """Run (or reuse) each staging step; returns ``{output name: (folder, key)}``."""
        outputs: dict[str, tuple[Path, str]] = {}
        placeholders = Placeholders(self.spec, values)
        for step in self.pack.steps:
            if step.when and not self.spec.options.get(step.when):
                empty = cache.root() / "steps" / "empty"
                empty.mkdir(parents=True, exist_ok=True)
                outputs[step.output] = (empty, "empty")
                continue
            outputs[step.output] = self.run_step(step, placeholders)
        return outputs

    def run_step(self, step: Step, placeholders: Placeholders) -> tuple[Path, str]:
        hasher = cache.Hasher().value("run", step.run).value("python", sys.version_info[:2])
        _hash_inputs(hasher, "input", [placeholders.expand(i) for i in step.inputs])
        key = hasher.hexdigest()
        final = cache.root() / "steps" / f"{step.name}-{key}"
        if final.is_dir() and not self.force:
            return final, key
        tmp = cache.tmp_dir(f"step-{step.name}-")
        try:
            placeholders.values["output"] = str(tmp)
            run_tool(placeholders.command(step.run), phase=step.name, error=StageError,
                     reporter=self.reporter, verbose=self.verbose, cwd=self.spec.app_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            placeholders.values.pop("output", None)
        if final.exists():
            shutil.rmtree(final)
        return cache.publish(tmp, final), key

    def cache_key(self, versions: dict[str, str], step_keys: dict[str, str]) -> str:
        spec = self.spec
        hasher = (cache.Hasher().value("fabricks", __version__).value("meta", META_FORMAT)
                  .value("versions", sorted(versions.items()))
                  .value("spec", (spec.name, spec.language, spec.framework, spec.app))
                  .value("options", sorted((k, self.portable(v)) for k, v in spec.options.items()))
                  .value("env", spec.capabilities.env).value("network", spec.capabilities.network)
                  .value("steps", sorted(step_keys.items())))
        # Copies of one app share builds, unless the pack bakes the app's location in
        # (a pack that maps panic locations to the user's files through {source}).
        if any("{source}" in part for part in (*self.pack.build_run, *(a for s in self.pack.steps for a in s.run))):
            hasher.value("source", str(spec.app_dir))
        hasher.tree("pack", self.pack.root).tree("wit", wit_dir())
        for rel in self.pack.template_copy:  # may live outside the pack (shared runtime code)
            hasher.tree(f"copy/{rel}", self.pack.copy_source(rel))
        for arg in self.pack.build_run:  # a shared build script: its folder (modules, lockfile)
            script = builtin_packs_dir() / arg.removeprefix("{packs}/")
            if arg.startswith("{packs}/") and script.is_file():
                hasher.tree(f"tool/{arg}", script.parent)
        hasher.tree("app", spec.app_dir, exclude=self.excluded_dirs())
        return hasher.hexdigest()

    def portable(self, value: object) -> str:
        """An option's value for the cache key: a path inside the app folder, relative to it."""
        if isinstance(value, Path) and value.is_relative_to(self.spec.app_dir):
            return value.relative_to(self.spec.app_dir).as_posix()
        return str(value)

    def stage_app(self, target: Path) -> None:
        excluded = {p.resolve() for p in self.excluded_dirs()}
        for path in cache.tree_files(self.spec.app_dir, excluded):
            dest = target / path.relative_to(self.spec.app_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)

    def render(self, glue: Path, config: dict) -> None:
        glue.mkdir(parents=True, exist_ok=True)
        for rel in self.pack.template_copy:
            source = self.pack.copy_source(rel)
            shutil.copytree(source, glue / source.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        variables = {"name": self.spec.name, "app": self.spec.app, "framework": self.spec.framework}
        for rel in self.pack.template_files:
            source = self.pack.root / rel
            try:
                text = string.Template(source.read_text()).substitute(variables)
            except (KeyError, ValueError) as error:
                raise BuildError(f"template {rel} uses an unknown placeholder: {error}", path=self.pack.manifest,
                                 hint=f"Templates may use ${{{'}, ${'.join(variables)}}}.") from None
            (glue / source.name).write_text(text)
        (glue / self.pack.config_file).write_text(json.dumps(config, indent=2))

    def template_config(self) -> dict:
        spec = self.spec
        settings = spec.pack.runtime_settings(spec.framework)
        config = {k: v for k, v in settings.items()}
        for key, value in spec.options.items():
            if isinstance(value, list):
                config[key] = config.get(key, []) + value
            elif isinstance(value, Path):
                config[key] = str(value)
            else:
                config[key] = value
        config.update(name=spec.name, app=spec.app, framework=spec.framework,
                      app_root=self.pack.serve.get("app_root", "/"),
                      env=[e.partition("=")[0] for e in spec.capabilities.env],
                      network=list(spec.capabilities.network))
        return config

    def read_report(self, glue: Path) -> dict | None:
        if not self.pack.report_file:
            return None
        path = glue / self.pack.report_file
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except ValueError:
            return None

    def host_location(self, guest_file: str | None, line: int | None) -> tuple[Path | None, int | None]:
        """Map a guest path under the app root (``/0/main.py``) to the user's file."""
        root = self.pack.serve.get("app_root")
        if guest_file and root and guest_file.startswith(root.rstrip("/") + "/"):
            return self.spec.app_dir / guest_file[len(root.rstrip("/")) + 1:], line
        return None, None

    def componentize(self, values: dict[str, str], glue: Path) -> None:
        placeholders = Placeholders(self.spec, values)
        try:
            run_tool(placeholders.command(self.pack.build_run), phase="componentize", error=BuildError,
                     reporter=self.reporter, verbose=self.verbose, cwd=Path(values["stage"]))
        except BuildError:
            report = self.read_report(glue)
            if report and report.get("error"):
                found = report["error"]
                path, line = self.host_location(found.get("file"), found.get("line"))
                raise BuildError(found["message"], hint=found.get("hint"), path=path, line=line) from None
            raise
        report = self.read_report(glue) or {}
        for found in report.get("warnings", []):
            path, line = self.host_location(found.get("file"), found.get("line"))
            where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
            self.warn(f"{where}{found['message']}. {found.get('hint') or ''}".strip())

    def verify(self, wasm: Path) -> None:
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
        tool = toolchain.require(toolchain.HOST)
        run_tool([str(tool), "compile", str(wasm), str(cwasm)], phase="precompile", error=BuildError,
                 reporter=self.reporter, verbose=self.verbose)

    # -- the whole pipeline --------------------------------------------------
    def run(self) -> BuildResult:
        """Build (or reuse) the component. Raises a FabricksError subclass on failure."""
        started = time.monotonic()
        spec, reporter = self.spec, self.reporter
        with reporter.phase("toolchain", ", ".join(t.name for t in self.pack.tools)):
            versions = self.check_toolchain()
        values = self.base_values()
        with reporter.phase("stage", "dependencies"):
            outputs = self.step_outputs(values)
        key = self.cache_key(versions, {name: k for name, (_, k) in outputs.items()})
        dependencies = sbom.collect([folder for folder, _ in outputs.values()])
        final = cache.root() / "builds" / key
        meta_path = final / "meta.json"
        if meta_path.is_file() and not self.force:
            meta = json.loads(meta_path.read_text())
            with reporter.phase("cache", f"unchanged, reusing {key}"):
                pass
            for message in meta.get("warnings", []):
                self.warn(message.replace(APP_DIR, str(spec.app_dir)))
            dependencies += sbom.collect([final / "stage" / "glue"])
            return BuildResult(spec, key, final, final / "component.wasm", final / "component.cwasm",
                               [tuple(m) for m in meta["mounts"]], {n: f for n, (f, _) in outputs.items()},
                               self.warnings, dependencies, cached=True, seconds=time.monotonic() - started)

        tmp = cache.tmp_dir(f"build-{spec.name}-")
        try:
            stage = tmp / "stage"
            values.update(stage=str(stage), app=str(stage / "app"), glue=str(stage / "glue"),
                          output=str(tmp / "component.wasm"))
            for name, (folder, _) in outputs.items():
                values[name] = str(folder)
            with reporter.phase("stage", "sources"):
                (stage / "app").mkdir(parents=True)
                self.stage_app(stage / "app")
            with reporter.phase("render", ", ".join(self.pack.template_files)):
                self.render(stage / "glue", self.template_config())
            with reporter.phase("componentize", spec.pack.name):
                self.componentize(values, stage / "glue")
            dependencies += sbom.collect([stage / "glue"])  # what the build command resolved itself
            with reporter.phase("verify", ", ".join(self.pack.exports)):
                self.verify(tmp / "component.wasm")
            with reporter.phase("precompile", "fabricks-host compile"):
                self.precompile(tmp / "component.wasm", tmp / "component.cwasm")
            with reporter.phase("cache", key):
                mounts = []
                for folder, guest in self.pack.serve.get("mounts", []):
                    host = final / "stage" / folder if folder in ("app", "glue") else Path(values[folder])
                    mounts.append((str(host), guest))
                meta = {"key": key, "name": spec.name, "pack": spec.pack.name, "framework": spec.framework,
                        "app": spec.app, "mounts": mounts, "versions": versions,
                        # Copies of one app share a build: each is shown its own files.
                        "warnings": [w.replace(str(spec.app_dir), APP_DIR) for w in self.warnings],
                        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
                sbom.write(tmp / sbom.SBOM, spec.name, str(spec.options.get("version") or "0"), dependencies)
                if self.force and final.exists():  # else publish() keeps the old build, as it would another's
                    shutil.rmtree(final)
                cache.publish(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return BuildResult(spec, key, final, final / "component.wasm", final / "component.cwasm",
                           [tuple(m) for m in mounts], {n: f for n, (f, _) in outputs.items()},
                           self.warnings, dependencies, seconds=time.monotonic() - started)


def build(spec: BuildSpec, reporter: Reporter | None = None, *, verbose: bool = False,
          force: bool = False) -> BuildResult:
    """Build ``spec`` through the pipeline (cached). See :class:`Pipeline`."""
    return Pipeline(spec, reporter, verbose=verbose, force=force).run()


__all__ = ["BuildResult", "Pipeline", "QuietReporter", "Reporter", "build", "run_tool"]
