"""hashlib.pbkdf2_hmac and hashlib.scrypt in a component, whose CPython has no OpenSSL.

Fabricks builds them from RustCrypto's crates (packs/_shared/python/native/fabricks-hashlib) and
sets them on ``hashlib`` before the app is imported. Each call below must give the component
exactly what CPython gives under gunicorn: the same bytes, or the same exception type and message.
Then the password hashers that need them: werkzeug's and Django's admin login.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .django_admin import PASSWORD, SALT, login, seed_admin
from .harness import ComponentServer, Req, build_app, gunicorn, send
from .hashlib_vectors import VECTORS
from .test_examples import prepare

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "hashlib-kdf"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def servers():
    result = build_app(APP)
    with gunicorn(APP, "app:application", result=result) as native, ComponentServer(result) as component:
        yield native, component


def call(server, body: dict, path: str = "/call") -> dict:
    response = send(server.url, Req("POST", path, JSON, json.dumps(body).encode()))
    assert response.status_code == 200, response.text
    return response.json()


def test_hashlib_has_them_and_exports_pbkdf2_hmac(servers):
    native, component = servers
    answers = [send(s.url, Req("GET", "/")).json() for s in servers]
    assert answers[1] == answers[0] == {"pbkdf2_hmac": True, "scrypt": True, "in_all": ["pbkdf2_hmac"]}


@pytest.mark.parametrize("fn, args, kwargs", VECTORS, ids=[f"{i}-{v[0]}" for i, v in enumerate(VECTORS)])
def test_same_result_or_error_as_cpython(servers, fn, args, kwargs):
    native, component = servers
    spec = {"fn": fn, "args": args, "kwargs": kwargs}
    assert call(component, spec) == call(native, spec)


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2", "pbkdf2:sha256:1000", "pbkdf2:sha1", "scrypt:1024:4:2"])
def test_werkzeug_password_hashes_check_both_ways(servers, method):
    """Salts are random: each side checks its own hash and the other side's."""
    native, component = servers
    made_natively = call(native, {"password": "hunter2", "method": method}, "/werkzeug")
    made_here = call(component, {"password": "hunter2", "method": method, "other_hash": made_natively["hash"]},
                     "/werkzeug")
    checked_natively = call(native, {"password": "hunter2", "method": method, "other_hash": made_here["hash"]},
                            "/werkzeug")
    assert made_here["method"] == made_natively["method"]
    assert made_here["check_right"] and not made_here["check_wrong"] and made_here["check_other"]
    assert checked_natively["check_other"]


def test_django_admin_login(tmp_path: Path):
    """A superuser with a known PBKDF2-SHA256 hash logs into the admin, on gunicorn and the component."""
    native_dir, component_dir, result = prepare("django-blog", tmp_path)
    stored = {seed_admin(d, result) for d in (native_dir, component_dir)}
    assert len(stored) == 1 and stored.pop().startswith(f"pbkdf2_sha256$1000000${SALT}$")
    with gunicorn(native_dir, "mysite.wsgi:application", result=result) as native, \
            ComponentServer(result) as component:
        for server in (native, component):
            wrong = login(server.url, PASSWORD + "!")
            assert (wrong.login_status, wrong.admin_status) == (200, 302), server.url
            right = login(server.url)
            assert (right.login_status, right.location, right.admin_status) == (302, "/admin/", 200), server.url
            assert "Site administration" in right.admin_page and "Log out" in right.admin_page
            print(f"admin login POST on {'component' if server is component else 'gunicorn'}: {right.seconds:.3f} s")
        assert component.service.process.poll() is None, component.log


def test_what_the_components_standard_library_lacks(servers):
    """docs/python-native.md lists what the component's CPython is built without; this keeps it true."""
    found = send(servers[1].url, Req("GET", "/stdlib")).json()
    print(json.dumps(found, indent=1))
    absent = {name for name, said in found.items() if isinstance(said, str) and said != "ok"}
    assert {"_hashlib", "_ctypes", "_multiprocessing", "_lzma", "_bz2", "mmap"} <= absent
    # ssl imports through Fabricks' _ssl stand-in (fabricks_runtime/ssl_compat.py): no TLS in it.
    assert found["ssl"] == "ok" and found["_ssl"] == "ok"
    assert found["threading.Thread.start"].startswith(
        "RuntimeError: can't start new thread: a WebAssembly component has no threads")
    assert {"sha256", "md5", "sha3_256", "blake2b"} <= set(found["hashlib.algorithms_available"])
