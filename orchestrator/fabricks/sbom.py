"""What went into a component: the dependency reports of its staging steps, as an SBOM.

A pack's staging step may write ``fabricks-dependencies.json`` into its output folder
(docs/packs.md)::

    {"ecosystem": "pypi", "declared_in": "pyproject.toml (uv.lock)",
     "packages": [{"name": "Jinja2", "version": "3.1.6", "source": "index", "purl": "pkg:pypi/jinja2@3.1.6"}]}

``source`` is ``index``, ``recipe`` (built for WASI by Fabricks), ``fallback`` (installed
without its C extension), ``path`` (a local package) or ``fabricks`` (Fabricks' own, in
every component of a pack). The build writes them as a CycloneDX 1.6 JSON
document, ``sbom.cdx.json``, beside the component, through cyclonedx-python-lib.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

REPORT = "fabricks-dependencies.json"
SBOM = "sbom.cdx.json"


@dataclass(frozen=True)
class Dependencies:
    """The packages one step staged, and the manifest they were declared in."""

    ecosystem: str
    declared_in: str
    packages: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        """``"dependencies from pyproject.toml (uv.lock): 14 packages"``."""
        count = len(self.packages)
        return f"dependencies from {self.declared_in}: {count} package{'s' if count != 1 else ''}"


def collect(folders: list[Path]) -> list[Dependencies]:
    """The dependency reports found in ``folders`` (step outputs), in order; unreadable ones are skipped."""
    found = []
    for folder in folders:
        path = folder / REPORT
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text())
            found.append(Dependencies(str(data.get("ecosystem", "")), str(data.get("declared_in", "")),
                                      list(data.get("packages", []))))
        except (ValueError, AttributeError):
            continue
    return found


def write(path: Path, name: str, version: str, reports: list[Dependencies]) -> None:
    """Write a CycloneDX 1.6 JSON SBOM for the component ``name`` to ``path``."""
    from cyclonedx.model import Property  # noqa: PLC0415 - only when a build writes one
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    bom = Bom()
    bom.metadata.component = Component(name=name, version=version, type=ComponentType.APPLICATION,
                                       bom_ref=f"app:{name}")
    seen, components = set(), []
    for report in reports:
        for package in report.packages:
            ref = package.get("purl") or f"{report.ecosystem}:{package['name']}@{package.get('version', '')}"
            if ref in seen:
                continue
            seen.add(ref)
            components.append(Component(
                name=package["name"], version=package.get("version"), type=ComponentType.LIBRARY, bom_ref=ref,
                purl=PackageURL.from_string(package["purl"]) if package.get("purl") else None,
                properties=[Property(name="fabricks:source", value=package.get("source", "index")),
                            Property(name="fabricks:declared_in", value=report.declared_in)],
            ))
    for component in components:
        bom.components.add(component)
    # Flat: the staging steps report what was installed, not who required whom.
    bom.register_dependency(bom.metadata.component, components)
    path.write_text(JsonV1Dot6(bom).output_as_string(indent=2))


__all__ = ["Dependencies", "REPORT", "SBOM", "collect", "write"]
