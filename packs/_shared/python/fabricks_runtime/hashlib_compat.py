"""hashlib's key derivation functions for a CPython built without OpenSSL.

CPython provides ``hashlib.pbkdf2_hmac`` and ``hashlib.scrypt`` only from its OpenSSL
module ``_hashlib``, which the component's CPython (wasm32-wasi) lacks: Django's default
password hasher and werkzeug's ``generate_password_hash`` fail with ``AttributeError``.
Fabricks installs ``_fabricks_hashlib`` (packs/_shared/python/native/fabricks-hashlib, built
from RustCrypto's crates) into every Python component; :func:`install` puts its functions on
the ``hashlib`` module before the app is imported, so ``hashlib.pbkdf2_hmac`` and
``from hashlib import scrypt`` work as on any CPython.
"""

from __future__ import annotations

import hashlib

NAMES = ("pbkdf2_hmac", "scrypt")


def install() -> list[str]:
    """Set each of NAMES that ``hashlib`` lacks from ``_fabricks_hashlib``; return those set.

    An interpreter that has them (with OpenSSL) keeps its own. Without the extension module
    (an interpreter that isn't the component's), nothing changes.
    """
    missing = [name for name in NAMES if not hasattr(hashlib, name)]
    if not missing:
        return []
    try:
        import _fabricks_hashlib  # noqa: PLC0415 - only where hashlib lacks them
    except ImportError:
        return []
    for name in missing:
        setattr(hashlib, name, getattr(_fabricks_hashlib, name))
    # As hashlib.py does with OpenSSL's: pbkdf2_hmac is in __all__, scrypt is not.
    if "pbkdf2_hmac" in missing and "pbkdf2_hmac" not in hashlib.__all__:
        hashlib.__all__ = (*hashlib.__all__, "pbkdf2_hmac")
    return missing
