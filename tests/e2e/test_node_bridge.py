"""The node:http bridge of the node-express pack through a real component and host, against
the same request listener on Node's own node:http, with no framework between."""

from __future__ import annotations

import http.client
import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from fabricks.resolve import Flags

from .harness import (ComponentServer, Req, assert_client_gone_is_no_error, assert_instance_survives, assert_streams,
                      both, build_app, node_http, send, set_cookies)

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "node-http-conformance"
ENV = {"FABRICKS_GREETING": "hej"}


@pytest.fixture(scope="module")
def result():
    return build_app(APP)


@pytest.fixture(scope="module")
def servers(tmp_path_factory, result):
    copy = tmp_path_factory.mktemp("native") / APP.name
    shutil.copytree(APP, copy)
    with node_http(copy, "server.js", env=ENV, result=result) as native, ComponentServer(result, env=ENV) as component:
        yield native, component


def test_request_parts_match_node(servers):
    latin1 = "caf\u00e9".encode().decode("latin-1")
    both(servers, Req("GET", "/request?a=1&b=%20c", {"X-One": "1", "X-Two": latin1, "Cookie": "a=1"}))
    both(servers, Req("PUT", "/request/", {"X-Multi": "1", "Content-Type": "text/plain"}, "h\u00e9llo".encode()))


def test_repeated_request_headers_join_as_node_joins_them(servers):
    answers = [_repeated(s.url) for s in servers]
    assert answers[0] == answers[1]
    assert answers[1]["headers"]["x-multi"] == "1, 2" and answers[1]["distinct"] == ["1", "2"]


def _repeated(url: str) -> dict:
    """GET /request with X-Multi sent on two header lines (requests would join them)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("GET", "/request")
    for value in ("1", "2"):
        connection.putheader("X-Multi", value)
    connection.endheaders()
    return json.loads(connection.getresponse().read())


def test_request_body_over_1mb_arrives_whole(servers):
    body = bytes(range(256)) * 8_193
    assert both(servers, Req("POST", "/echo", {"Content-Type": "application/octet-stream"}, body)).json()["length"] == len(body)


def test_chunked_request_body_arrives_whole(servers):
    chunks = [bytes([i]) * 100_000 for i in range(12)]
    answers = [requests.post(s.url + "/echo", data=iter(chunks), timeout=60).json() for s in servers]
    assert answers[0] == answers[1] and answers[0]["length"] == 1_200_000


def test_piped_body_comes_back_whole(servers):
    body = bytes(range(256)) * 5_000
    assert both(servers, Req("POST", "/pipe", {"Content-Type": "application/octet-stream"}, body)).content == body


def test_streamed_response_over_1mb_arrives_whole(servers):
    assert len(both(servers, Req("GET", "/big?size=2500001")).content) == 2_500_001


def test_response_streams_before_the_body_is_done(servers):
    _, component = servers
    assert_streams(component.url + "/slow-stream")


def test_several_set_cookie_headers_survive(servers):
    response = both(servers, Req("GET", "/cookies"))
    assert set_cookies(response) == ["a=1; Path=/", "b=2; HttpOnly", "c=3, d=4; SameSite=Lax"]


def test_write_head_and_append_header(servers):
    response = both(servers, Req("GET", "/write-head"))
    assert response.status_code == 201 and response.raw.headers.getlist("X-Pair") == ["1", "2"]
    assert both(servers, Req("GET", "/write-head-after-set")).json() == {"x-set": "before", "x-pair": "2"}
    assert both(servers, Req("GET", "/append")).json() == {"names": ["x-append"], "sent": False}


def test_head_304_204_and_empty(servers):
    both(servers, Req("HEAD", "/cookies"))
    both(servers, Req("HEAD", "/etag"))
    assert both(servers, Req("GET", "/etag", {"If-None-Match": '"v1"'})).status_code == 304
    assert both(servers, Req("GET", "/no-content")).status_code == 204
    assert both(servers, Req("GET", "/empty")).headers["Content-Length"] == "0"


def test_granted_environment_reaches_process_env(servers):
    answer = both(servers, Req("GET", "/env", ignore_headers=frozenset({"content-length"}), compare_body=False)).json()
    assert answer["greeting"] == "hej" and answer["cwd"] == "/app"


def test_node_env_is_production_from_the_top_level_on(servers):
    """NODE_ENV is the build's (the pack's node_env, "production" by default): read statically,
    by a computed name, or listed, at the top level (build time) and in a request, as Node
    started with NODE_ENV=production sees it."""
    answer = both(servers, Req("GET", "/env", ignore_headers=frozenset({"content-length"}), compare_body=False)).json()
    assert answer["mode"] == answer["modeAtTopLevel"] == answer["modeByName"] == "production"
    assert answer["modeListed"] is True


@pytest.mark.parametrize("mode, expected", [("development", "development"), ("", None)])
def test_node_env_follows_the_fabrickfile(tmp_path, mode, expected):
    app = tmp_path / APP.name
    shutil.copytree(APP, app)
    fabrickfile = app / "Fabrickfile"
    fabrickfile.write_text(fabrickfile.read_text().replace('app = "server.js"', f'app = "server.js"\nnode_env = "{mode}"'))
    with ComponentServer(build_app(app)) as component:
        answer = requests.get(component.url + "/env", timeout=30).json()
    assert answer["mode"] == answer["modeAtTopLevel"] == answer["modeByName"] == expected
    assert answer["modeListed"] is (expected is not None)


def test_bundled_files_are_read_only(servers):
    _, component = servers
    assert send(component.url, Req("GET", "/fs")).json() == {"data": "bundled data\n", "exists": False, "readOnly": "EROFS"}


def test_crypto_hashes_match_node(servers):
    both(servers, Req("GET", "/crypto"))


def test_unknown_route(servers):
    both(servers, Req("DELETE", "/nowhere"))


# Node's own server lets an exception thrown by a listener end the process; in a component
# the bridge answers 500 (or truncates a started body) and the instance serves on.
def test_exception_before_the_response_is_a_500(servers):
    _, component = servers
    response = send(component.url, Req("GET", "/throw"))
    assert response.status_code == 500 and response.text == "Internal Server Error\n"
    assert component.log_contains("thrown before the response started"), component.log


def test_exception_after_the_start_truncates_the_body(servers):
    _, component = servers
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(component.url + "/throw-after-start", timeout=30).content


def test_a_client_gone_mid_response_is_no_error_to_the_app(result):
    """As in Node, res.write throws nothing into the app when the client has gone (Express
    would hand it to its error handler, and a request left with no response retires the
    instance): a 64 MB body abandoned after 64 KiB."""
    with ComponentServer(result) as component:
        assert_client_gone_is_no_error(component, f"/big?size={64 << 20}")


def test_the_instance_survives_exceptions_with_its_state(result):
    with ComponentServer(result) as component:
        assert_instance_survives(component, "/throw")


def test_exported_fastify_instance_is_made_ready(tmp_path):
    """module.exports = fastify, no listen(): its plugins (one awaiting a 10 ms timer) load
    before it serves, in the component as under Node."""
    app = APP.parent / "fastify-export"
    result = build_app(app)
    shutil.copytree(app, tmp_path / app.name)
    with node_http(tmp_path / app.name, "app.js", result=result) as native, ComponentServer(result) as component:
        assert both((native, component), Req("GET", "/")).json() == {"greeting": "hello"}


def test_an_exported_server_that_never_listens_is_served(tmp_path):
    """`export default http.createServer(...)` with no listen(): the platform listens for it (it
    waited for a listen() that never came, and the instance trapped)."""
    app = tmp_path / "esm-server"
    app.mkdir()
    (app / "app.mjs").write_text("import http from 'node:http';\n"
                                 "export default http.createServer((req, res) => {\n"
                                 "  res.setHeader('content-type', 'text/plain');\n"
                                 "  res.end('hello from ' + req.url);\n});\n")
    (app / "Fabrickfile").write_text('[nodejs]\nframework = "http"\napp = "app.mjs"\n')
    result = build_app(app)
    with node_http(app, "app.mjs", result=result) as native, ComponentServer(result) as component:
        assert both((native, component), Req("GET", "/x?y=1")).text == "hello from /x?y=1"


def test_node_crypto_matches_node(tmp_path):
    """node:crypto in a component (compiled hashes, crypto-browserify, @noble): hashes and HMACs
    fed every way, KDFs (a login's PBKDF2 among them), ciphers, RSA/ECDSA/Ed25519 signatures,
    KeyObjects, generated key pairs and ECDH give Node's bytes for the same inputs."""
    app = APP.parent / "node-crypto"
    result = build_app(app)
    shutil.copytree(app, tmp_path / app.name)
    with node_http(tmp_path / app.name, "server.js", result=result) as native, ComponentServer(result) as component:
        for path in ("/kdf", "/hashes", "/hash-stream", "/ciphers", "/signatures", "/misc", "/webcrypto"):
            answer = both((native, component), Req("GET", path)).json()
            if path == "/signatures":
                assert all(answer[k] for k in ("rsaVerifies", "ecdsaVerifies", "generated", "generatedEd")), answer
                assert answer["ecdsaRejects"] is False


def test_password_hashing_matches_node(tmp_path):
    """bcrypt, whose native addon the component stands in for (6.x found by node-gyp-build, 5.x
    by node-pre-gyp), and bcryptjs (2.x and 3.x), both over the compiled EksBlowfish: Node's
    hashes for the same passwords and salts (the $2a$/$2b$/$2$ key rules, 72-byte cut, bad
    salts' errors), salts, promise and callback forms, a login at cost 10; hashes made while
    the component was built verify in it. argon2 (a native addon too, over the compiled
    Argon2): Node's PHC strings for each type, version, secret and associated data, raw
    output, argon2's own errors, verify and needsRehash."""
    app = APP.parent / "node-passwords"
    result = build_app(app)
    bundle = (result.directory / "bundle.js").read_text()
    # The app's bcryptjs 3 and 2, and the toolchain's (the bcrypt stand-in's build-time hashing).
    assert bundle.count("bcryptjsCrypt(b, salt, rounds)") == 3, "each bcryptjs's _crypt asks the compiled one"
    assert not any("bcryptjs" in w for w in result.warnings), result.warnings
    shutil.copytree(app, tmp_path / app.name)
    with node_http(tmp_path / app.name, "server.js", result=result) as native, ComponentServer(result) as component:
        for lib in ("bcrypt", "bcryptjs", "bcryptjs2"):
            for path in ("/vectors", "/async", "/login"):
                both((native, component), Req("GET", f"{path}?lib={lib}"))
        # Node can't load bcrypt 5 here (its addon's binary is downloaded by an install script):
        # its answers are bcrypt 6's, the same C under the same JavaScript.
        for path in ("/vectors", "/async", "/login"):
            assert send(component.url, Req("GET", f"{path}?lib=bcrypt5")).json() == \
                send(native.url, Req("GET", f"{path}?lib=bcrypt")).json()
        both((native, component), Req("GET", "/argon2"))
        seeded = both((native, component), Req("GET", "/seeded")).json()
        assert seeded == {"bcrypt": ["$2b$04$", True, False], "bcryptjs": ["$2b$04$", True, False]}


PROCESS_APP = APP.parent / "node-process"


@pytest.fixture(scope="module")
def process_result():
    return build_app(PROCESS_APP)


# With no process.on() handler Node ends the process on each of these; a component fails the
# request (500 before the headers, a cut-off body after), logs the error once at the user's
# line, replaces the instance, and the service serves on.
@pytest.mark.parametrize("path, logged", [
    ("/timer-throw", "Uncaught exception at server.js:28 while serving GET /timer-throw: Error: thrown by a timer"),
    ("/tick-throw", "Uncaught exception at server.js:33 while serving GET /tick-throw: Error: thrown by a nextTick callback"),
    ("/async-listener", "Unhandled rejection at server.js:9 while serving GET /async-listener: Error: the async listener rejected"),
    ("/reject", "Promise rejected but never handled: rejected and never awaited"),
])
def test_uncaught_errors_fail_the_request_and_the_service_serves_on(process_result, path, logged):
    with ComponentServer(process_result) as component:
        assert send(component.url, Req("GET", "/count")).status_code == 200
        response = send(component.url, Req("GET", path))
        assert response.status_code == 500 and response.text == "Internal Server Error\n"
        assert send(component.url, Req("GET", "/count")).status_code == 200
        assert send(component.url, Req("GET", "/wait")).text == "waited"
        assert component.log_contains(logged), component.log
        assert component.log.count("Node would exit here") == 1, component.log


def test_unhandled_rejection_after_the_start_cuts_the_body_off(process_result):
    with ComponentServer(process_result) as component:
        with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            requests.get(component.url + "/reject-after-start", timeout=30).content
        assert send(component.url, Req("GET", "/count")).status_code == 200


@pytest.fixture(scope="module")
def handler_servers(tmp_path_factory):
    result = build_app(PROCESS_APP, Flags(app="handlers.js"))
    copy = tmp_path_factory.mktemp("native") / PROCESS_APP.name
    shutil.copytree(PROCESS_APP, copy)
    with node_http(copy, "handlers.js", result=result) as native, ComponentServer(result) as component:
        yield native, component


def test_process_handlers_are_honored_as_node_honors_them(handler_servers):
    """process.on('unhandledRejection' | 'uncaughtException') get the errors, with Node's
    origins, and the process (here the instance) serves on."""
    for path in ("/async-listener", "/timer-throw", "/tick-throw"):
        assert both(handler_servers, Req("GET", path)).status_code == 500


def test_the_instance_survives_an_unhandled_rejection_with_a_handler(handler_servers):
    _, component = handler_servers
    assert_instance_survives(component, "/async-listener")


def test_compression_middleware_matches_node(tmp_path):
    """Express's compression middleware over node:zlib (browserify-zlib): gzip, deflate and
    identity by Accept-Encoding, the threshold, and a streamed body."""
    app = APP.parent / "express-compression"
    result = build_app(app)
    shutil.copytree(app, tmp_path / app.name)
    with node_http(tmp_path / app.name, "app.js", result=result) as native, ComponentServer(result) as component:
        for encoding in ("gzip", "deflate", "identity"):
            for path in ("/json", "/small", "/stream"):
                response = both((native, component), Req("GET", path, {"Accept-Encoding": encoding}))
                if path != "/small" and encoding != "identity":
                    assert response.headers["Content-Encoding"] == encoding
