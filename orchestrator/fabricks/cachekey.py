"""The build's cache key: a hash of everything declared to go into the component.

Fabricks' version, the tools' versions, the resolved build (language, framework, app,
options, grants), the staging steps' keys, the pack's folder and the base manifest it extends,
the WIT files, the ``[template] copy`` folders, the ``[build] inputs`` and the app's files. Only
declarations count: a pack reads no file it has not declared. Copies of an app in two folders
share a build unless ``[build] bakes_source_path``.
"""

from __future__ import annotations

from pathlib import Path

from . import __version__, cache
from .placeholders import Placeholders
from .resolve import BuildSpec
from .resources import wit_dir
from .stage import app_files, hash_inputs

# What a cached build's meta.json holds; a new format makes new keys (builds made before are not read).
META_FORMAT = 3


def build_key(spec: BuildSpec, versions: dict[str, str], step_keys: dict[str, str],
              placeholders: Placeholders | None = None) -> str:
    """The 24-hex-digit key of the build of ``spec``; ``versions`` are the tools' version lines,
    ``step_keys`` each staging step's key by output name."""
    pack = spec.pack
    placeholders = placeholders or Placeholders(spec)
    hasher = (cache.Hasher().value("fabricks", __version__).value("meta", META_FORMAT)
              .value("versions", sorted(versions.items()))
              .value("spec", (spec.name, spec.language, spec.framework, spec.app))
              .value("options", sorted((k, _portable(spec, v)) for k, v in spec.options.items()))
              .value("env", spec.capabilities.env).value("network", spec.capabilities.network)
              .value("steps", sorted(step_keys.items())))
    if pack.build.bakes_source_path:
        hasher.value("source", str(spec.app_dir))
    hasher.tree("pack", pack.root).tree("wit", wit_dir())
    if pack.base:
        hasher.file("base", pack.base)
    for rel in pack.template.copy:  # may live outside the pack (shared runtime code)
        hasher.tree(f"copy/{rel}", pack.copy_source(rel))
    hash_inputs(hasher, "build-input", [placeholders.expand(i) for i in pack.build.inputs])
    hasher.files("app", spec.app_dir, app_files(spec))
    return hasher.hexdigest()


def _portable(spec: BuildSpec, value: object) -> str:
    """An option's value for the key: a path inside the app folder, relative to it."""
    if isinstance(value, Path) and value.is_relative_to(spec.app_dir):
        return value.relative_to(spec.app_dir).as_posix()
    return str(value)
