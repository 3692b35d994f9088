"""fabricks_runtime.hashlib_compat: hashlib's OpenSSL-only functions, set only where missing."""

from __future__ import annotations

import hashlib
import sys
import types

from fabricks_runtime import hashlib_compat


def test_an_interpreter_with_openssl_keeps_its_own():
    own = hashlib.pbkdf2_hmac
    assert hashlib_compat.install() == [] and hashlib.pbkdf2_hmac is own


def test_missing_functions_come_from_the_extension(monkeypatch):
    fake = types.ModuleType("_fabricks_hashlib")
    fake.pbkdf2_hmac, fake.scrypt = object(), object()
    monkeypatch.setitem(sys.modules, "_fabricks_hashlib", fake)
    monkeypatch.delattr(hashlib, "pbkdf2_hmac")
    monkeypatch.delattr(hashlib, "scrypt")
    monkeypatch.setattr(hashlib, "__all__", tuple(n for n in hashlib.__all__ if n != "pbkdf2_hmac"))
    assert hashlib_compat.install() == ["pbkdf2_hmac", "scrypt"]
    assert hashlib.pbkdf2_hmac is fake.pbkdf2_hmac and hashlib.scrypt is fake.scrypt
    assert "pbkdf2_hmac" in hashlib.__all__ and "scrypt" not in hashlib.__all__


def test_without_the_extension_nothing_changes(monkeypatch):
    monkeypatch.setitem(sys.modules, "_fabricks_hashlib", None)  # import raises ImportError
    monkeypatch.delattr(hashlib, "scrypt")
    assert hashlib_compat.install() == [] and not hasattr(hashlib, "scrypt")
