"""Pack discovery: every folder with a ``pack.toml`` under the pack paths.

Built-in packs (the repository's ``packs/``) load exactly as outside ones do;
``--packs DIR`` or ``FABRICKS_PACKS_PATH`` (``os.pathsep``-separated) add more,
searched first. The manifest format is documented in ``docs/packs.md``; nothing
here names a framework.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _toml
from .errors import PackError
from .resources import builtin_packs_dir

OPTION_TYPES = {"path", "list", "string", "bool", "int"}


@dataclass(frozen=True)
class Option:
    """A key a pack accepts in its language table. ``type`` is one of OPTION_TYPES."""

    name: str
    type: str
    default: Any = None
    help: str = ""


@dataclass(frozen=True)
class DetectRule:
    """Guess a framework and ``app`` when files matching ``files`` contain ``pattern``.

    The pattern's first group is the attribute; ``call`` appends ``()`` (a factory).
    ``app`` formats the guess from ``{module}`` (dotted, as Python imports it), ``{path}``
    (the file, relative to the app folder) and ``{attr}``.
    """

    framework: str
    files: str
    pattern: re.Pattern
    call: bool = False
    app: str = "{module}:{attr}"


@dataclass(frozen=True)
class Tool:
    """An executable a pack needs; ``check`` is run to prove it works.

    A check without ``{tool}`` is a script of the pack's (``{python}``, ``{pack}``, ``{packs}`` expand)
    that finds and checks a toolchain itself; ``name`` is then only its label.
    """

    name: str
    check: tuple[str, ...]
    install: str
    root: Path | None = None

    @property
    def is_script(self) -> bool:
        return "{tool}" not in self.check


@dataclass(frozen=True)
class Step:
    """A staging command run before the build (e.g. installing dependencies).

    ``when`` names an option that must be set for the step to run; ``output`` is
    the placeholder name of the folder it fills; with ``cache``, the folder is
    kept per machine, keyed by the command and the content of ``inputs``.
    """

    name: str
    run: tuple[str, ...]
    output: str
    when: str | None = None
    cache: bool = False
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    """A parsed ``pack.toml``. ``root`` is the pack's folder."""

    name: str
    root: Path
    language: str
    frameworks: tuple[str, ...]
    summary: str
    world: str
    exports: tuple[str, ...]
    app_pattern: re.Pattern
    app_example: str
    options: dict[str, Option]
    detect: tuple[DetectRule, ...]
    framework_settings: dict[str, dict[str, Any]]
    runtime: dict[str, Any]
    tools: tuple[Tool, ...]
    steps: tuple[Step, ...]
    template_files: tuple[str, ...]
    template_copy: tuple[str, ...]
    config_file: str
    report_file: str | None
    build_run: tuple[str, ...]
    serve: dict[str, Any] = field(default_factory=dict)

    @property
    def manifest(self) -> Path:
        return self.root / "pack.toml"

    def copy_source(self, rel: str) -> Path:
        """The folder a ``[template] copy`` entry names: ``{packs}/...`` in the built-in packs (the
        language libraries under ``_shared`` and the built-in bridges, which a pack from another
        folder may reuse too), anything else relative to this pack's folder."""
        if rel.startswith("{packs}/"):
            return builtin_packs_dir() / rel.removeprefix("{packs}/")
        return (self.root / rel).resolve()

    def runtime_settings(self, framework: str) -> dict[str, Any]:
        """The pack's ``[runtime]`` lists extended by ``[frameworks.<framework>]``."""
        merged: dict[str, Any] = {k: list(v) if isinstance(v, list) else v for k, v in self.runtime.items()}
        for key, value in self.framework_settings.get(framework, {}).items():
            if isinstance(value, list):
                merged[key] = merged.get(key, []) + value
            else:
                merged[key] = value
        return merged


def _require(data: dict, key: str, kind: type, path: Path, table: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        expected = {str: "a string", list: "an array", dict: "a table"}[kind]
        where = f"[{key}]" if table == key else f"`{table}.{key}`"
        raise PackError(f"{where} must be {expected}", path=path,
                        line=_toml.find_line(path, table, key),
                        hint="See docs/packs.md for the manifest format.")
    return value


def load_pack(root: Path) -> Pack:
    """Parse ``root/pack.toml``. Raises PackError naming the file and key."""
    path = root / "pack.toml"
    data = _toml.load(path, PackError)
    pack = _require(data, "pack", dict, path, "pack")
    name = _require(pack, "name", str, path, "pack")
    app = data.get("app", {})
    try:
        app_pattern = re.compile(app.get("pattern", r".+"))
        detect = tuple(
            DetectRule(r["framework"], r["files"], re.compile(r["pattern"]), bool(r.get("call", False)),
                       str(r.get("app", "{module}:{attr}")))
            for r in data.get("detect", [])
        )
    except (re.error, KeyError, TypeError) as error:
        raise PackError(f"invalid [app] pattern or [[detect]] rule: {error}", path=path) from None
    options = {}
    for key, spec in data.get("options", {}).items():
        if spec.get("type") not in OPTION_TYPES:
            raise PackError(f"`options.{key}.type` must be one of {sorted(OPTION_TYPES)}", path=path,
                            line=_toml.find_line(path, f"options.{key}", "type"))
        options[key] = Option(key, spec["type"], spec.get("default"), spec.get("help", ""))
    tools = tuple(Tool(t["name"], tuple(t.get("check", ["{tool}", "--version"])), t.get("install", ""), root)
                  for t in data.get("tools", []))
    steps = tuple(Step(s["name"], tuple(s["run"]), s.get("output", s["name"]), s.get("when"),
                       bool(s.get("cache", False)), tuple(s.get("inputs", [])))
                  for s in data.get("steps", []))
    template = data.get("template", {})
    frameworks = tuple(_require(pack, "frameworks", list, path, "pack"))
    world = _require(pack, "world", str, path, "pack")
    build = _require(data, "build", dict, path, "build")
    return Pack(
        name=name,
        root=root,
        language=_require(pack, "language", str, path, "pack"),
        frameworks=frameworks,
        summary=pack.get("summary", ""),
        world=world,
        exports=tuple(pack.get("exports", ["wasi:http/incoming-handler"])),
        app_pattern=app_pattern,
        app_example=app.get("example", ""),
        options=options,
        detect=detect,
        framework_settings={k: v for k, v in data.get("frameworks", {}).items() if k in frameworks},
        runtime=data.get("runtime", {}),
        tools=tools,
        steps=steps,
        template_files=tuple(template.get("files", [])),
        template_copy=tuple(template.get("copy", [])),
        config_file=template.get("config", "fabricks-config.json"),
        report_file=template.get("report"),
        build_run=tuple(_require(build, "run", list, path, "build")),
        serve=data.get("serve", {}),
    )


def pack_paths(extra: list[Path] | None = None) -> list[Path]:
    """Folders searched for packs: ``extra``, then FABRICKS_PACKS_PATH, then the built-ins."""
    paths = list(extra or [])
    env = os.environ.get("FABRICKS_PACKS_PATH")
    if env:
        paths += [Path(p) for p in env.split(os.pathsep) if p]
    paths.append(builtin_packs_dir())
    return paths


class Registry:
    """All discovered packs, keyed by name; looked up by language and framework."""

    def __init__(self, packs: list[Pack]) -> None:
        self.packs = packs

    @classmethod
    def discover(cls, extra: list[Path] | None = None) -> "Registry":
        """Load every ``*/pack.toml`` under the pack paths.

        Raises PackError for an invalid manifest, or two packs with one name in
        the same folder. A pack found earlier in the path shadows a later one.
        """
        found: dict[str, Pack] = {}
        for base in pack_paths(extra):
            if not base.is_dir():
                continue
            here: set[str] = set()
            for manifest in sorted(base.glob("*/pack.toml")):
                pack = load_pack(manifest.parent)
                if pack.name in here:
                    raise PackError(f"two packs named {pack.name!r} in {base}", path=manifest,
                                    hint="Pack names must be unique; rename one in its [pack] table.")
                here.add(pack.name)
                found.setdefault(pack.name, pack)
        return cls(list(found.values()))

    def languages(self) -> list[str]:
        return sorted({p.language for p in self.packs})

    def frameworks(self, language: str | None = None) -> list[str]:
        return sorted({f for p in self.packs if language in (None, p.language) for f in p.frameworks})

    def find(self, language: str, framework: str) -> Pack | None:
        for pack in self.packs:
            if pack.language == language and framework in pack.frameworks:
                return pack
        return None

    def by_name(self, name: str) -> Pack | None:
        return next((p for p in self.packs if p.name == name), None)
