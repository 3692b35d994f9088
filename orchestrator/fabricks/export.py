"""Deployment manifests for engines beyond one machine: Spin, SpinKube and wasmCloud.

Each built service becomes one component of one deployment:

- ``spin``: a ``spin.toml`` (Spin manifest version 2): an HTTP trigger per service
  (its route), each component's ``source`` (the .wasm copied beside the manifest, or a
  pushed artifact's layer by URL and digest), ``allowed_outbound_hosts``,
  ``environment`` and ``files`` from the service's grants.
- ``spinkube``: the same ``spin.toml`` (to be pushed with ``spin registry push``) and a
  ``SpinApp`` (``core.spinkube.dev/v1alpha1``) naming the pushed image.
- ``wasmcloud``: a wasmCloud v2 ``WorkloadDeployment`` (``runtime.wasmcloud.dev/v1alpha1``)
  per service, with its component image and the ``wasi:http/incoming-handler`` host
  interface, in one YAML file.

Planning (:func:`plan`) is pure, so the manifests can be checked without a build;
:func:`write` copies the files and writes the manifests.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ExportError
from .fabrickfile import Capabilities
from .oci import parse_reference, sha256_digest

FORMATS = ("spin", "spinkube", "wasmcloud")
SPINAPP_API = "core.spinkube.dev/v1alpha1"
SPIN_EXECUTOR = "containerd-shim-spin"
WASMCLOUD_API = "runtime.wasmcloud.dev/v1alpha1"
DEFAULT_REPLICAS = 2


@dataclass(frozen=True)
class Component:
    """One service to deploy, as much of its build as a manifest needs.

    ``mounts`` are the ``(host folder, guest path)`` pairs the component expects (a pack's
    staged files); ``app_root`` where the app's own folder appears inside it; ``route``
    the HTTP route it answers under (None: not given); ``network`` the hosts it may call.
    """

    name: str
    wasm: Path
    app_dir: Path
    capabilities: Capabilities = Capabilities()
    mounts: tuple[tuple[str, str], ...] = ()
    app_root: str = "/"
    route: str | None = None
    network: tuple[str, ...] = ()

    @classmethod
    def from_build(cls, result: Any, route: str | None = None) -> "Component":
        """From a :class:`~fabricks.pipeline.BuildResult`; ``route`` overrides ``[serve] route``."""
        spec = result.spec
        network = spec.capabilities.network
        route = route or spec.serve.route
        if route and not route.endswith("/..."):  # a Fabrickfile's route is a mount point: all under it
            route = route.rstrip("/") + "/..."
        return cls(name=spec.name, wasm=Path(result.wasm), app_dir=spec.app_dir, capabilities=spec.capabilities,
                   mounts=tuple((str(h), g) for h, g in result.mounts),
                   app_root=spec.pack.component.app_root, route=route,
                   network=network)


@dataclass
class Plan:
    """What :func:`write` puts in the output folder: ``documents`` by file name (a dict is
    written as TOML or YAML by its suffix, a list of dicts as a multi-document YAML),
    ``copies`` as ``(source, path relative to the folder)``, and ``warnings`` for the user."""

    format: str
    documents: dict[str, Any] = field(default_factory=dict)
    copies: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def spin_id(name: str) -> str:
    """``name`` as a Spin component id (kebab-case: lowercase letters and digits in
    words joined by ``-``, starting with a letter)."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    text = "-".join(words) or "app"
    return text if text[0].isalpha() else "app-" + text


def k8s_name(name: str) -> str:
    """``name`` as a Kubernetes object name (RFC 1123 label: at most 63 characters)."""
    return spin_id(name)[:63].rstrip("-")


def parse_assignments(values: list[str] | tuple[str, ...], names: list[str], option: str) -> dict[str, str]:
    """``NAME=VALUE`` entries (or one bare ``VALUE`` when there is one service) by service name.

    Raises ExportError for a name that is no exported service's, or a bare value with
    several services.
    """
    out: dict[str, str] = {}
    for value in values:
        name, eq, rest = value.partition("=")
        if eq and name in names:
            out[name] = rest
        elif eq and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise ExportError(f"{option} {value!r} names {name!r}, which is not one of the services exported "
                              f"({', '.join(names)})")
        elif len(names) == 1:
            out[names[0]] = value
        else:
            raise ExportError(f"{option} {value!r} does not say which service it is for",
                              hint=f"With several services, write {option} NAME=VALUE (services: {', '.join(names)}).")
    return out


def environment(component: Component, environ: dict[str, str], warnings: list[str]) -> dict[str, str]:
    """The component's granted environment: ``NAME=value`` grants as written; a bare
    ``NAME`` with its value from ``environ`` now (the manifest then holds that value:
    a warning says so), skipped with a warning when unset."""
    env: dict[str, str] = {}
    for entry in component.capabilities.env:
        name, eq, value = entry.partition("=")
        if eq:
            env[name] = value
        elif name in environ:
            env[name] = environ[name]
            warnings.append(f"{component.name}: {name} is granted without a value; the manifest holds its value "
                            "from this environment at export time (a secret belongs in the engine's secrets instead)")
        else:
            warnings.append(f"{component.name}: {name} is granted but not set in this environment; "
                            "the manifest leaves it out")
    return env


def _routes(components: list[Component]) -> dict[str, str]:
    if len(components) == 1:
        return {components[0].name: components[0].route or "/..."}
    missing = [c.name for c in components if not c.route]
    if missing:
        raise ExportError(f"several services share one deployment, so each needs a route; "
                          f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} none",
                          hint="Give one with --route NAME=/prefix/... (a trailing /... matches everything under "
                               "the prefix), e.g. --route api=/api/... --route site=/...")
    routes = {c.name: c.route for c in components}
    for name, route in routes.items():
        if not route.startswith("/"):
            raise ExportError(f"the route {route!r} of {name} does not start with /")
    seen: dict[str, str] = {}
    for name, route in routes.items():
        if route in seen:
            raise ExportError(f"{seen[route]} and {name} both have the route {route!r}",
                              hint="Give each service its own route with --route NAME=/prefix/...")
        seen[route] = name
    return routes


def _files(component: Component, cid: str, warnings: list[str]) -> tuple[list[dict[str, str]], list[tuple[Path, str]]]:
    """Spin ``files`` entries and the folders to copy beside the manifest for them."""
    files, copies = [], []
    for index, (host, guest) in enumerate(component.mounts):
        rel = f"{cid}/files/{index}"
        copies.append((Path(host), rel))
        files.append({"source": rel, "destination": guest})
    app_root = component.app_root.rstrip("/")
    caps = component.capabilities
    for kind, entries in (("read", caps.read), ("read_write", caps.read_write)):
        for entry in entries:
            host, _, guest = entry.partition("::")
            if kind == "read" and not Path(host).is_absolute():
                continue  # inside the app folder: part of the staged app already
            source = Path(host) if Path(host).is_absolute() else component.app_dir / host
            destination = guest or (host if Path(host).is_absolute() else f"{app_root}/{host.strip('/')}")
            rel = f"{cid}/{kind}/{len(copies)}-{source.name or 'root'}"
            copies.append((source, rel))
            files.append({"source": rel, "destination": destination})
            if kind == "read_write":
                warnings.append(f"{component.name}: Spin mounts files read-only, so {destination} is a read-only "
                                "copy of its contents at export time: writes to it fail there (keep state in "
                                "Spin's key-value store or SQLite, or an outside database)")
    return files, copies


def spin_plan(components: list[Component], environ: dict[str, str], images: dict[str, str] | None = None,
              plain_http: bool = False, name: str | None = None) -> Plan:
    """A ``spin.toml`` (Spin manifest version 2) serving every component.

    ``images`` maps a service to its pushed artifact: its ``source`` is then the layer's
    URL in that registry with the layer's digest (Spin checks it), instead of a copy of
    the .wasm. Raises ExportError when several services lack routes or share one.
    """
    images = images or {}
    plan = Plan("spin")
    routes = _routes(components)
    ids = [spin_id(c.name) for c in components]
    if len(set(ids)) != len(ids):
        raise ExportError(f"two services get the same Spin component id: {', '.join(ids)}",
                          hint="Give them distinct [info] name values.")
    manifest: dict[str, Any] = {
        "spin_manifest_version": 2,
        "application": {"name": spin_id(name or "-".join(c.name for c in components)), "version": "0.1.0",
                        "description": "Exported by fabricks"},
        "trigger": {"http": [{"route": routes[c.name], "component": cid} for c, cid in zip(components, ids)]},
        "component": {},
    }
    for component, cid in zip(components, ids):
        if component.name in images:
            ref = parse_reference(images[component.name])
            digest = sha256_digest(component.wasm)
            source: Any = {"url": ref.blob_url(digest, plain_http), "digest": digest}
        else:
            plan.copies.append((component.wasm, f"{cid}.wasm"))
            source = f"{cid}.wasm"
        files, copies = _files(component, cid, plan.warnings)
        plan.copies += copies
        # Spin's entries carry a scheme; a Fabrickfile grant is host:port for any scheme.
        hosts = [h if "://" in h else f"*://{h}" for h in component.network]
        entry: dict[str, Any] = {"source": source, "allowed_outbound_hosts": hosts}
        env = environment(component, environ, plan.warnings)
        if env:
            entry["environment"] = env
        if files:
            entry["files"] = files
        manifest["component"][cid] = entry
    plan.documents["spin.toml"] = manifest
    return plan


def spinkube_plan(components: list[Component], environ: dict[str, str], image: str | None,
                  replicas: int = DEFAULT_REPLICAS, name: str | None = None) -> Plan:
    """``spin.toml`` plus a ``SpinApp`` running the Spin application pushed to ``image``.

    The spin.toml refers to local copies, as ``spin registry push`` wants to package
    them. Raises ExportError when ``image`` is missing or ``replicas`` is not positive.
    """
    if not image:
        raise ExportError("the spinkube format needs the image the cluster pulls: --image REF",
                          hint="Push the Spin application written here with `spin registry push REF` from the "
                               "output folder, and pass the same REF to --image.")
    parse_reference(image)
    if replicas < 1:
        raise ExportError(f"--replicas must be 1 or more, not {replicas}")
    plan = spin_plan(components, environ, name=name)
    plan.format = "spinkube"
    app_name = k8s_name(name or "-".join(c.name for c in components))
    plan.documents["spinapp.yaml"] = {
        "apiVersion": SPINAPP_API,
        "kind": "SpinApp",
        "metadata": {"name": app_name},
        "spec": {"image": image, "replicas": replicas, "executor": SPIN_EXECUTOR},
    }
    return plan


def wasmcloud_plan(components: list[Component], environ: dict[str, str], images: dict[str, str],
                   replicas: int = DEFAULT_REPLICAS) -> Plan:
    """A wasmCloud v2 ``WorkloadDeployment`` per component, in one ``workloaddeployment.yaml``.

    Each exposes its component through the host's ``wasi:http/incoming-handler``
    interface (routed by the ``Host`` header: ``localhost`` for one service, else
    ``<name>.localhost``). ``images`` (the pushed artifacts) are required: wasmCloud
    pulls components from a registry. Raises ExportError when one is missing.
    """
    missing = [c.name for c in components if c.name not in images]
    if missing:
        raise ExportError(f"the wasmcloud format needs each component's pushed image; none for {', '.join(missing)}",
                          hint="Push with `fabricks push APP REF`, then pass --image REF "
                               "(--image NAME=REF for each of several services).")
    if replicas < 1:
        raise ExportError(f"--replicas must be 1 or more, not {replicas}")
    plan = Plan("wasmcloud")
    documents = []
    for component in components:
        parse_reference(images[component.name])
        entry: dict[str, Any] = {"name": spin_id(component.name), "image": images[component.name]}
        resources: dict[str, Any] = {}
        env = environment(component, environ, plan.warnings)
        if env:
            resources["environment"] = env
        if component.network:
            resources["allowedHosts"] = list(component.network)
        if resources:
            entry["localResources"] = resources
        if component.mounts or component.capabilities.read_write or any(
                Path(r.partition("::")[0]).is_absolute() for r in component.capabilities.read):
            plan.warnings.append(f"{component.name}: wasmCloud receives the .wasm only: the folders it is granted or "
                                 "expects (its pack's staged files, granted folders) are not shipped; what the app "
                                 "loaded at build time is in the component's snapshot, files it opens at run time "
                                 "are not")
        host = "localhost" if len(components) == 1 else f"{spin_id(component.name)}.localhost"
        documents.append({
            "apiVersion": WASMCLOUD_API,
            "kind": "WorkloadDeployment",
            "metadata": {"name": k8s_name(component.name)},
            "spec": {"replicas": replicas, "template": {"spec": {
                "hostSelector": {"hostgroup": "default"},
                "components": [entry],
                "hostInterfaces": [{"namespace": "wasi", "package": "http", "interfaces": ["incoming-handler"],
                                    "config": {"host": host}}],
            }}},
        })
    plan.documents["workloaddeployment.yaml"] = documents
    return plan


def plan(format: str, components: list[Component], *, environ: dict[str, str] | None = None,
         images: list[str] | tuple[str, ...] = (), replicas: int = DEFAULT_REPLICAS, name: str | None = None,
         plain_http: bool = False) -> Plan:
    """The manifests of ``format`` (one of :data:`FORMATS`) for ``components``.

    ``images``: ``--image`` values (``REF``, or ``NAME=REF`` per service). ``environ``
    (default: this process's environment) gives bare ``NAME`` env grants their values.
    Raises ExportError for an unknown format or what the format's plan refuses.
    """
    if format not in FORMATS:
        raise ExportError(f"unknown format {format!r}", hint=f"Known formats: {', '.join(FORMATS)}.")
    if not components:
        raise ExportError("no service to export")
    environ = dict(os.environ) if environ is None else environ
    names = [c.name for c in components]
    if len(set(names)) != len(names):
        raise ExportError(f"two services are named alike ({', '.join(names)})",
                          hint="Give each a distinct [info] name.")
    if format == "spinkube":
        if len(images) > 1 or (images and "=" in images[0] and images[0].partition("=")[0] in names):
            raise ExportError("the spinkube format takes one --image: the Spin application's, for all its services")
        return spinkube_plan(components, environ, images[0] if images else None, replicas, name)
    assigned = parse_assignments(images, names, "--image")
    if format == "spin":
        return spin_plan(components, environ, assigned, plain_http, name)
    return wasmcloud_plan(components, environ, assigned, replicas)


def write(plan: Plan, out_dir: Path) -> list[Path]:
    """Write ``plan`` into ``out_dir`` (created; files of an earlier export replaced).

    Returns the manifests written. Raises ExportError when a file can't be copied or written.
    """
    import tomli_w  # noqa: PLC0415
    import yaml  # noqa: PLC0415

    written = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for source, rel in plan.copies:
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():
                shutil.rmtree(target)
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copyfile(source, target)
        for filename, document in plan.documents.items():
            path = out_dir / filename
            if filename.endswith(".toml"):
                path.write_text(tomli_w.dumps(document))
            elif isinstance(document, list):
                path.write_text(yaml.safe_dump_all(document, sort_keys=False))
            else:
                path.write_text(yaml.safe_dump(document, sort_keys=False))
            written.append(path)
    except OSError as error:
        raise ExportError(f"could not write the export into {out_dir}: {error}") from None
    return written


__all__ = ["Component", "DEFAULT_REPLICAS", "FORMATS", "Plan", "environment", "parse_assignments", "plan",
           "spin_plan", "spinkube_plan", "wasmcloud_plan", "write"]
