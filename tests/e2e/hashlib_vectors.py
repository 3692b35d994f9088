"""Calls of hashlib.pbkdf2_hmac and hashlib.scrypt whose results or errors must be CPython's.

Each is ``(fn, args, kwargs)`` in the JSON form tests/apps/hashlib-kdf/app.py decodes:
``{"bytes": HEX}`` and the like stand for non-JSON values.
"""

from __future__ import annotations


def b(data: bytes) -> dict:
    return {"bytes": data.hex()}


PW, SALT = b(b"password"), b(b"salt")

PBKDF2_NAMES = [
    "sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256", "md5",
    "sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s", "ripemd160", "sm3",
    # CPython's aliases, then OpenSSL's names (matched regardless of case) and OIDs
    "SHA256", "SHA512_224", "blake2b512", "blake2s256", "MD5",
    "Sha256", "sha-256", "SHA2-256", "sha-512/256", "SHA512-224", "SHA3-256", "sha3-256", "BLAKE2B-512",
    "BLAKE2s256", "ssl3-md5", "ssl3-sha1", "SHA-1", "RIPEMD-160", "rmd160", "ripemd", "2.16.840.1.101.3.4.2.1",
    # unknown, or refused by OpenSSL's PBKDF2
    "foo", "", "md4", "whirlpool", "keccak-256", "SHA3_256", "Sha512_224", "sha256 ", "shake_128", "SHAKE256",
    "sha256\x00x",
]

PBKDF2: list[tuple[str, list, dict]] = [
    *[("pbkdf2_hmac", [name, PW, SALT, 2], {}) for name in PBKDF2_NAMES],
    # RFC 6070 (PBKDF2-HMAC-SHA1) vectors, and Django's own parameters
    ("pbkdf2_hmac", ["sha1", PW, SALT, 1, 20], {}),
    ("pbkdf2_hmac", ["sha1", PW, SALT, 4096, 20], {}),
    ("pbkdf2_hmac", ["sha1", b(b"passwordPASSWORDpassword"), b(b"saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096, 25], {}),
    ("pbkdf2_hmac", ["sha1", b(b"pass\0word"), b(b"sa\0lt"), 4096, 16], {}),
    ("pbkdf2_hmac", ["sha256", b(b"hunter2"), b(b"rAnDoMsAlT123456"), 1_000_000], {}),
    ("pbkdf2_hmac", ["sha512", b(b"x" * 200), b(b"y" * 300), 1000], {}),  # a key longer than the block
    # dklen: None, explicit, shorter, longer than the digest (several blocks), 1, bool
    ("pbkdf2_hmac", ["sha256", PW, SALT, 10, None], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 10], {"dklen": 100}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 10, 1], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 10, True], {}),
    ("pbkdf2_hmac", ["md5", PW, SALT, 10, 1000], {}),
    # empty password and salt
    ("pbkdf2_hmac", ["sha256", b(b""), b(b""), 10], {}),
    ("pbkdf2_hmac", ["sha256", b(b""), SALT, 10], {}),
    # bytes-likes and wrong types
    ("pbkdf2_hmac", ["sha256", {"bytearray": "7077"}, {"memoryview": "73"}, 3], {}),
    ("pbkdf2_hmac", ["sha256", "password", SALT, 1], {}),
    ("pbkdf2_hmac", ["sha256", PW, "salt", 1], {}),
    ("pbkdf2_hmac", ["sha256", PW, None, 1], {}),
    ("pbkdf2_hmac", ["sha256", PW, 5, 1], {}),
    ("pbkdf2_hmac", [b(b"sha256"), PW, SALT, 1], {}),
    ("pbkdf2_hmac", [None, PW, SALT, 1], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, {"float": 1.0}], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, "1"], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, None], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, {"float": 2.0}], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, "3"], {}),
    # iterations and dklen out of range, and which check comes first
    ("pbkdf2_hmac", ["sha256", PW, SALT, 0], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, -1], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 2**31], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 2**64], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, 0], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, -5], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, 2**31], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, -2**70], {}),
    ("pbkdf2_hmac", ["foo", PW, SALT, 0], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 0, 0], {}),
    ("pbkdf2_hmac", ["shake_128", PW, SALT, 0], {}),
    ("pbkdf2_hmac", ["shake_128", PW, SALT, 1, 0], {}),
    # how arguments are passed
    ("pbkdf2_hmac", [], {"hash_name": "sha256", "password": PW, "salt": SALT, "iterations": 3, "dklen": 7}),
    ("pbkdf2_hmac", ["sha256", PW], {"salt": SALT, "iterations": 3}),
    ("pbkdf2_hmac", ["sha256", PW, SALT], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, 2, 3], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1], {"salt": SALT}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1], {"foo": 1}),
    ("pbkdf2_hmac", [], {"password": PW}),
    ("pbkdf2_hmac", [], {}),
    ("pbkdf2_hmac", ["sha256", PW, SALT, 1, 32], {"a": 1}),
]

SCRYPT: list[tuple[str, list, dict]] = [
    # RFC 7914 section 12
    ("scrypt", [b(b"")], {"salt": b(b""), "n": 16, "r": 1, "p": 1, "dklen": 64}),
    ("scrypt", [b(b"password")], {"salt": b(b"NaCl"), "n": 1024, "r": 8, "p": 16, "dklen": 64}),
    ("scrypt", [b(b"pleaseletmein")], {"salt": b(b"SodiumChloride"), "n": 16384, "r": 8, "p": 1, "dklen": 64}),
    # werkzeug's default (n=2**15, r=8, p=1, maxmem=132 * n * r * p)
    ("scrypt", [b(b"hunter2")], {"salt": b(b"0123456789abcdef"), "n": 2**15, "r": 8, "p": 1, "maxmem": 132 * 2**15 * 8}),
    ("scrypt", [PW], {"salt": SALT, "n": 2, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "r": 3, "p": 2, "dklen": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "r": 1, "p": 1, "dklen": 1000}),
    ("scrypt", [{"bytearray": "7077"}], {"salt": {"memoryview": "73"}, "n": 8, "r": 1, "p": 1}),
    ("scrypt", [], {"password": PW, "salt": SALT, "n": 4, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": True, "r": 1, "p": 1}),
    # n not a power of 2, out of range or of the wrong type
    ("scrypt", [PW], {"salt": SALT, "n": 3, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 1, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 0, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": -2, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**64, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": {"float": 4.0}, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": None, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": "4", "r": 1, "p": 1}),
    # r, p
    ("scrypt", [PW], {"salt": SALT, "n": 2, "r": 0, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 2, "r": 1, "p": 0}),
    ("scrypt", [PW], {"salt": SALT, "n": 2, "r": -1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "r": 2**40, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "r": 1, "p": 2**33}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "r": 2**20, "p": 2**20}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**16, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**47, "r": 3, "p": 1}),
    # maxmem: the 32 MiB default, too small, out of range
    ("scrypt", [PW], {"salt": SALT, "n": 2**15, "r": 8, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**14, "r": 8, "p": 1, "maxmem": 1000}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**10, "r": 8, "p": 1, "maxmem": 128 * 8 * (2**10 + 2) + 1024}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**10, "r": 8, "p": 1, "maxmem": 128 * 8 * (2**10 + 2) + 1023}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**20, "r": 8, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**14, "r": 8, "p": 1, "maxmem": -1}),
    ("scrypt", [PW], {"salt": SALT, "n": 2**14, "r": 8, "p": 1, "maxmem": 2**31}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "r": 1, "p": 1, "maxmem": {"float": 1.0}}),
    # dklen
    ("scrypt", [PW], {"salt": SALT, "n": 16, "r": 1, "p": 1, "dklen": 0}),
    ("scrypt", [PW], {"salt": SALT, "n": 16, "r": 1, "p": 1, "dklen": 2**31}),
    ("scrypt", [PW], {"salt": SALT, "n": 16, "r": 1, "p": 1, "dklen": None}),
    ("scrypt", [PW], {"salt": SALT, "n": 16, "r": 1, "p": 1, "dklen": 2**64}),
    # missing, wrong type, positional
    ("scrypt", [PW], {"n": 16, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": None, "n": 16, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 4, "r": 1}),
    ("scrypt", [PW], {}),
    ("scrypt", ["password"], {"salt": SALT, "n": 4, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": "salt", "n": 4, "r": 1, "p": 1}),
    ("scrypt", [PW, SALT, 2, 1, 1], {}),
    ("scrypt", [PW, SALT], {"n": 2}),
    ("scrypt", [], {}),
    ("scrypt", [PW], {"password": PW, "salt": SALT, "n": 2, "r": 1, "p": 1}),
    ("scrypt", [PW], {"salt": SALT, "n": 2, "r": 1, "p": 1, "cost": 1}),
    ("scrypt", [], {"salt": SALT, "n": 2, "r": 1, "p": 1, "maxmem": 0, "dklen": 8, "x": 1}),
]

VECTORS = PBKDF2 + SCRYPT
