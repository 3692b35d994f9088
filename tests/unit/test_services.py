"""services.plan: addresses, routes, peers and grants of several services served together."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from fabricks import services
from fabricks.errors import FabricksError
from fabricks.fabrickfile import Capabilities, Serve


@dataclass(frozen=True)
class Spec:
    name: str
    serve: Serve = Serve()
    capabilities: Capabilities = field(default_factory=Capabilities)


def built(name: str, **serve) -> SimpleNamespace:
    return SimpleNamespace(spec=Spec(name, Serve(**serve)))


def test_consecutive_ports_and_peers_on_a_network():
    planned = services.plan([built("shop-api"), built("web")], port=9000, network="dev")
    assert [p.options.port for p in planned] == [9000, 9001] and [p.route for p in planned] == ["", ""]
    api, web = planned
    assert web.environ["SHOP_API_URL"] == "http://127.0.0.1:9000" and "WEB_URL" not in web.environ
    assert "127.0.0.1:9001" in api.options.connect and "127.0.0.1:9000" not in api.options.connect
    assert "SHOP_API_URL" in web.result.spec.capabilities.env  # granted to the component too


def test_routes_put_every_service_on_one_address():
    planned = services.plan([built("api", route="/api/..."), built("site", port=7000)])
    assert [(p.options.port, p.route, p.url) for p in planned] == [
        (8080, "/api", "http://127.0.0.1:8080/api"), (8080, "/", "http://127.0.0.1:8080")]


def test_two_services_on_one_route_are_an_error():
    with pytest.raises(FabricksError, match="services a, b are all mounted at /x"):
        services.plan([built("a", route="/x"), built("b", route="/x/")])


def test_fresh_instances_and_the_fabrickfile_settings():
    planned = services.plan([built("a", port=8100, instance_reuse=50, concurrency=2)])
    assert (planned[0].options.port, planned[0].options.instance_reuse, planned[0].options.concurrency) == (8100, 50, 2)
    assert services.plan([built("a", instance_reuse=50)], fresh_instances=True)[0].options.instance_reuse == 1
