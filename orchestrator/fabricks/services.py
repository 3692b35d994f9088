"""Several built services served together on this machine (``fabricks service run A B``).

:func:`plan` decides each service's address, grants and peers: consecutive ports from the
first, or one address by route when any Fabrickfile gives ``[serve] route`` (the longest
route that prefixes a path serves it); with a named network each service gets the others'
``<NAME>_URL`` and may call them. :class:`Supervisor` starts the hosts (:mod:`.host`),
checks each ``[health_check.http]``, and stops them all when one exits or on a signal.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, replace
from typing import Callable

from . import host
from .errors import FabricksError, ServeError
from .pipeline import BuildResult


@dataclass
class Planned:
    """One service as it will run: its build, host options, environment and route (``""``
    when it has an address of its own)."""

    result: BuildResult
    options: host.ServeOptions
    environ: dict[str, str]
    route: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}{self.route if self.route != '/' else ''}"


def env_name(service: str) -> str:
    """The variable that gives a service's URL to its peers: ``shop-api`` -> ``SHOP_API_URL``."""
    return re.sub(r"[^A-Za-z0-9]", "_", service).upper() + "_URL"


def mount_routes(results: list[BuildResult]) -> list[str] | None:
    """Each service's route when any Fabrickfile gives ``[serve] route`` (the others get
    ``/``), else None. Raises FabricksError when two services claim one route."""
    if not any(r.spec.serve.route for r in results):
        return None
    routes = []
    for result in results:
        route = str(result.spec.serve.route or "/").removesuffix("/...").rstrip("/") or "/"
        if not route.startswith("/"):
            raise FabricksError(f"{result.spec.name}: [serve] route {route!r} must start with /",
                                hint='Write it as a path prefix, e.g. route = "/api".')
        routes.append(route)
    for route in set(routes):
        claiming = [r.spec.name for r, own in zip(results, routes) if own == route]
        if len(claiming) > 1:
            raise FabricksError(f"services {', '.join(claiming)} are all mounted at {route}",
                                hint="Give each a [serve] route of its own in its Fabrickfile, e.g. route = \"/api\".")
    return routes


def plan(results: list[BuildResult], *, port: int | None = None, fresh_instances: bool = False,
         network: str | None = None, connect: tuple[str, ...] = (), verbose: bool = False) -> list[Planned]:
    """How each service runs. ``port``: the first service's (default: its ``[serve]`` port);
    ``connect``: outbound ``host:port`` grants for this run, over the Fabrickfiles'. Raises
    FabricksError for two services on one route."""
    first = port if port is not None else results[0].spec.serve.port
    routes = mount_routes(results)
    ports = [first] * len(results) if routes else [first + i for i in range(len(results))]
    paths = routes or ["" for _ in results]
    peers = ({env_name(r.spec.name): f"http://127.0.0.1:{p}{route.rstrip('/')}"
              for r, p, route in zip(results, ports, paths)} if network else {})
    planned = []
    for result, service_port, route in zip(results, ports, paths):
        environ = dict(os.environ)
        extra = {k: v for k, v in peers.items() if k != env_name(result.spec.name)}
        # Run-time grants, checked by the host and by the component's own clients:
        # --connect, and the other services of one network.
        granted = list(connect) + sorted({f"{h}:{p}" for r, p in zip(results, ports)
                                          if network and r is not result for h in ("127.0.0.1", "localhost")})
        if granted:
            extra["FABRICKS_NETWORK_CONNECT"] = ",".join(granted)
        environ.update(extra)
        if extra:
            caps = result.spec.capabilities
            result.spec = replace(result.spec, capabilities=replace(caps, env=caps.env + tuple(extra)))
        reuse = 1 if fresh_instances else result.spec.serve.instance_reuse
        options = host.ServeOptions(port=service_port, instance_reuse=reuse,
                                    concurrency=result.spec.serve.concurrency, connect=tuple(granted), verbose=verbose)
        planned.append(Planned(result, options, environ, route))
    return planned


class Supervisor:
    """Runs planned services: one host each, or one host for all when they share an address
    by route. ``on_line(name, line)`` receives the hosts' log lines."""

    def __init__(self, planned: list[Planned], on_line: Callable[[str, str], None]) -> None:
        self.planned = planned
        self.on_line = on_line
        self.services: list[host.Service] = []

    def start(self) -> None:
        """Start the hosts and run each service's health check. Raises ServeError (the hosts
        started so far are stopped)."""
        try:
            if self.planned[0].route:
                head = self.planned[0]
                mounted = [(p.route, p.result, p.options, p.environ) for p in self.planned]
                self.services.append(host.Service(head.result, head.options, self.on_line, head.environ,
                                                  routes=mounted).start())
            else:
                for p in self.planned:
                    self.services.append(host.Service(p.result, p.options, self.on_line, p.environ))
                    self.services[-1].start()
            for p in self.planned:
                check = p.result.spec.health_check
                if check:
                    host.check_health(p.url + check.path, check, p.result.spec.fabrickfile)
        except BaseException:
            self.stop()
            raise

    def wait(self) -> None:
        """Block until a host exits; raises ServeError naming it."""
        while all(s.process and s.process.poll() is None for s in self.services):
            time.sleep(0.2)
        stopped = next(s for s in self.services if s.process and s.process.poll() is not None)
        raise ServeError(f"{stopped.name}: the host exited with status {stopped.process.returncode}")

    def stop(self) -> None:
        """Stop every host gracefully (:meth:`host.Service.stop`)."""
        for service in self.services:
            service.stop()
