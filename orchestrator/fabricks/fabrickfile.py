"""The Fabrickfile: TOML in the app's folder saying what to build and what to grant.

Tables (all documented in docs/fabrickfile.md); the upstream Fabrickfile's keys that mean
something here are accepted with the same meaning:

- ``fabrick_version`` (top level): the format version, ``"1.0"`` or ``"1"``
- ``[info]`` name, version, type, description, and the informational authors, license,
  homepage, repository, documentation, keywords
- ``[from]`` source: the app's language (``python``, ``nodejs``, ``rust``)
- ``[source]`` path (``"."``), include, exclude: which of the folder's files are the app
- ``[<language>]`` framework, app, and the keys the language's pack declares
- ``[capabilities]`` env, filesystem.read / write / read_write, network.connect /
  allow_all_outbound / listen
- ``[config]`` port, environment (fixed environment variables)
- ``[serve]`` port, instance_reuse, concurrency, route
- ``[health_check.http]`` path, method, expected_status, timeout, interval, retries, port

Only the generic tables are checked here; the language table is checked against the chosen
pack's declared options in :mod:`fabricks.resolve`. An unknown table or key is an error naming
the closest known one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _toml
from .errors import FabrickfileError, closest

FILENAME = "Fabrickfile"
DEFAULT_PORT = 8080
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# host:port with * for a whole label or the port (Spin's allowed_outbound_hosts, less the scheme).
NETWORK_ENTRY = re.compile(r"^(\*|[A-Za-z0-9-]+)(\.(\*|[A-Za-z0-9-]+))*:(\*|\d{1,5})$")
DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m)$")

# table -> key -> expected type ("strings" is an array of strings, "table" a table checked below).
KEYS: dict[str, dict[str, Any]] = {
    "info": {"name": str, "version": str, "type": str, "description": str, "authors": "strings",
             "license": str, "homepage": str, "repository": str, "documentation": str, "keywords": "strings"},
    "from": {"source": str},
    "source": {"path": str, "include": "strings", "exclude": "strings"},
    "capabilities": {"env": "strings", "filesystem": "table", "network": "table"},
    "capabilities.filesystem": {"read": "strings", "write": "strings", "read_write": "strings"},
    "capabilities.network": {"connect": "strings", "allow_all_outbound": bool, "listen": "ints"},
    "config": {"port": "port", "environment": "table"},
    "serve": {"port": "port", "instance_reuse": "count", "concurrency": "count", "route": str},
    "health_check": {"http": "table"},
    "health_check.http": {"path": str, "method": str, "expected_status": int, "timeout": str,
                          "interval": str, "retries": "count", "port": "port"},
}
TOP_LEVEL = {"fabrick_version"}
GENERIC_TABLES = {"info", "from", "source", "capabilities", "config", "serve", "health_check"}
# The upstream [info] type: only HTTP services are built here ("service": this project's old word).
SERVICE_TYPES = ("http", "service")


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
class Serve:
    """How ``fabricks service run`` serves the app: ``port`` on 127.0.0.1; ``instance_reuse``
    requests per instance (0: no limit, as gunicorn's max_requests); ``concurrency`` requests
    in flight (0: no limit); ``route`` the mount point when services share an address."""

    port: int = DEFAULT_PORT
    instance_reuse: int = 0
    concurrency: int = 0
    route: str | None = None


@dataclass(frozen=True)
class HealthCheck:
    """``[health_check.http]``: ``GET path`` must answer ``expected_status`` within ``timeout``
    seconds, tried ``retries`` times ``interval`` seconds apart (Kubernetes probe semantics)."""

    path: str = "/"
    method: str = "GET"
    expected_status: int = 200
    timeout: float = 5.0
    interval: float = 30.0
    retries: int = 3


@dataclass(frozen=True)
class Fabrickfile:
    """A parsed Fabrickfile. ``path`` is None when there was none (flags only).

    ``include`` / ``exclude``: glob patterns over the app folder's files (``**`` spans folders;
    a pattern without ``/`` matches a file name anywhere)."""

    path: Path | None
    name: str | None = None
    version: str | None = None
    description: str | None = None
    source: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    language_tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    capabilities: Capabilities = Capabilities()
    serve: Serve = Serve()
    health_check: HealthCheck | None = None

    def error(self, message: str, table: str, key: str | None = None, hint: str | None = None) -> FabrickfileError:
        """A FabrickfileError pointing at ``[table] key`` in this file."""
        where = f"`{table}.{key}`" if key else f"[{table}]"
        return FabrickfileError(f"{where}: {message}", hint=hint, path=self.path,
                                line=_toml.find_line(self.path, table, key))


def _check_table(ff: Fabrickfile, name: str, data: Any) -> dict[str, Any]:
    """Type-check ``data`` against KEYS[name]; returns it. Raises naming the closest known key."""
    table, _, prefix = name.partition(".")
    if not isinstance(data, dict):
        raise ff.error("must be a table", table, prefix or None)
    known = KEYS[name]
    for key, value in data.items():
        label = f"{prefix}.{key}" if prefix else key
        if key not in known:
            raise ff.error(f"unknown key{closest(key, list(known))} (known: {', '.join(known)})", table, label)
        kind = known[key]
        ok = {"strings": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
              "ints": lambda v: isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
              "table": lambda v: isinstance(v, dict),
              "count": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
              "port": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v < 65536,
              }.get(kind, lambda v: isinstance(v, kind) and not (kind is int and isinstance(v, bool)))
        if not ok(value):
            expected = {"strings": "an array of strings", "ints": "an array of integers", "table": "a table",
                        "count": "a non-negative integer", "port": "a port number (1-65535)", str: "a string",
                        bool: "true or false", int: "an integer"}[kind]
            raise ff.error(f"must be {expected}", table, label, hint=f'e.g. {key} = ["data"]' if kind == "strings" else None)
    return data


def _seconds(ff: Fabrickfile, value: str | None, default: float, key: str) -> float:
    if value is None:
        return default
    match = DURATION.match(value)
    if not match:
        raise ff.error(f"{value!r} is not a duration", "health_check", f"http.{key}", hint='e.g. "5s", "500ms" or "1m"')
    number, unit = float(match.group(1)), match.group(2)
    return number * {"ms": 0.001, "s": 1, "m": 60}[unit]


def load(app_dir: Path, languages: list[str]) -> Fabrickfile | None:
    """Read ``app_dir/Fabrickfile``; None when there is none.

    ``languages`` are the language tables packs provide. Raises FabrickfileError
    for invalid TOML, unknown tables or keys (naming the closest known one), or values of
    the wrong type or form.
    """
    path = app_dir / FILENAME
    if not path.is_file():
        return None
    data = _toml.load(path, FabrickfileError)
    ff = Fabrickfile(path=path)
    for table, value in data.items():
        if table in TOP_LEVEL:
            continue
        if table not in GENERIC_TABLES and table not in languages:
            known = sorted(GENERIC_TABLES | set(languages))
            raise ff.error(f"unknown table{closest(table, known + sorted(TOP_LEVEL))} "
                           f"(known: {', '.join(f'[{t}]' for t in known)})", table)
        if not isinstance(value, dict):
            raise ff.error("must be a table", table)
    version = data.get("fabrick_version")
    if version is not None and (not isinstance(version, str) or not re.match(r"^1(\.\d+)?$", version)):
        raise FabrickfileError(f"fabrick_version {version!r} is not a format this Fabricks reads (1.x)",
                               path=path, line=_toml.find_line(path, "fabrick_version"),
                               hint='Write fabrick_version = "1.0", or leave it out.')
    info, source, files, caps, config, serve, health = (
        _check_table(ff, t, data.get(t, {}))
        for t in ("info", "from", "source", "capabilities", "config", "serve", "health_check"))
    filesystem = _check_table(ff, "capabilities.filesystem", caps.get("filesystem", {}))
    network = _check_table(ff, "capabilities.network", caps.get("network", {}))
    http_check = _check_table(ff, "health_check.http", health.get("http", {}))

    if info.get("type") is not None and info["type"] not in SERVICE_TYPES:
        raise ff.error(f"{info['type']!r}: Fabricks builds HTTP services, served through wasi:http/incoming-handler",
                       "info", "type", hint='Write type = "http", or leave it out.')
    name = info.get("name")
    if name is not None and not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", name):
        raise ff.error(f"{name!r} is not a valid service name (letters, digits, . _ -)", "info", "name")
    if files.get("path", ".").strip("/") not in (".", ""):
        raise ff.error(f"{files['path']!r}: the app folder is the Fabrickfile's own", "source", "path",
                       hint="Put the Fabrickfile in the folder that holds the app's code, or leave path out.")

    connect = tuple(network.get("connect", ()))
    for entry in connect:
        if not NETWORK_ENTRY.match(entry):
            raise ff.error(f"{entry!r} is not host:port (a * may stand for a label or the port)",
                           "capabilities", "network.connect", hint='e.g. connect = ["api.example.com:443", "*.internal:8080"]')
    if network.get("allow_all_outbound"):
        connect += ("*:*",)
    env = tuple(caps.get("env", ()))
    for entry in env:
        if not ENV_NAME.match(entry.partition("=")[0]):
            raise ff.error(f"{entry!r} is not NAME or NAME=value", "capabilities", "env")
    for key, value in config.get("environment", {}).items():
        if not ENV_NAME.match(key) or not isinstance(value, (str, int, float, bool)):
            raise ff.error(f"{key} = {value!r}: a variable's name and a string value", "config", "environment",
                           hint='e.g. [config.environment] LOG_LEVEL = "info"')
        env += (f"{key}={str(value).lower() if isinstance(value, bool) else value}",)

    route = serve.get("route")
    if route is not None and not route.startswith("/"):
        raise ff.error(f"{route!r} does not start with /", "serve", "route", hint='e.g. route = "/api/..."')
    # The port: [serve] port, else the upstream [config] port, else the first network.listen port.
    listen = network.get("listen", [])
    port = serve.get("port") or config.get("port") or (listen[0] if listen else DEFAULT_PORT)
    check = None
    if http_check:
        if not str(http_check.get("path", "/")).startswith("/"):
            raise ff.error(f"{http_check['path']!r} does not start with /", "health_check", "http.path")
        if http_check.get("method", "GET").upper() not in ("GET", "HEAD"):
            raise ff.error("must be GET or HEAD", "health_check", "http.method")
        check = HealthCheck(path=http_check.get("path", "/"), method=http_check.get("method", "GET").upper(),
                            expected_status=http_check.get("expected_status", 200),
                            timeout=_seconds(ff, http_check.get("timeout"), 5.0, "timeout"),
                            interval=_seconds(ff, http_check.get("interval"), 30.0, "interval"),
                            retries=http_check.get("retries", 3))
    return Fabrickfile(
        path=path,
        name=name,
        version=info.get("version"),
        description=info.get("description"),
        source=source.get("source"),
        include=tuple(files.get("include", ())),
        exclude=tuple(files.get("exclude", ())),
        language_tables={k: v for k, v in data.items() if k in languages},
        capabilities=Capabilities(
            env=env,
            read=tuple(filesystem.get("read", ())),
            # WASI has no write-only folder: a folder granted for writing is read-write.
            read_write=tuple(filesystem.get("read_write", ())) + tuple(filesystem.get("write", ())),
            network=connect,
        ),
        serve=Serve(port=port, instance_reuse=serve.get("instance_reuse", 0),
                    concurrency=serve.get("concurrency", 0), route=route),
        health_check=check,
    )
