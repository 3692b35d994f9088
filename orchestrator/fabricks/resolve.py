"""Resolve what to build: the Fabrickfile, then flags over it, then detection.

Produces a :class:`BuildSpec`, recording where each setting came from so the CLI
can print the guess and the Fabrickfile lines that would pin it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fabrickfile
from .detect import detect
from .errors import FabrickfileError, closest
from .fabrickfile import Capabilities, Fabrickfile, HealthCheck, Serve
from .manifest import Pack
from .packs import Registry

@dataclass(frozen=True)
class Flags:
    """Command-line settings; None means "not given"."""

    language: str | None = None
    framework: str | None = None
    app: str | None = None
    name: str | None = None
    env: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    read_write: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildSpec:
    """Everything the pipeline needs, resolved and checked.

    ``options`` holds the pack's declared options (defaults filled in, paths
    absolute); ``origin`` maps ``language``/``framework``/``app`` to
    ``"Fabrickfile"``, ``"flag"`` or ``"detected (<file>)"``; ``include``/``exclude`` the
    Fabrickfile's ``[source]`` globs; ``version`` its ``[info] version``.
    """

    app_dir: Path
    name: str
    pack: Pack
    language: str
    framework: str
    app: str
    options: dict[str, Any]
    capabilities: Capabilities
    serve: Serve
    fabrickfile: Path | None
    origin: dict[str, str] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    version: str | None = None
    health_check: HealthCheck | None = None

    @property
    def guessed(self) -> bool:
        return any(v.startswith("detected") for v in self.origin.values())

    def pin_snippet(self) -> str:
        """Fabrickfile lines that pin the resolved language, framework and app."""
        return (f'[from]\nsource = "{self.language}"\n\n[{self.language}]\n'
                f'framework = "{self.framework}"\napp = "{self.app}"\n')


def _check_options(ff: Fabrickfile, pack: Pack, table: dict[str, Any], app_dir: Path) -> dict[str, Any]:
    language = pack.language
    options: dict[str, Any] = {}
    for key, value in table.items():
        if key in ("framework", "app"):
            continue
        option = pack.options.get(key)
        if option is None:
            known = ["framework", "app", *pack.options]
            raise ff.error(f"unknown key for the {pack.name} pack{closest(key, known)} (known: {', '.join(known)})",
                           language, key)
        expected = {"path": str, "string": str, "list": list, "bool": bool, "int": int}[option.type]
        if not isinstance(value, expected) or (option.type == "int" and isinstance(value, bool)):
            raise ff.error(f"must be a {option.type}, not {type(value).__name__}", language, key,
                           hint=option.help or None)
        if option.type == "list" and not all(isinstance(v, str) for v in value):
            raise ff.error("must be an array of strings", language, key)
        if option.type == "path":
            path = (app_dir / value).resolve()
            if not path.is_file():
                raise ff.error(f"{value!r} does not exist in {app_dir}", language, key,
                               hint="Paths are relative to the app folder.")
            value = path
        options[key] = value
    for key, option in pack.options.items():
        options.setdefault(key, option.default)
    return options


def resolve(app_dir: Path, registry: Registry, flags: Flags = Flags()) -> BuildSpec:
    """Resolve the build for the app in ``app_dir``.

    Raises FabrickfileError when the folder, Fabrickfile or flags are invalid or
    leave the language, framework or app undecidable; PackError-free: an unknown
    framework is a FabrickfileError naming the known ones.
    """
    app_dir = app_dir.resolve()
    if not app_dir.is_dir():
        raise FabrickfileError(f"{app_dir} is not a folder", hint="Pass the folder that holds the app's code.")
    languages = registry.languages()
    ff = fabrickfile.load(app_dir, languages) or Fabrickfile(path=None)
    origin: dict[str, str] = {}

    def pick(key: str, flag_value, file_value):
        if flag_value:
            origin[key] = "flag"
            return flag_value
        if file_value:
            origin[key] = "Fabrickfile"
            return file_value
        return None

    language = pick("language", flags.language, ff.source)
    if language is None and len(ff.language_tables) == 1:
        language = pick("language", None, next(iter(ff.language_tables)))
    if language is not None and language not in languages:
        if origin["language"] == "flag":
            raise FabrickfileError(f"--lang {language!r} is not a language any pack serves",
                                   hint=f"Known languages: {', '.join(languages)}.")
        raise ff.error(f"{language!r} is not a language any pack serves (known: {', '.join(languages)})",
                       "from", "source")
    table = ff.language_tables.get(language, {}) if language else {}
    for key in ("framework", "app"):
        if key in table and not isinstance(table[key], str):
            raise ff.error("must be a string", language, key)
    framework = pick("framework", flags.framework, table.get("framework"))
    app = pick("app", flags.app, table.get("app"))

    if framework and language and registry.find(language, framework) is None:
        known = ", ".join(registry.frameworks(language))
        if origin["framework"] == "flag":
            raise FabrickfileError(f"--framework {framework!r} is not served by any {language} pack",
                                   hint=f"Known {language} frameworks: {known}.")
        raise ff.error(f"unknown framework {framework!r} (known for {language}: {known})", language, "framework",
                       hint="Or add a pack that serves it: see docs/packs.md.")

    if language is None or framework is None or app is None:
        guess = detect(app_dir, registry, language, framework)
        if guess is None:
            missing = [k for k, v in (("language", language), ("framework", framework), ("app", app)) if v is None]
            where = f" in {ff.path}" if ff.path else ""
            raise FabrickfileError(
                f"could not tell the {', '.join(missing)} of the app in {app_dir}{where}",
                hint="Write a Fabrickfile with [from] source and a language table with framework and app, "
                     "or pass --lang, --framework and --app (`fabricks packs list` shows the frameworks). "
                     "See docs/fabrickfile.md.")
        rel = guess.file.relative_to(app_dir)
        for key, value in (("language", guess.pack.language), ("framework", guess.framework), ("app", guess.app)):
            if key not in origin:
                origin[key] = f"detected ({rel})"
        language = language or guess.pack.language
        framework = framework or guess.framework
        app = app or guess.app

    pack = registry.find(language, framework)
    if pack is None:  # framework came from detection in another language's pack
        raise FabrickfileError(f"no pack serves {framework!r} apps in {language}",
                               hint=f"Known {language} frameworks: {', '.join(registry.frameworks(language))}.")
    if not pack.app_pattern.match(app):
        if origin["app"] == "flag":
            raise FabrickfileError(f"--app {app!r} is not of the form {pack.app_example!r}",
                                   hint="Give the module and the attribute that holds the app.")
        raise ff.error(f"{app!r} is not of the form {pack.app_example!r}", language, "app",
                       hint="Give the module and the attribute that holds the app.")
    options = _check_options(ff, pack, table, app_dir)
    caps = ff.capabilities
    capabilities = Capabilities(env=caps.env + flags.env, read=caps.read + flags.read,
                                read_write=caps.read_write + flags.read_write, network=caps.network)
    for entry in capabilities.read + capabilities.read_write:
        host = entry.split("::", 1)[0]
        host_path = host if Path(host).is_absolute() else app_dir / host
        if not Path(host_path).is_dir():
            raise ff.error(f"{host!r} is not a folder", "capabilities", "filesystem",
                           hint="Granted paths are folders, relative to the app folder or absolute.") \
                if ff.path else FabrickfileError(f"granted folder {host!r} does not exist")
    name = flags.name or ff.name or app_dir.name
    return BuildSpec(app_dir=app_dir, name=name, pack=pack, language=language, framework=framework, app=app,
                     options=options, capabilities=capabilities, serve=ff.serve, fabrickfile=ff.path,
                     origin=origin, include=ff.include, exclude=ff.exclude, version=ff.version,
                     health_check=ff.health_check)
