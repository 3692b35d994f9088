"""The render phase: the pack's template into the glue folder, with the build config as JSON.

``[template] files`` are rendered with ``string.Template`` (``${name}``, ``${app}``,
``${framework}``); ``copy`` folders are copied as they are; the config (docs/packs.md, "The
template config") is what the entry code reads at build time.
"""

from __future__ import annotations

import json
import shutil
import string
from pathlib import Path
from typing import Any

from .errors import BuildError
from .resolve import BuildSpec


def template_config(spec: BuildSpec) -> dict[str, Any]:
    """``[runtime]`` merged with ``[frameworks.<framework>]``, the options (lists extend), and
    name, app, framework, app_root, env (granted names) and network (granted ``host:port``)."""
    config = spec.pack.runtime_settings(spec.framework)
    for key, value in spec.options.items():
        if isinstance(value, list):
            config[key] = config.get(key, []) + value
        elif isinstance(value, Path):
            config[key] = str(value)
        else:
            config[key] = value
    config.update(name=spec.name, app=spec.app, framework=spec.framework,
                  app_root=spec.pack.component.app_root,
                  env=[e.partition("=")[0] for e in spec.capabilities.env],
                  network=list(spec.capabilities.network))
    return config


def render(spec: BuildSpec, glue: Path, config: dict[str, Any]) -> None:
    """Fill ``glue``. Raises BuildError when a template uses an unknown placeholder."""
    pack = spec.pack
    glue.mkdir(parents=True, exist_ok=True)
    for rel in pack.template.copy:
        source = pack.copy_source(rel)
        shutil.copytree(source, glue / source.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    variables = {"name": spec.name, "app": spec.app, "framework": spec.framework}
    for rel in pack.template.files:
        source = pack.root / rel
        try:
            text = string.Template(source.read_text()).substitute(variables)
        except (KeyError, ValueError) as error:
            raise BuildError(f"template {rel} uses an unknown placeholder: {error}", path=pack.manifest,
                             hint=f"Templates may use ${{{'}, ${'.join(variables)}}}.") from None
        (glue / source.name).write_text(text)
    (glue / pack.template.config).write_text(json.dumps(config, indent=2))


def read_report(spec: BuildSpec, glue: Path) -> dict[str, Any] | None:
    """The ``[template] report`` the entry code wrote at build time, or None."""
    if not spec.pack.template.report:
        return None
    path = glue / spec.pack.template.report
    try:
        return json.loads(path.read_text()) if path.is_file() else None
    except ValueError:
        return None
