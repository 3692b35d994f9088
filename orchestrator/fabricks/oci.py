"""A built component as a Wasm OCI artifact, and its push to a registry.

The artifact follows the CNCF TAG Runtime "Wasm OCI Artifact layout": an OCI image
manifest whose config has the media type ``application/vnd.wasm.config.v0+json``
(``created``, ``author``, ``architecture: wasm``, ``os: wasip2``, ``layerDigests`` and
the ``component``'s exports and imports) and exactly one layer, the component itself,
of media type ``application/wasm``. SpinKube, wasmCloud, wkg and oras all read it.

The registry client is oras-py (PyPI ``oras``), not one of our own: it speaks the
OCI distribution API, the token dance of Docker Hub, GHCR and friends, and reads the
Docker config file's credentials.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, toolchain
from .errors import FabricksError, PushError

CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v0+json"
LAYER_MEDIA_TYPE = "application/wasm"
MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"

# A reference as `docker push` takes it: host[:port]/path[:tag] (a digest can't be pushed to).
_REFERENCE = re.compile(r"^(?P<registry>[A-Za-z0-9.-]+(?::[0-9]+)?)/(?P<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
                        r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$")


@dataclass(frozen=True)
class Reference:
    """A parsed push target: ``registry`` (host and port), ``repository`` and ``tag``."""

    registry: str
    repository: str
    tag: str

    def __str__(self) -> str:
        return f"{self.registry}/{self.repository}:{self.tag}"

    def blob_url(self, digest: str, plain_http: bool = False) -> str:
        """The registry API address of a blob of this repository (OCI distribution spec)."""
        return f"{'http' if plain_http else 'https'}://{self.registry}/v2/{self.repository}/blobs/{digest}"


def parse_reference(text: str) -> Reference:
    """Parse ``host[:port]/repository[:tag]`` (tag ``latest`` when absent).

    The registry host is required, so a reference never silently means Docker Hub.
    Raises PushError when ``text`` is not such a reference.
    """
    match = _REFERENCE.match(text.strip())
    if not match:
        raise PushError(f"{text!r} is not an OCI reference of the form REGISTRY/REPOSITORY[:TAG]",
                        hint="For example ghcr.io/you/shop:1.0, or 127.0.0.1:5000/shop:dev with --plain-http. "
                             "The repository is lowercase.")
    return Reference(match["registry"], match["repository"], match["tag"] or "latest")


def sha256_digest(path: Path) -> str:
    """``sha256:<hex>`` of the file at ``path``: its digest as an OCI blob."""
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


def component_interfaces(wasm: Path) -> tuple[list[str], list[str]]:
    """``(exports, imports)``: the named interfaces of the component's world, as
    ``wasm-tools component wit`` prints them (``wasi:http/incoming-handler@0.2.6``).

    Inline (unnamed) interfaces are left out: the config's ``component`` field lists
    interface names. Raises ToolchainError when wasm-tools is missing, PushError when it
    can't read the component.
    """
    tool = toolchain.require(toolchain.INSPECTOR)
    proc = subprocess.run([str(tool), "component", "wit", str(wasm)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise PushError(f"wasm-tools could not read {wasm}", output=proc.stderr[-2000:])
    exports, imports = [], []
    for kind, name in re.findall(r"^\s*(import|export) ([a-z0-9-]+:[a-z0-9/.@:-]+);\s*$", proc.stdout, re.MULTILINE):
        (exports if kind == "export" else imports).append(name)
    return exports, imports


def artifact_config(layer_digest: str, *, created: str, author: str, exports: list[str],
                    imports: list[str]) -> dict[str, Any]:
    """The ``application/vnd.wasm.config.v0+json`` config of a one-component artifact.

    ``created`` is an RFC 3339 time; the other fields are as the Wasm OCI Artifact
    layout defines them (``architecture`` is always ``wasm``; ``os`` ``wasip2``, the
    WASI version of a ``wasi:http`` 0.2 component).
    """
    return {
        "created": created,
        "author": author,
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [layer_digest],
        "component": {"exports": exports, "imports": imports},
    }


@dataclass
class PushResult:
    """A pushed artifact: ``digest`` is the manifest's (what ``REF@digest`` pins), ``layer_digest``
    and ``layer_size`` the component's blob, ``config`` the artifact config pushed."""

    reference: Reference
    digest: str
    layer_digest: str
    layer_size: int
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def pinned(self) -> str:
        """``registry/repository@sha256:...``: the reference that can't move."""
        return f"{self.reference.registry}/{self.reference.repository}@{self.digest}"


def _check_docker_config(path: Path) -> None:
    """Raise PushError when the Docker config file exists but is not JSON (oras-py would
    fail on it with a bare ValueError)."""
    if not path.is_file():
        return
    try:
        json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise PushError(f"the Docker config file {path} can't be read: {error}",
                        hint="Fix or remove it, or pass --username with --password-stdin.") from None


def push(wasm: Path, reference: str | Reference, *, name: str, created: str, username: str | None = None,
         password: str | None = None, plain_http: bool = False, author: str | None = None,
         docker_config: Path | None = None) -> PushResult:
    """Push the component ``wasm`` to ``reference`` as a Wasm OCI artifact.

    Credentials: ``username`` and ``password`` when given; else the Docker config file
    (``docker_config``, default ``~/.docker/config.json``: ``auths``, ``credsStore``,
    ``credHelpers``); else anonymous. ``plain_http`` talks HTTP (a local registry).
    ``name`` titles the layer (``<name>.wasm``); ``created`` (RFC 3339) is the build's
    time, so pushing one build twice gives one digest.

    Raises PushError when the reference is invalid, no registry answers, the registry
    refuses the credentials or the upload.
    """
    import oras.provider  # noqa: PLC0415 - only the push commands need it (and requests' import time)
    import requests  # noqa: PLC0415

    ref = reference if isinstance(reference, Reference) else parse_reference(reference)
    exports, imports = component_interfaces(wasm)
    layer_digest = sha256_digest(wasm)
    config = artifact_config(layer_digest, created=created, author=author or f"fabricks {__version__}",
                             exports=exports, imports=imports)
    # oras-py's default auth backend takes any challenge's realm for a token server; a
    # registry that asks for Basic auth (Distribution with htpasswd, Harbor's robot
    # accounts, Artifactory) needs its basic backend. One probe of /v2/ tells, and
    # reports an absent registry at once instead of through oras-py's retries.
    challenge = _challenge(ref, plain_http)
    client = oras.provider.Registry(hostname=ref.registry, insecure=plain_http,
                                    auth_backend="basic" if challenge == "basic" else "token")
    if username is not None:
        # A non-empty auth config keeps oras-py from loading the Docker config over these credentials.
        client.auth._auth_config = {"auths": {}}
        client.auth.set_basic_auth(username, password or "")
    else:
        _check_docker_config(docker_config or Path.home() / ".docker" / "config.json")
        if challenge == "basic":
            client.auth._basic_auth = None
            client.auth.load_configs(client.get_container(str(ref)),
                                     configs=[str(docker_config)] if docker_config else None)
            if not client.auth._basic_auth:
                # Without this, oras-py would send "Basic None" and retry the refusal for minutes.
                raise PushError(f"{ref.registry} asks for a user name and password, and the Docker config file "
                                f"has none for it",
                                hint="Pass --username with --password-stdin, or `docker login` to it first "
                                     "(credentials are read from ~/.docker/config.json).")
    with tempfile.TemporaryDirectory(prefix="fabricks-push-") as tmp:
        # oras-py titles the layer with the file's name: the service's, not "component.wasm".
        layer = Path(tmp) / f"{name}.wasm"
        layer.symlink_to(wasm.resolve())
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(config, indent=2))
        try:
            response = client.push(target=str(ref), files=[f"{layer}:{LAYER_MEDIA_TYPE}"],
                                   manifest_config=f"{config_path}:{CONFIG_MEDIA_TYPE}",
                                   config_path=str(docker_config) if docker_config else None,
                                   disable_path_validation=True, quiet=True)
        except requests.exceptions.ConnectionError as error:  # SSLError included
            raise _unreachable(ref, error, plain_http) from None
        except requests.exceptions.RequestException as error:
            raise PushError(f"talking to {ref.registry} failed: {error}") from None
        except FabricksError:
            raise
        except Exception as error:  # oras-py reports refusals as ValueError and friends
            raise _refusal(ref, error, username is not None) from None
    digest = response.headers.get("Docker-Content-Digest") or _manifest_digest(client, ref)
    return PushResult(ref, digest, layer_digest, wasm.stat().st_size, config)


def _challenge(ref: Reference, plain_http: bool) -> str | None:
    """The auth scheme the registry's ``/v2/`` asks for (``basic``, ``bearer``), None when open.

    Raises PushError when nothing answers there, or it doesn't speak HTTPS.
    """
    import requests  # noqa: PLC0415

    url = f"{'http' if plain_http else 'https'}://{ref.registry}/v2/"
    try:
        response = requests.get(url, timeout=30)
    except requests.exceptions.RequestException as error:
        raise _unreachable(ref, error, plain_http) from None
    header = response.headers.get("WWW-Authenticate", "")
    return header.split(" ", 1)[0].lower() or None if response.status_code == 401 else None


def _unreachable(ref: Reference, error: Exception, plain_http: bool) -> PushError:
    """The PushError for a registry that doesn't answer, or doesn't speak HTTPS (``error``: requests')."""
    import requests  # noqa: PLC0415

    if isinstance(error, requests.exceptions.SSLError):
        return PushError(f"{ref.registry} does not speak HTTPS",
                         hint="A registry without TLS needs --plain-http (only one you trust, e.g. on localhost).")
    return PushError(f"no registry answers at {ref.registry}",
                     hint=f"Check the host and port in {ref} and that the registry is running"
                          f"{'' if plain_http else ' (a local registry without TLS needs --plain-http)'}.")


def _refusal(ref: Reference, error: Exception, explicit: bool) -> PushError:
    text = str(error)
    if re.search(r"\b(401|403)\b|Unauthorized|Forbidden|authenticat", text, re.IGNORECASE):
        source = "the --username and password given" if explicit else "the Docker config file's credentials (or none)"
        return PushError(f"{ref.registry} refused {source} for {ref.repository}",
                         hint="Check the user name and password or token, and that it may push to this repository. "
                              "Credentials come from --username with --password-stdin, else ~/.docker/config.json.")
    return PushError(f"the registry at {ref.registry} refused the push of {ref}: {text}")


def _manifest_digest(client: Any, ref: Reference) -> str:
    """The manifest's digest when the registry's PUT response did not carry it."""
    manifest = client.get_manifest(str(ref))
    return "sha256:" + hashlib.sha256(json.dumps(manifest, separators=(",", ":")).encode()).hexdigest()


def docker_auth_entry(username: str, password: str) -> dict[str, str]:
    """An ``auths`` entry of a Docker config file, as ``docker login`` writes it."""
    return {"auth": base64.b64encode(f"{username}:{password}".encode()).decode()}


__all__ = ["CONFIG_MEDIA_TYPE", "LAYER_MEDIA_TYPE", "MANIFEST_MEDIA_TYPE", "PushResult", "Reference",
           "artifact_config", "component_interfaces", "docker_auth_entry", "parse_reference", "push",
           "sha256_digest"]
