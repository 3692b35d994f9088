"""`fabricks push` and `fabricks export` against a real OCI registry on loopback.

The registry is Debian's docker-registry (CNCF Distribution, installed by
tests/install-registry.sh), started here with its storage in a temporary folder. The
pushed manifest is read back through the registry's HTTP API, its layer compared byte
for byte with the build, pulled, and served by plain ``wasmtime serve``.
No component is built here: flask-hello's build is cached (test_examples builds it too).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from fabricks import cache, toolchain
from fabricks._toml import tomllib

from .harness import build_app, free_port, wait_for_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "flask-hello"
REGISTRY = Path("/usr/bin/docker-registry")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


class Registry:
    """docker-registry on 127.0.0.1:<free port>; ``htpasswd`` lines turn on basic auth."""

    def __init__(self, tmp: Path, htpasswd: str | None = None) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        config = [
            "version: 0.1",
            "log:",
            "  level: error",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {tmp / 'storage'}",
            "http:",
            f"  addr: {self.address}",
        ]
        if htpasswd:
            (tmp / "htpasswd").write_text(htpasswd)
            config += ["auth:", "  htpasswd:", "    realm: fabricks-test", f"    path: {tmp / 'htpasswd'}"]
        (tmp / "config.yml").write_text("\n".join(config) + "\n")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Registry":
        if not REGISTRY.is_file():
            pytest.fail(f"{REGISTRY} is missing: run `sh tests/install-registry.sh` (make setup does)")
        self.process = subprocess.Popen([str(REGISTRY), "serve", str(self.tmp / "config.yml")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_for_port(self.port, self.process, timeout=20)
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def fabricks(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The CLI in a child process, with ``home`` as HOME (its Docker config) and this cache."""
    env = {**os.environ, "HOME": str(home), "FABRICKS_CACHE_DIR": str(cache.root())}
    return subprocess.run([sys.executable, "-m", "fabricks", *args], capture_output=True, text=True,
                          input=stdin, env=env, timeout=300)


def assert_clean_failure(proc: subprocess.CompletedProcess, phase: str, *words: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"error ({phase})" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    text = " ".join(proc.stderr.split())  # rich wraps long lines
    for word in words:
        assert word in text, proc.stderr


@pytest.fixture(scope="module")
def built():
    return build_app(APP)


@pytest.fixture()
def registry(tmp_path):
    with Registry(tmp_path / "registry") as running:
        yield running


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_push_reads_back_byte_identical_and_serves(built, registry, tmp_path):
    ref = f"{registry.address}/fabricks/flask-hello:v1"
    proc = fabricks("push", str(APP), ref, "--plain-http", home=_mkdir(tmp_path / "home"))
    assert proc.returncode == 0, proc.stderr
    digest = proc.stdout.strip().splitlines()[-1]
    assert digest.startswith("sha256:") and len(digest) == 71

    base = f"http://{registry.address}/v2/fabricks/flask-hello"
    response = requests.get(f"{base}/manifests/v1", headers={"Accept": OCI_MANIFEST}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Docker-Content-Digest"] == digest
    manifest = response.json()
    assert manifest["schemaVersion"] == 2
    assert manifest["mediaType"] == OCI_MANIFEST
    assert manifest["config"]["mediaType"] == "application/vnd.wasm.config.v0+json"
    assert [layer["mediaType"] for layer in manifest["layers"]] == ["application/wasm"]
    layer = manifest["layers"][0]
    assert layer["size"] == built.wasm.stat().st_size
    assert layer["annotations"]["org.opencontainers.image.title"] == "flask-hello.wasm"

    config = requests.get(f"{base}/blobs/{manifest['config']['digest']}", timeout=30).json()
    assert config["architecture"] == "wasm" and config["os"] == "wasip2"
    assert config["layerDigests"] == [layer["digest"]]
    assert config["created"] and config["author"].startswith("fabricks")
    assert any(e.startswith("wasi:http/incoming-handler@") for e in config["component"]["exports"])
    assert any(i.startswith("wasi:cli/") for i in config["component"]["imports"])

    pulled = tmp_path / "pulled.wasm"
    pulled.write_bytes(requests.get(f"{base}/blobs/{layer['digest']}", timeout=60).content)
    assert pulled.read_bytes() == built.wasm.read_bytes()

    # The same build pushed again is the same artifact: the config's time is the build's.
    again = fabricks("push", str(APP), f"{registry.address}/fabricks/flask-hello:v2", "--plain-http",
                     home=tmp_path / "home")
    assert again.returncode == 0 and again.stdout.strip().splitlines()[-1] == digest

    # Plain wasmtime serve, with the flags the pack's components need (-Scli), nothing of Fabricks.
    port = free_port()
    wasmtime = toolchain.require(toolchain.WASMTIME)
    wasi = [arg for flag in built.spec.pack.component.wasi for arg in ("-S", flag)]
    server = subprocess.Popen([str(wasmtime), "serve", "--addr", f"127.0.0.1:{port}", *wasi, str(pulled)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, server, timeout=120)
        answer = requests.get(f"http://127.0.0.1:{port}/users/1", timeout=60)
        assert answer.status_code == 200
        assert answer.json() == {"id": 1, "name": "User 1"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _htpasswd_line(user: str, password: str) -> str:
    """An htpasswd line for the registry, which takes bcrypt hashes only."""
    import bcrypt  # noqa: PLC0415 - only this test writes one

    return f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}\n"


def test_push_credentials_refused_then_accepted(built, tmp_path):
    line = _htpasswd_line("ci", "s3cret")
    home = _mkdir(tmp_path / "home")
    with Registry(_mkdir(tmp_path / "registry"), htpasswd=line) as registry:
        ref = f"{registry.address}/fabricks/private:v1"
        refused = fabricks("push", str(APP), ref, "--plain-http", "--username", "ci", "--password-stdin",
                           home=home, stdin="wrong\n")
        assert_clean_failure(refused, "push", "refused", "--username")

        anonymous = fabricks("push", str(APP), ref, "--plain-http", home=home)
        assert_clean_failure(anonymous, "push", "asks for a user name", "Docker config")

        accepted = fabricks("push", str(APP), ref, "--plain-http", "--username", "ci", "--password-stdin",
                            home=home, stdin="s3cret\n")
        assert accepted.returncode == 0, accepted.stderr

        # `docker login`'s record in the Docker config file is used when no --username is given.
        auth = base64.b64encode(b"ci:s3cret").decode()
        _mkdir(home / ".docker")
        (home / ".docker" / "config.json").write_text(json.dumps({"auths": {registry.address: {"auth": auth}}}))
        from_config = fabricks("push", str(APP), f"{registry.address}/fabricks/private:v2", "--plain-http",
                               home=home)
        assert from_config.returncode == 0, from_config.stderr
        assert from_config.stdout.strip().splitlines()[-1] == accepted.stdout.strip().splitlines()[-1]


def test_push_without_a_registry_is_one_paragraph(built, tmp_path):
    proc = fabricks("push", str(APP), f"127.0.0.1:{free_port()}/fabricks/none:v1", "--plain-http",
                    home=_mkdir(tmp_path / "home"))
    assert_clean_failure(proc, "push", "no registry answers")


def test_push_over_https_to_a_plain_http_registry(built, registry, tmp_path):
    proc = fabricks("push", str(APP), f"{registry.address}/fabricks/tls:v1", home=_mkdir(tmp_path / "home"))
    assert_clean_failure(proc, "push", "--plain-http")


def test_push_of_an_app_that_does_not_resolve(tmp_path):
    app = _mkdir(tmp_path / "broken")
    (app / "Fabrickfile").write_text('[from]\nsource = "python"\n\n[python]\nframework = "no-such-framework"\n'
                                     'app = "main:app"\n')
    proc = fabricks("push", str(app), "127.0.0.1:1/x:v1", "--plain-http", home=_mkdir(tmp_path / "home"))
    assert_clean_failure(proc, "resolve", "no-such-framework")


def test_export_unknown_format(tmp_path):
    proc = fabricks("export", str(APP), "--format", "nomad", "-o", str(tmp_path / "out"),
                    home=_mkdir(tmp_path / "home"))
    assert_clean_failure(proc, "export", "unknown format", "spinkube")
    assert not (tmp_path / "out").exists()


def test_export_spin_copies_the_build(built, tmp_path):
    out = tmp_path / "spin"
    proc = fabricks("export", str(APP), "--format", "spin", "-o", str(out), home=_mkdir(tmp_path / "home"))
    assert proc.returncode == 0, proc.stderr
    manifest = tomllib.loads((out / "spin.toml").read_text())
    assert manifest["spin_manifest_version"] == 2
    assert manifest["trigger"]["http"] == [{"route": "/...", "component": "flask-hello"}]
    component = manifest["component"]["flask-hello"]
    assert (out / component["source"]).read_bytes() == built.wasm.read_bytes()
    assert component["allowed_outbound_hosts"] == []
    # The pack's staged folders travel as files at the paths the component expects.
    for entry, (host, guest) in zip(component["files"], built.mounts):
        assert entry["destination"] == guest
        assert sorted(p.name for p in (out / entry["source"]).iterdir()) == \
            sorted(p.name for p in Path(host).iterdir() if p.name != "__pycache__")


def test_export_wasmcloud_and_spinkube_name_the_pushed_image(built, registry, tmp_path):
    import yaml

    home = _mkdir(tmp_path / "home")
    ref = f"{registry.address}/fabricks/flask-hello:v1"
    assert fabricks("push", str(APP), ref, "--plain-http", home=home).returncode == 0

    proc = fabricks("export", str(APP), "--format", "wasmcloud", "--image", ref, "-o", str(tmp_path / "wc"),
                    home=home)
    assert proc.returncode == 0, proc.stderr
    (workload,) = list(yaml.safe_load_all((tmp_path / "wc" / "workloaddeployment.yaml").read_text()))
    assert workload["kind"] == "WorkloadDeployment"
    spec = workload["spec"]["template"]["spec"]
    assert spec["components"][0]["image"] == ref
    assert spec["hostInterfaces"][0]["interfaces"] == ["incoming-handler"]

    missing = fabricks("export", str(APP), "--format", "spinkube", "-o", str(tmp_path / "sk"), home=home)
    assert_clean_failure(missing, "export", "--image")
    proc = fabricks("export", str(APP), "--format", "spinkube", "--image", ref, "--replicas", "3",
                    "-o", str(tmp_path / "sk"), home=home)
    assert proc.returncode == 0, proc.stderr
    spinapp = yaml.safe_load((tmp_path / "sk" / "spinapp.yaml").read_text())
    assert spinapp["spec"] == {"image": ref, "replicas": 3, "executor": "containerd-shim-spin"}
    assert (tmp_path / "sk" / "spin.toml").is_file()


def test_spin_source_by_url_is_the_pushed_layer(built, registry, tmp_path):
    home = _mkdir(tmp_path / "home")
    ref = f"{registry.address}/fabricks/flask-hello:v1"
    assert fabricks("push", str(APP), ref, "--plain-http", home=home).returncode == 0
    out = tmp_path / "spin-url"
    proc = fabricks("export", str(APP), "--format", "spin", "--image", ref, "--plain-http", "-o", str(out),
                    home=home)
    assert proc.returncode == 0, proc.stderr
    source = tomllib.loads((out / "spin.toml").read_text())["component"]["flask-hello"]["source"]
    started = time.monotonic()
    blob = requests.get(source["url"], timeout=60)  # what Spin downloads, and checks against the digest
    assert blob.status_code == 200 and time.monotonic() - started < 60
    import hashlib

    assert "sha256:" + hashlib.sha256(blob.content).hexdigest() == source["digest"]
    assert blob.content == built.wasm.read_bytes()
