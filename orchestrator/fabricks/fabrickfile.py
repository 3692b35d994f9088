"""The Fabrickfile: TOML in the app's folder saying what to build and what to grant.

Tables (all documented in docs/fabrickfile.md):

- ``[info]`` name, version, type
- ``[from]`` source: the app's language (``python``, ``nodejs``, ``rust``)
- ``[<language>]`` framework, app, and the keys the language's pack declares
- ``[capabilities]`` env, filesystem.read, filesystem.read_write, network.connect
- ``[serve]`` port, instance_reuse, concurrency, route

Only the generic tables are checked here; the language table is checked against
the chosen pack's declared options in :mod:`fabricks.resolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _toml
from .errors import FabrickfileError

FILENAME = "Fabrickfile"
GENERIC_TABLES = {"info", "from", "capabilities", "serve"}
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# host:port with * for a whole label or the port (Spin's allowed_outbound_hosts, less the scheme).
NETWORK_ENTRY = re.compile(r"^(\*|[A-Za-z0-9-]+)(\.(\*|[A-Za-z0-9-]+))*:(\*|\d{1,5})$")


@dataclass(frozen=True)
class Capabilities:
    """What the host grants the component at run time.

    ``env``: ``"NAME"`` (the value from the environment `fabricks` runs in) or
    ``"NAME=value"``. ``read`` / ``read_write``: folders, relative to the app
    folder or absolute. ``network``: outbound hosts it may call, ``"host:port"`` with
    ``*`` wildcards (``"api.example.com:443"``, ``"*.internal:8080"``): written into exported
    manifests (Spin's allowed_outbound_hosts); the local host does not restrict calls yet.
    """

    env: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    read_write: tuple[str, ...] = ()
    network: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fabrickfile:
    """A parsed Fabrickfile. ``path`` is None when there was none (flags only)."""

    path: Path | None
    name: str | None = None
    version: str | None = None
    type: str | None = None
    source: str | None = None
    language_tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    capabilities: Capabilities = Capabilities()
    serve: dict[str, Any] = field(default_factory=dict)

    def error(self, message: str, table: str, key: str | None = None, hint: str | None = None) -> FabrickfileError:
        """A FabrickfileError pointing at ``[table] key`` in this file."""
        where = f"`{table}.{key}`" if key else f"[{table}]"
        return FabrickfileError(f"{where}: {message}", hint=hint, path=self.path,
                                line=_toml.find_line(self.path, table, key))


def _strings(ff: Fabrickfile, table: str, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ff.error("must be an array of strings", table, key, hint=f'e.g. {key} = ["data"]')
    return tuple(value)


def _string(ff: Fabrickfile, table: str, key: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ff.error(f"must be a string, not {type(value).__name__}", table, key)
    return value


def load(app_dir: Path, languages: list[str]) -> Fabrickfile | None:
    """Read ``app_dir/Fabrickfile``; None when there is none.

    ``languages`` are the language tables packs provide. Raises FabrickfileError
    for invalid TOML, unknown tables, or keys of the wrong type.
    """
    path = app_dir / FILENAME
    if not path.is_file():
        return None
    data = _toml.load(path, FabrickfileError)
    ff = Fabrickfile(path=path)
    for table, value in data.items():
        if table not in GENERIC_TABLES and table not in languages:
            known = ", ".join(f"[{t}]" for t in sorted(GENERIC_TABLES | set(languages)))
            raise ff.error(f"unknown table (known: {known})", table)
        if not isinstance(value, dict):
            raise ff.error("must be a table", table)
    info, source, caps, serve = (data.get(t, {}) for t in ("info", "from", "capabilities", "serve"))
    for key in info:
        if key not in ("name", "version", "type", "description"):
            raise ff.error("unknown key (known: name, version, type, description)", "info", key)
    for key in source:
        if key != "source":
            raise ff.error("unknown key (known: source)", "from", key)
    for key in caps:
        if key not in ("env", "filesystem", "network"):
            raise ff.error("unknown key (known: env, filesystem.read, filesystem.read_write, network.connect)",
                           "capabilities", key)
    network = caps.get("network", {})
    if not isinstance(network, dict) or any(key != "connect" for key in network):
        raise ff.error("must be a table with connect = [\"host:port\", ...]", "capabilities", "network")
    connect = _strings(ff, "capabilities", "network.connect", network.get("connect"))
    for entry in connect:
        if not NETWORK_ENTRY.match(entry):
            raise ff.error(f"{entry!r} is not host:port (a * may stand for a label or the port)",
                           "capabilities", "network.connect", hint='e.g. connect = ["api.example.com:443", "*.internal:8080"]')
    filesystem = caps.get("filesystem", {})
    if not isinstance(filesystem, dict):
        raise ff.error("must be a table with read and read_write", "capabilities", "filesystem")
    for key in filesystem:
        if key not in ("read", "read_write"):
            raise ff.error("unknown key (known: read, read_write)", "capabilities", f"filesystem.{key}")
    env = _strings(ff, "capabilities", "env", caps.get("env"))
    for entry in env:
        if not ENV_NAME.match(entry.partition("=")[0]):
            raise ff.error(f"{entry!r} is not NAME or NAME=value", "capabilities", "env")
    for key in serve:
        if key not in ("port", "instance_reuse", "concurrency", "route"):
            raise ff.error("unknown key (known: port, instance_reuse, concurrency, route)", "serve", key)
    route = _string(ff, "serve", "route", serve.get("route"))
    if route is not None and not route.startswith("/"):
        raise ff.error(f"{route!r} does not start with /", "serve", "route", hint='e.g. route = "/api/..."')
    for key in ("port", "instance_reuse", "concurrency"):
        if key in serve and (not isinstance(serve[key], int) or isinstance(serve[key], bool) or serve[key] < 0):
            raise ff.error("must be a non-negative integer", "serve", key)
    name = _string(ff, "info", "name", info.get("name"))
    if name is not None and not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", name):
        raise ff.error(f"{name!r} is not a valid service name (letters, digits, . _ -)", "info", "name")
    return Fabrickfile(
        path=path,
        name=name,
        version=_string(ff, "info", "version", info.get("version")),
        type=_string(ff, "info", "type", info.get("type")),
        source=_string(ff, "from", "source", source.get("source")),
        language_tables={k: v for k, v in data.items() if k in languages},
        capabilities=Capabilities(
            env=env,
            read=_strings(ff, "capabilities", "filesystem.read", filesystem.get("read")),
            read_write=_strings(ff, "capabilities", "filesystem.read_write", filesystem.get("read_write")),
            network=connect,
        ),
        serve=dict(serve),
    )
