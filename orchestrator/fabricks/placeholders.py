"""``{name}`` placeholders in manifest commands and inputs (the table in docs/packs.md)."""

from __future__ import annotations

import sys

from . import cache, toolchain
from .errors import BuildError
from .resolve import BuildSpec
from .resources import builtin_packs_dir, wit_dir


class Placeholders:
    """Expands ``{tool:X}`` (a ``[[tools]]`` entry's path), ``{option:X}`` (a resolved option,
    empty when unset) and the plain names in ``values``.

    ``values`` starts with :func:`base_values` and grows as the pipeline goes (``{stage}``,
    ``{glue}``, each step's output, ``{output}``).
    """

    def __init__(self, spec: BuildSpec, values: dict[str, str] | None = None) -> None:
        self.spec = spec
        self.values = base_values(spec) if values is None else values

    def expand(self, text: str) -> str:
        """``text`` with every placeholder replaced. Raises BuildError for an unknown ``{tool:X}``."""
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
        """A manifest command (``run``), expanded."""
        return [self.expand(p) for p in parts]


def base_values(spec: BuildSpec) -> dict[str, str]:
    """The placeholders known before anything is staged."""
    return {"python": sys.executable, "pack": str(spec.pack.root), "packs": str(builtin_packs_dir()),
            "wit": str(wit_dir()), "world": spec.pack.world, "name": spec.name,
            "source": str(spec.app_dir), "cache": str(cache.root()), "app_spec": spec.app}
