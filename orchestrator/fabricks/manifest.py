"""The pack manifest model: ``pack.toml``, validated on load (format: docs/packs.md).

A manifest may extend a base manifest, a language library's shared parts
(``[pack] extends = "{packs}/_shared/python/base.toml"``): tables merge key by key and the
pack's values replace the base's, arrays included (a pack that lists ``[[steps]]`` lists them
all). Every key is checked against :data:`SCHEMA`; an unknown key or a value of the wrong type
is a :class:`~fabricks.errors.PackError` naming the file that holds it, its line, and the
closest known key. Nothing here names a framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _toml
from .errors import PackError, closest
from .resources import builtin_packs_dir

OPTION_TYPES = {"path": str, "list": list, "string": str, "bool": bool, "int": int}
FORMAT_HINT = "See docs/packs.md for the manifest format."

# table -> {key: (type, required)}. Tables marked "*" hold one sub-table per name (options.<name>,
# frameworks.<name>); FREE tables are data for the template, passed on as they are.
FREE = None
SCHEMA: dict[str, Any] = {
    "pack": {"name": (str, True), "language": (str, True), "frameworks": (list, True), "world": (str, True),
             "summary": (str, False), "exports": (list, False), "extends": (str, False)},
    "app": {"pattern": (str, False), "example": (str, False)},
    "options": {"*": {"type": (str, True), "default": (object, False), "help": (str, False)}},
    "detect": [{"framework": (str, True), "files": (str, True), "pattern": (str, True), "call": (bool, False),
                "app": (str, False)}],
    "runtime": FREE,
    "frameworks": {"*": FREE},
    "tools": [{"name": (str, True), "check": (list, False), "install": (str, False)}],
    "steps": [{"name": (str, True), "run": (list, True), "output": (str, False), "when": (str, False),
               "inputs": (list, False)}],
    "template": {"files": (list, False), "copy": (list, False), "config": (str, False), "report": (str, False)},
    "build": {"run": (list, True), "inputs": (list, False), "bakes_source_path": (bool, False)},
    "component": {"wasi": (list, False), "app_root": (str, False), "mounts": (list, False)},
}
REQUIRED_TABLES = ("pack", "build")
TYPE_NAMES = {str: "a string", list: "an array", dict: "a table", bool: "true or false", int: "an integer"}


@dataclass(frozen=True)
class Option:
    """A key a pack accepts in its language table; ``type`` is a key of OPTION_TYPES."""

    name: str
    type: str
    default: Any = None
    help: str = ""


@dataclass(frozen=True)
class DetectRule:
    """Guess a framework and ``app`` when files matching ``files`` (a glob) contain ``pattern``.

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

    A check without ``{tool}`` is a script of the pack's (``{python}``, ``{pack}``, ``{packs}``
    expand) that finds and checks a toolchain itself; ``name`` is then only its label.
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

    ``when`` names an option that must be set for the step to run; ``output`` is the placeholder
    name of the folder it fills. The folder is kept per machine, keyed by the command and the
    content of ``inputs`` (files or folders, placeholders expanded).
    """

    name: str
    run: tuple[str, ...]
    output: str
    when: str | None = None
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    """``[template]``: ``files`` rendered with ``${name}`` placeholders into the glue folder,
    ``copy`` folders copied as they are (:meth:`Pack.copy_source`), the build config written
    as JSON to ``config``, and the ``report`` file the entry code may write at build time."""

    files: tuple[str, ...] = ()
    copy: tuple[str, ...] = ()
    config: str = "fabricks-config.json"
    report: str | None = None


@dataclass(frozen=True)
class Build:
    """``[build]``: the command that makes the component; ``inputs`` the files and folders it
    reads besides the pack's own (its scripts, lockfiles), part of the cache key; with
    ``bakes_source_path`` the component holds the app folder's absolute path (e.g. panic
    locations), so copies of an app in two folders get a build each."""

    run: tuple[str, ...]
    inputs: tuple[str, ...] = ()
    bakes_source_path: bool = False


@dataclass(frozen=True)
class Component:
    """``[component]``: what the built component expects of its host. ``wasi`` the interfaces
    beyond wasi:http it imports (``cli``); ``app_root`` where the app's folder appears inside it;
    ``mounts`` ``(staged folder, guest path)`` pairs granted at run time."""

    wasi: tuple[str, ...] = ()
    app_root: str = "/"
    mounts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Pack:
    """A parsed, validated ``pack.toml``. ``root`` is the pack's folder, ``base`` the manifest
    it extends (or None)."""

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
    template: Template
    build: Build
    component: Component
    base: Path | None = None

    @property
    def manifest(self) -> Path:
        return self.root / "pack.toml"

    def copy_source(self, rel: str) -> Path:
        """The folder a ``[template] copy`` entry names: ``{packs}/...`` in the built-in packs (the
        language libraries under ``_shared`` and the built-in bridges, which a pack from another
        folder may reuse too), anything else relative to this pack's folder."""
        return resolve_pack_path(rel, self.root)

    def runtime_settings(self, framework: str) -> dict[str, Any]:
        """The pack's ``[runtime]`` lists extended by ``[frameworks.<framework>]``."""
        merged: dict[str, Any] = {k: list(v) if isinstance(v, list) else v for k, v in self.runtime.items()}
        for key, value in self.framework_settings.get(framework, {}).items():
            if isinstance(value, list):
                merged[key] = merged.get(key, []) + value
            else:
                merged[key] = value
        return merged


def resolve_pack_path(rel: str, root: Path) -> Path:
    """``{packs}/x`` in the built-in packs folder, ``{pack}/x`` or ``x`` in ``root``."""
    if rel.startswith("{packs}/"):
        return builtin_packs_dir() / rel.removeprefix("{packs}/")
    return (root / rel.removeprefix("{pack}/")).resolve()


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


class _Checker:
    """Checks one manifest's data against SCHEMA; errors name the file that holds the key."""

    def __init__(self, files: list[tuple[Path, dict]]) -> None:
        self.files = files  # the pack's manifest first, then its base

    def where(self, table: str, key: str | None) -> tuple[Path, int | None]:
        for path, data in self.files:
            section: Any = data
            for part in table.split("."):
                section = section.get(part) if isinstance(section, dict) else None
            if isinstance(section, list):  # an array of tables
                found = key is None or any(isinstance(e, dict) and key in e for e in section)
            else:
                found = isinstance(section, dict) and (key is None or key.split(".")[0] in section)
            if found:
                return path, _toml.find_line(path, table, key)
        return self.files[0][0], None

    def fail(self, message: str, table: str, key: str | None = None) -> PackError:
        path, line = self.where(table, key)
        where = f"`{table}.{key}`" if key else f"[{table}]"
        return PackError(f"{where} {message}", path=path, line=line, hint=FORMAT_HINT)

    def table(self, name: str, data: Any, schema: dict, path_label: str | None = None) -> None:
        label = path_label or name
        if not isinstance(data, dict):
            raise self.fail("must be a table", label)
        for key, value in data.items():
            if key not in schema:
                raise self.fail(f"is not a known key{closest(key, list(schema))} (known: {', '.join(schema)})",
                                label, key)
            kind, _ = schema[key]
            if kind is not object and (not isinstance(value, kind) or kind is int and isinstance(value, bool)):
                raise self.fail(f"must be {TYPE_NAMES[kind]}", label, key)
            if kind is list and key not in ("mounts",) and not all(isinstance(v, str) for v in value):
                raise self.fail("must be an array of strings", label, key)
        for key, (_, required) in schema.items():
            if required and key not in data:
                raise self.fail("is missing", label, key)

    def check(self, data: dict) -> None:
        for name, value in data.items():
            if name not in SCHEMA:
                raise self.fail(f"is not a known table{closest(name, list(SCHEMA))} "
                                f"(known: {', '.join('[' + t + ']' for t in SCHEMA)})", name)
            schema = SCHEMA[name]
            if schema is FREE:
                if not isinstance(value, dict):
                    raise self.fail("must be a table", name)
            elif isinstance(schema, list):
                if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                    raise self.fail(f"must be an array of tables ([[{name}]])", name)
                for entry in value:
                    self.table(name, entry, schema[0])
            elif "*" in schema:
                if not isinstance(value, dict):
                    raise self.fail("must be a table", name)
                for sub, entry in value.items():
                    if schema["*"] is FREE:
                        if not isinstance(entry, dict):
                            raise self.fail("must be a table", f"{name}.{sub}")
                    else:
                        self.table(name, entry, schema["*"], f"{name}.{sub}")
            else:
                self.table(name, value, schema)
        for name in REQUIRED_TABLES:
            if name not in data:
                raise self.fail("is missing", name)


def _load_data(root: Path) -> tuple[dict, list[tuple[Path, dict]], Path | None]:
    path = root / "pack.toml"
    data = _toml.load(path, PackError)
    files = [(path, data)]
    extends = data.get("pack", {}).get("extends") if isinstance(data.get("pack"), dict) else None
    if extends is None:
        return data, files, None
    if not isinstance(extends, str):
        raise _Checker(files).fail("must be a string", "pack", "extends")
    base_path = resolve_pack_path(extends, root)
    if not base_path.is_file():
        raise PackError(f"`pack.extends`: {base_path} does not exist", path=path,
                        line=_toml.find_line(path, "pack", "extends"), hint=FORMAT_HINT)
    base = _toml.load(base_path, PackError)
    if "extends" in base.get("pack", {}):
        raise PackError("a base manifest may not extend another", path=base_path,
                        line=_toml.find_line(base_path, "pack", "extends"), hint=FORMAT_HINT)
    _Checker([(base_path, base)]).check(_merge({"pack": {"name": "", "language": "", "frameworks": [], "world": ""},
                                                "build": {"run": []}}, base))
    files.append((base_path, base))
    return _merge(base, data), files, base_path


def load_pack(root: Path) -> Pack:
    """Parse and validate ``root/pack.toml`` (and the base manifest it extends).

    Raises PackError naming the file, line and key: TOML syntax, an unknown table or key
    (with the closest known one), a missing required key, a value of the wrong type, an
    invalid regex, an option of an unknown type.
    """
    data, files, base = _load_data(root)
    checker = _Checker(files)
    checker.check(data)
    pack, app, build = data["pack"], data.get("app", {}), data["build"]
    try:
        app_pattern = re.compile(app.get("pattern", r".+"))
    except re.error as error:
        raise checker.fail(f"is not a valid regex: {error}", "app", "pattern") from None
    detect = []
    for rule in data.get("detect", []):
        try:
            compiled = re.compile(rule["pattern"])
        except re.error as error:
            raise checker.fail(f"is not a valid regex: {error}", "detect", "pattern") from None
        detect.append(DetectRule(rule["framework"], rule["files"], compiled, rule.get("call", False),
                                 rule.get("app", "{module}:{attr}")))
    options = {}
    for key, spec in data.get("options", {}).items():
        if spec["type"] not in OPTION_TYPES:
            raise checker.fail(f"must be one of {', '.join(OPTION_TYPES)}", f"options.{key}", "type")
        options[key] = Option(key, spec["type"], spec.get("default"), spec.get("help", ""))
    component = data.get("component", {})
    mounts = component.get("mounts", [])
    if not all(isinstance(m, list) and len(m) == 2 and all(isinstance(p, str) for p in m) for m in mounts):
        raise checker.fail('must be an array of ["staged folder", "/guest/path"] pairs', "component", "mounts")
    template = data.get("template", {})
    frameworks = tuple(pack["frameworks"])
    return Pack(
        name=pack["name"],
        root=root,
        language=pack["language"],
        frameworks=frameworks,
        summary=pack.get("summary", ""),
        world=pack["world"],
        exports=tuple(pack.get("exports", ["wasi:http/incoming-handler"])),
        app_pattern=app_pattern,
        app_example=app.get("example", ""),
        options=options,
        detect=tuple(detect),
        framework_settings={k: v for k, v in data.get("frameworks", {}).items() if k in frameworks},
        runtime=data.get("runtime", {}),
        tools=tuple(Tool(t["name"], tuple(t.get("check", ["{tool}", "--version"])), t.get("install", ""), root)
                    for t in data.get("tools", [])),
        steps=tuple(Step(s["name"], tuple(s["run"]), s.get("output", s["name"]), s.get("when"),
                         tuple(s.get("inputs", []))) for s in data.get("steps", [])),
        template=Template(tuple(template.get("files", [])), tuple(template.get("copy", [])),
                          template.get("config", "fabricks-config.json"), template.get("report")),
        build=Build(tuple(build["run"]), tuple(build.get("inputs", [])), build.get("bakes_source_path", False)),
        component=Component(tuple(component.get("wasi", [])), component.get("app_root", "/"),
                            tuple((m[0], m[1]) for m in mounts)),
        base=base,
    )
