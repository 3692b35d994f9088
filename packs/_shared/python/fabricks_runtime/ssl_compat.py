"""A stand-in for CPython's ``_ssl`` in a component, whose CPython is built without OpenSSL.

Libraries import ``ssl`` even when they never open a TLS socket themselves (httpx,
urllib3, requests, aiohttp, PyJWT's ``jwks_client``): they build an ``SSLContext`` at
import or when a client is made, and read its constants. In a WebAssembly component TLS
is the host's job (wasi:http's outgoing-handler speaks https), and no socket can be
wrapped. With this module installed as ``_ssl`` (:func:`install`), the standard
library's own ``ssl.py`` imports: contexts are created and configured, certificates
"loaded" (nothing is read), constants exist with OpenSSL 3's values; wrapping a socket
or a BIO raises :class:`SSLError` saying why. It follows the names ``Lib/ssl.py`` of
CPython 3.14 imports from ``Modules/_ssl.c``.
"""

from __future__ import annotations

import os
import sys

OPENSSL_VERSION = "OpenSSL 3.0.0 (not linked: TLS is done by the WebAssembly host)"
OPENSSL_VERSION_INFO = (3, 0, 0, 0, 0)
OPENSSL_VERSION_NUMBER = 0x30000000
_OPENSSL_API_VERSION = OPENSSL_VERSION_INFO
_DEFAULT_CIPHERS = "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM"
NO_TLS = ("a WebAssembly component cannot open TLS connections itself: the host does TLS for "
          "outgoing HTTP (wasi:http), so an https URL must go through an HTTP client, not a socket")

# OpenSSL 3's values, as CPython's _ssl module exposes them.
PROTOCOL_SSLv23 = 2
PROTOCOL_TLS = 2
PROTOCOL_TLS_CLIENT = 16
PROTOCOL_TLS_SERVER = 17
PROTOCOL_TLSv1 = 3
PROTOCOL_TLSv1_1 = 4
PROTOCOL_TLSv1_2 = 5
PROTO_MAXIMUM_SUPPORTED = -1
PROTO_MINIMUM_SUPPORTED = -2
PROTO_SSLv3 = 768
PROTO_TLSv1 = 769
PROTO_TLSv1_1 = 770
PROTO_TLSv1_2 = 771
PROTO_TLSv1_3 = 772
OP_ALL = 2147483728
OP_CIPHER_SERVER_PREFERENCE = 4194304
OP_ENABLE_KTLS = 8
OP_ENABLE_MIDDLEBOX_COMPAT = 1048576
OP_IGNORE_UNEXPECTED_EOF = 128
OP_LEGACY_SERVER_CONNECT = 4
OP_NO_COMPRESSION = 131072
OP_NO_RENEGOTIATION = 1073741824
OP_NO_SSLv2 = 0
OP_NO_SSLv3 = 33554432
OP_NO_TICKET = 16384
OP_NO_TLSv1 = 67108864
OP_NO_TLSv1_1 = 268435456
OP_NO_TLSv1_2 = 134217728
OP_NO_TLSv1_3 = 536870912
OP_SINGLE_DH_USE = 0
OP_SINGLE_ECDH_USE = 0
CERT_NONE = 0
CERT_OPTIONAL = 1
CERT_REQUIRED = 2
VERIFY_ALLOW_PROXY_CERTS = 64
VERIFY_CRL_CHECK_CHAIN = 12
VERIFY_CRL_CHECK_LEAF = 4
VERIFY_DEFAULT = 0
VERIFY_X509_PARTIAL_CHAIN = 524288
VERIFY_X509_STRICT = 32
VERIFY_X509_TRUSTED_FIRST = 32768
HOSTFLAG_ALWAYS_CHECK_SUBJECT = 1
HOSTFLAG_MULTI_LABEL_WILDCARDS = 8
HOSTFLAG_NEVER_CHECK_SUBJECT = 32
HOSTFLAG_NO_PARTIAL_WILDCARDS = 4
HOSTFLAG_NO_WILDCARDS = 2
HOSTFLAG_SINGLE_LABEL_SUBDOMAINS = 16
ENCODING_DER = 2
ENCODING_PEM = 1
SSL_ERROR_EOF = 8
SSL_ERROR_INVALID_ERROR_CODE = 10
SSL_ERROR_SSL = 1
SSL_ERROR_SYSCALL = 5
SSL_ERROR_WANT_CONNECT = 7
SSL_ERROR_WANT_READ = 2
SSL_ERROR_WANT_WRITE = 3
SSL_ERROR_WANT_X509_LOOKUP = 4
SSL_ERROR_ZERO_RETURN = 6
ALERT_DESCRIPTION_ACCESS_DENIED = 49
ALERT_DESCRIPTION_BAD_CERTIFICATE = 42
ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = 114
ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = 113
ALERT_DESCRIPTION_BAD_RECORD_MAC = 20
ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = 45
ALERT_DESCRIPTION_CERTIFICATE_REVOKED = 44
ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = 46
ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = 111
ALERT_DESCRIPTION_CLOSE_NOTIFY = 0
ALERT_DESCRIPTION_DECODE_ERROR = 50
ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = 30
ALERT_DESCRIPTION_DECRYPT_ERROR = 51
ALERT_DESCRIPTION_HANDSHAKE_FAILURE = 40
ALERT_DESCRIPTION_ILLEGAL_PARAMETER = 47
ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = 71
ALERT_DESCRIPTION_INTERNAL_ERROR = 80
ALERT_DESCRIPTION_NO_RENEGOTIATION = 100
ALERT_DESCRIPTION_PROTOCOL_VERSION = 70
ALERT_DESCRIPTION_RECORD_OVERFLOW = 22
ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = 10
ALERT_DESCRIPTION_UNKNOWN_CA = 48
ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = 115
ALERT_DESCRIPTION_UNRECOGNIZED_NAME = 112
ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = 43
ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = 110
ALERT_DESCRIPTION_USER_CANCELLED = 90
HAS_ALPN = True
HAS_ECDH = True
HAS_NPN = False
HAS_PSK = True
HAS_SNI = True
HAS_SSLv2 = False
HAS_SSLv3 = False
HAS_TLS_UNIQUE = True
HAS_TLSv1 = True
HAS_TLSv1_1 = True
HAS_TLSv1_2 = True
HAS_TLSv1_3 = True
HAS_PHA = False


class SSLError(OSError):
    """An error of the TLS layer (``ssl.SSLError``)."""

    library = None
    reason = None

    def __str__(self) -> str:
        return self.strerror if self.strerror else super().__str__()


class SSLZeroReturnError(SSLError):
    """The TLS connection was closed cleanly."""


class SSLWantReadError(SSLError):
    """Non-blocking TLS: more data must be read."""


class SSLWantWriteError(SSLError):
    """Non-blocking TLS: more data must be written."""


class SSLSyscallError(SSLError):
    """A system error below TLS."""


class SSLEOFError(SSLError):
    """EOF in violation of the protocol."""


class SSLCertVerificationError(SSLError, ValueError):
    """A certificate could not be verified."""


_OBJECTS = {
    "1.3.6.1.5.5.7.3.1": (129, "serverAuth", "TLS Web Server Authentication", "1.3.6.1.5.5.7.3.1"),
    "1.3.6.1.5.5.7.3.2": (130, "clientAuth", "TLS Web Client Authentication", "1.3.6.1.5.5.7.3.2"),
}


def txt2obj(txt: str, name: bool = False) -> tuple[int, str, str, str]:
    """``(nid, shortname, longname, oid)`` of an ASN.1 object (the two ``ssl.Purpose`` values)."""
    for entry in _OBJECTS.values():
        if txt in ((entry[1], entry[2]) if name else (entry[3],)):
            return entry
    raise ValueError(f"unknown object '{txt}'")


def nid2obj(nid: int) -> tuple[int, str, str, str]:
    """Like :func:`txt2obj`, by numeric identifier."""
    for entry in _OBJECTS.values():
        if entry[0] == nid:
            return entry
    raise ValueError(f"unknown NID {nid}")


def RAND_status() -> bool:
    """The random generator is the host's (wasi:random): always seeded."""
    return True


def RAND_add(string, entropy: float) -> None:
    """Accepted and ignored: wasi:random needs no seeding."""


def RAND_bytes(n: int) -> bytes:
    """``n`` random bytes from the host (wasi:random through os.urandom)."""
    return os.urandom(n)


def get_default_verify_paths() -> tuple[str, str, str, str]:
    """No certificate files exist in a component: the host verifies peers."""
    return ("SSL_CERT_FILE", "", "SSL_CERT_DIR", "")


class MemoryBIO:
    """An in-memory buffer (``ssl.MemoryBIO``); usable, though nothing can run TLS over it."""

    def __init__(self) -> None:
        self._data, self.eof = bytearray(), False

    @property
    def pending(self) -> int:
        return len(self._data)

    def read(self, size: int = -1) -> bytes:
        size = len(self._data) if size < 0 else size
        out = bytes(self._data[:size])
        del self._data[:size]
        return out

    def write(self, data) -> int:
        if self.eof:
            raise SSLError("cannot write() after write_eof()")
        self._data += bytes(data)
        return len(data)

    def write_eof(self) -> None:
        self.eof = True


class SSLSession:
    """A TLS session (``ssl.SSLSession``): none is ever established in a component."""


def _setting(name: str) -> property:
    """A plain stored setting; ``ssl.SSLContext`` reaches it as a descriptor of this class."""
    return property(lambda self: self._settings[name], lambda self, value: self._settings.__setitem__(name, value))


class _SSLContext:
    """The settings of ``ssl.SSLContext``, kept and read back; wrapping raises SSLError."""

    options = _setting("options")
    verify_flags = _setting("verify_flags")
    minimum_version = _setting("minimum_version")
    maximum_version = _setting("maximum_version")
    _msg_callback = _setting("_msg_callback")

    def __new__(cls, protocol: int = PROTOCOL_TLS, *args, **kwargs):
        self = super().__new__(cls)
        client = protocol == PROTOCOL_TLS_CLIENT
        self._protocol = protocol
        self._settings = {
            "options": OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE | OP_NO_TICKET,
            "verify_flags": VERIFY_X509_TRUSTED_FIRST, "minimum_version": PROTO_MINIMUM_SUPPORTED,
            "maximum_version": PROTO_MAXIMUM_SUPPORTED, "_msg_callback": None,
        }
        self._verify_mode = CERT_REQUIRED if client else CERT_NONE
        self._check_hostname = client
        self._host_flags = 0
        self.post_handshake_auth = False
        self.keylog_filename = None
        self.sni_callback = None
        self.num_tickets = 2
        self.security_level = 2
        return self

    @property
    def protocol(self) -> int:
        return self._protocol

    @property
    def verify_mode(self) -> int:
        return self._verify_mode

    @verify_mode.setter
    def verify_mode(self, value: int) -> None:
        if value == CERT_NONE and self._check_hostname:
            raise ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.")
        self._verify_mode = int(value)

    @property
    def check_hostname(self) -> bool:
        return self._check_hostname

    @check_hostname.setter
    def check_hostname(self, value: bool) -> None:
        if value and self._verify_mode == CERT_NONE:
            self._verify_mode = CERT_REQUIRED
        self._check_hostname = bool(value)

    def load_verify_locations(self, cafile=None, capath=None, cadata=None) -> None:
        if cafile is None and capath is None and cadata is None:
            raise TypeError("cafile, capath and cadata cannot be all omitted")
        if cafile is not None and not os.path.exists(os.fspath(cafile)):
            raise FileNotFoundError(2, "No such file or directory", os.fspath(cafile))

    def load_cert_chain(self, certfile, keyfile=None, password=None) -> None:
        if not os.path.exists(os.fspath(certfile)):
            raise FileNotFoundError(2, "No such file or directory", os.fspath(certfile))

    def set_default_verify_paths(self) -> None:
        pass

    def set_ciphers(self, ciphers: str) -> None:
        if not isinstance(ciphers, str):
            raise TypeError("ciphers must be a str")

    def get_ciphers(self) -> list[dict]:
        return []

    def _set_alpn_protocols(self, protos) -> None:
        pass

    def set_ecdh_curve(self, name) -> None:
        pass

    def load_dh_params(self, path) -> None:
        pass

    def set_psk_client_callback(self, callback) -> None:
        pass

    def set_psk_server_callback(self, callback, identity_hint=None) -> None:
        pass

    def cert_store_stats(self) -> dict[str, int]:
        return {"x509": 0, "crl": 0, "x509_ca": 0}

    def get_ca_certs(self, binary_form: bool = False) -> list:
        return []

    def session_stats(self) -> dict[str, int]:
        return {}

    def _wrap_socket(self, sock, server_side, server_hostname=None, *, owner=None, session=None):
        raise SSLError(f"cannot wrap a socket in TLS ({server_hostname or 'server side'}): {NO_TLS}")

    def _wrap_bio(self, incoming, outgoing, server_side, server_hostname=None, *, owner=None, session=None):
        raise SSLError(f"cannot run TLS over memory BIOs ({server_hostname or 'server side'}): {NO_TLS}")


def install() -> bool:
    """Make ``import ssl`` work where CPython has no ``_ssl`` (no OpenSSL); True if installed.

    Must run before anything imports ``ssl``; the interpreter's own ``_ssl`` wins when it exists.
    """
    try:
        import _ssl  # noqa: F401, PLC0415 - the real one
    except ImportError:
        sys.modules["_ssl"] = sys.modules[__name__]
        return True
    return False
