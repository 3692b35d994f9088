"""Manifest generation for Spin, SpinKube and wasmCloud (fabricks.export) and the OCI artifact config.

No schema of these engines ships in a PyPI or npm package reachable here, so the
structure is checked with explicit assertions, each following the published reference:
Spin's manifest version 2 (spin.toml), the SpinApp CRD of spin-operator
(core.spinkube.dev/v1alpha1: spec.image and spec.executor required, replicas int32), and
wasmCloud v2's WorkloadDeployment (runtime.wasmcloud.dev/v1alpha1). See docs/deploy.md.
"""

from __future__ import annotations

import hashlib
import re
from types import SimpleNamespace
from pathlib import Path

import pytest
import tomli_w
import yaml

from fabricks import export, oci
from fabricks._toml import tomllib
from fabricks.errors import ExportError, PushError
from fabricks.export import Component
from fabricks.fabrickfile import Capabilities

KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
RFC1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def component(tmp_path: Path, name: str = "shop", route: str | None = None, **kwargs) -> Component:
    wasm = tmp_path / f"{name}.wasm"
    wasm.write_bytes(b"\0asm" + name.encode())
    app = tmp_path / f"{name}-app"
    app.mkdir(exist_ok=True)
    return Component(name=name, wasm=wasm, app_dir=app, route=route, **kwargs)


def assert_spin_manifest(manifest: dict) -> None:
    """The shape of a Spin manifest version 2, as its reference documents it."""
    assert manifest["spin_manifest_version"] == 2
    assert KEBAB.match(manifest["application"]["name"])
    components = manifest["component"]
    for trigger in manifest["trigger"]["http"]:
        assert set(trigger) <= {"route", "component", "executor"}
        assert trigger["route"].startswith("/")
        assert trigger["component"] in components
    for cid, entry in components.items():
        assert KEBAB.match(cid)
        source = entry["source"]
        assert isinstance(source, str) or (set(source) == {"url", "digest"} and source["digest"].startswith("sha256:"))
        assert all(isinstance(h, str) for h in entry["allowed_outbound_hosts"])
        for name, value in entry.get("environment", {}).items():
            assert isinstance(name, str) and isinstance(value, str)
        for item in entry.get("files", []):
            assert isinstance(item, str) or (set(item) == {"source", "destination"} and item["destination"].startswith("/"))
    # What tomli_w writes reads back as the same document.
    assert tomllib.loads(tomli_w.dumps(manifest)) == manifest


def test_one_service_spin_manifest(tmp_path):
    plan = export.plan("spin", [component(tmp_path)], environ={})
    manifest = plan.documents["spin.toml"]
    assert_spin_manifest(manifest)
    assert manifest["trigger"]["http"] == [{"route": "/...", "component": "shop"}]
    assert manifest["component"]["shop"] == {"source": "shop.wasm", "allowed_outbound_hosts": []}
    assert plan.copies == [(tmp_path / "shop.wasm", "shop.wasm")]
    assert plan.warnings == []


def test_environment_from_grants(tmp_path):
    caps = Capabilities(env=("MODE=prod", "SECRET_KEY", "UNSET_ONE"))
    plan = export.plan("spin", [component(tmp_path, capabilities=caps)], environ={"SECRET_KEY": "k"})
    entry = plan.documents["spin.toml"]["component"]["shop"]
    assert entry["environment"] == {"MODE": "prod", "SECRET_KEY": "k"}
    assert any("SECRET_KEY" in w and "export time" in w for w in plan.warnings)
    assert any("UNSET_ONE" in w and "not set" in w for w in plan.warnings)


def test_files_from_mounts_and_grants(tmp_path):
    staged = tmp_path / "staged"
    staged.mkdir()
    data = tmp_path / "shop-app" / "data"
    data.mkdir(parents=True)
    shared = tmp_path / "shared"
    shared.mkdir()
    caps = Capabilities(read=("templates", str(shared)), read_write=("data",))
    plan = export.plan("spin", [component(tmp_path, capabilities=caps, mounts=((str(staged), "/0"),),
                                          app_root="/0")], environ={})
    files = plan.documents["spin.toml"]["component"]["shop"]["files"]
    assert [f["destination"] for f in files] == ["/0", str(shared), "/0/data"]
    assert {rel for _, rel in plan.copies} >= {f["source"] for f in files}
    assert any("read-only" in w and "/0/data" in w for w in plan.warnings)


def test_several_services_need_routes(tmp_path):
    api, site = component(tmp_path, "api"), component(tmp_path, "site")
    with pytest.raises(ExportError, match="each needs a route") as error:
        export.plan("spin", [api, site], environ={})
    assert "--route" in error.value.hint
    plan = export.plan("spin", [component(tmp_path, "api", "/api/..."), component(tmp_path, "site", "/...")],
                       environ={})
    manifest = plan.documents["spin.toml"]
    assert_spin_manifest(manifest)
    assert {t["component"]: t["route"] for t in manifest["trigger"]["http"]} == {"api": "/api/...", "site": "/..."}
    assert set(manifest["component"]) == {"api", "site"}


def test_duplicate_routes_are_refused(tmp_path):
    with pytest.raises(ExportError, match="both have the route"):
        export.plan("spin", [component(tmp_path, "api", "/..."), component(tmp_path, "site", "/...")], environ={})


def test_route_and_image_assignments():
    assert export.parse_assignments(["/x/..."], ["api"], "--route") == {"api": "/x/..."}
    assert export.parse_assignments(["api=/a/...", "site=/..."], ["api", "site"], "--route") == \
        {"api": "/a/...", "site": "/..."}
    with pytest.raises(ExportError, match="does not say which service"):
        export.parse_assignments(["/..."], ["api", "site"], "--route")
    with pytest.raises(ExportError, match="not one of the services"):
        export.parse_assignments(["shop=/..."], ["api", "site"], "--route")


def test_spin_source_by_pushed_reference(tmp_path):
    shop = component(tmp_path)
    plan = export.plan("spin", [shop], environ={}, images=("registry.example:5000/team/shop:1",), plain_http=True)
    source = plan.documents["spin.toml"]["component"]["shop"]["source"]
    digest = "sha256:" + hashlib.sha256(shop.wasm.read_bytes()).hexdigest()
    assert source == {"url": f"http://registry.example:5000/v2/team/shop/blobs/{digest}", "digest": digest}
    assert plan.copies == []


def test_spinapp_follows_the_crd(tmp_path):
    plan = export.plan("spinkube", [component(tmp_path, "Shop_API")], environ={},
                       images=("ghcr.io/you/shop:1",), replicas=3)
    spinapp = plan.documents["spinapp.yaml"]
    assert spinapp["apiVersion"] == "core.spinkube.dev/v1alpha1" and spinapp["kind"] == "SpinApp"
    assert RFC1123.match(spinapp["metadata"]["name"]) and len(spinapp["metadata"]["name"]) <= 63
    spec = spinapp["spec"]
    assert {"image", "executor"} <= set(spec)  # the CRD's required fields
    assert spec == {"image": "ghcr.io/you/shop:1", "replicas": 3, "executor": "containerd-shim-spin"}
    assert isinstance(spec["replicas"], int) and 0 < spec["replicas"] < 2**31
    assert_spin_manifest(plan.documents["spin.toml"])
    assert plan.documents["spin.toml"]["component"]["shop-api"]["source"] == "shop-api.wasm"


def test_spinkube_needs_an_image(tmp_path):
    with pytest.raises(ExportError, match="--image"):
        export.plan("spinkube", [component(tmp_path)], environ={})
    with pytest.raises(ExportError, match="replicas"):
        export.plan("spinkube", [component(tmp_path)], environ={}, images=("ghcr.io/a/b:1",), replicas=0)


def test_wasmcloud_workload_deployment(tmp_path):
    caps = Capabilities(env=("MODE=prod",))
    components = [component(tmp_path, "api", capabilities=caps), component(tmp_path, "site")]
    plan = export.plan("wasmcloud", components, environ={},
                       images=("api=ghcr.io/you/api:1", "site=ghcr.io/you/site:1"), replicas=1)
    documents = plan.documents["workloaddeployment.yaml"]
    assert len(documents) == 2
    for document, name in zip(documents, ("api", "site")):
        assert document["apiVersion"] == "runtime.wasmcloud.dev/v1alpha1"
        assert document["kind"] == "WorkloadDeployment"
        assert RFC1123.match(document["metadata"]["name"])
        assert document["spec"]["replicas"] == 1
        spec = document["spec"]["template"]["spec"]
        (entry,) = spec["components"]
        assert entry["name"] == name and entry["image"] == f"ghcr.io/you/{name}:1"
        (interface,) = spec["hostInterfaces"]
        assert interface["namespace"] == "wasi" and interface["package"] == "http"
        assert interface["interfaces"] == ["incoming-handler"]
        assert interface["config"]["host"] == f"{name}.localhost"
    assert documents[0]["spec"]["template"]["spec"]["components"][0]["localResources"] == \
        {"environment": {"MODE": "prod"}}
    # Written as one multi-document YAML file.
    out = tmp_path / "out"
    export.write(plan, out)
    assert list(yaml.safe_load_all((out / "workloaddeployment.yaml").read_text())) == documents


def test_wasmcloud_needs_images(tmp_path):
    with pytest.raises(ExportError, match="pushed image"):
        export.plan("wasmcloud", [component(tmp_path)], environ={})


def test_unknown_format(tmp_path):
    with pytest.raises(ExportError, match="unknown format") as error:
        export.plan("nomad", [component(tmp_path)], environ={})
    assert "spinkube" in error.value.hint


def test_write_copies_and_manifests(tmp_path):
    staged = tmp_path / "staged"
    (staged / "__pycache__").mkdir(parents=True)
    (staged / "main.py").write_text("app = 1\n")
    shop = component(tmp_path, mounts=((str(staged), "/0"),))
    out = tmp_path / "out"
    written = export.write(export.plan("spin", [shop], environ={}), out)
    assert written == [out / "spin.toml"]
    assert (out / "shop.wasm").read_bytes() == shop.wasm.read_bytes()
    assert (out / "shop" / "files" / "0" / "main.py").is_file()
    assert not (out / "shop" / "files" / "0" / "__pycache__").exists()
    assert_spin_manifest(tomllib.loads((out / "spin.toml").read_text()))


def test_names_become_ids():
    assert export.spin_id("Flask_Hello") == "flask-hello"
    assert export.spin_id("2fa") == "app-2fa"
    assert export.k8s_name("x" * 80) == "x" * 63


def test_oci_reference_parsing():
    ref = oci.parse_reference("127.0.0.1:5000/team/shop")
    assert (ref.registry, ref.repository, ref.tag) == ("127.0.0.1:5000", "team/shop", "latest")
    assert str(oci.parse_reference("ghcr.io/you/shop:1.0")) == "ghcr.io/you/shop:1.0"
    for bad in ("shop", "ghcr.io/You/Shop:1", "ghcr.io/you/shop@sha256:abc"):
        with pytest.raises(PushError):
            oci.parse_reference(bad)


def test_artifact_config_fields():
    config = oci.artifact_config("sha256:" + "a" * 64, created="2026-01-01T00:00:00Z", author="fabricks 0.1.0",
                                 exports=["wasi:http/incoming-handler@0.2.6"], imports=["wasi:io/poll@0.2.6"])
    assert config == {
        "created": "2026-01-01T00:00:00Z",
        "author": "fabricks 0.1.0",
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": ["sha256:" + "a" * 64],
        "component": {"exports": ["wasi:http/incoming-handler@0.2.6"], "imports": ["wasi:io/poll@0.2.6"]},
    }


def test_fabrickfile_route_and_network_grants_reach_the_spin_manifest(tmp_path):
    """`[serve] route` is a mount point (all under it); `network.connect` grants become Spin's
    allowed_outbound_hosts, with a scheme."""
    from fabricks.fabrickfile import load

    (tmp_path / "Fabrickfile").write_text('[serve]\nroute = "/api"\n'
                                          '[capabilities]\nnetwork.connect = ["api.example.com:443", "*.internal:8080"]\n')
    ff = load(tmp_path, ["python"])
    assert ff.serve.route == "/api"
    assert ff.capabilities.network == ("api.example.com:443", "*.internal:8080")
    wasm = tmp_path / "api.wasm"
    wasm.write_bytes(b"\0asm")
    spec = SimpleNamespace(name="api", app_dir=tmp_path, capabilities=ff.capabilities, serve=ff.serve,
                           pack=SimpleNamespace(component=SimpleNamespace(app_root="/")))
    built = Component.from_build(SimpleNamespace(spec=spec, wasm=wasm, mounts=[]))
    manifest = export.plan("spin", [built], environ={}).documents["spin.toml"]
    assert_spin_manifest(manifest)
    assert manifest["trigger"]["http"] == [{"route": "/api/...", "component": "api"}]
    assert manifest["component"]["api"]["allowed_outbound_hosts"] == ["*://api.example.com:443", "*://*.internal:8080"]
