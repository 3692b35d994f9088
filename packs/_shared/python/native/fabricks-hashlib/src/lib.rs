//! `hashlib.pbkdf2_hmac` and `hashlib.scrypt` for a CPython built without OpenSSL.
//!
//! componentize-py's CPython (3.14, wasm32-wasi) has no `_hashlib`, so the two key derivation
//! functions that only OpenSSL provides in CPython are missing: Django's default password
//! hasher (PBKDF2-SHA256) and werkzeug's (scrypt) fail. This module computes them with
//! RustCrypto's `pbkdf2`, `scrypt`, `hmac` and digest crates, and reproduces what CPython's
//! `_hashlib` (Modules/_hashopenssl.c with OpenSSL 3) accepts and raises: its Argument Clinic
//! signatures, the order of its checks, and its exception types and messages. Integers are
//! checked as a 64-bit CPython does (C `long` and `unsigned long` of 64 bits), so an app sees
//! the same results in the component (where `long` is 32-bit) as on its usual server.
//!
//! The Python side (packs/_shared/python/fabricks_runtime/hashlib_compat.py) sets these
//! functions on the `hashlib` module when the interpreter lacks them.

use digest::Digest;
use hmac::{Hmac, SimpleHmac};
use pyo3::create_exception;
use pyo3::exceptions::{PyMemoryError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

const INT_MAX: i64 = i32::MAX as i64;

create_exception!(
    _fabricks_hashlib,
    UnsupportedDigestmodError,
    PyValueError,
    "A hash name pbkdf2_hmac() does not know (CPython: _hashlib.UnsupportedDigestmodError)."
);

// ---------------------------------------------------------------------------------------------
// Argument parsing, as Argument Clinic's `_PyArg_UnpackKeywords` (CPython 3.11-3.12 wording).

/// Positional-or-keyword and keyword-only parameters of one function, and how many are required.
struct Signature {
    name: &'static str,
    params: &'static [&'static str],
    min_pos: usize,
    max_pos: usize,
}

impl Signature {
    /// Match `args`/`kwargs` to the parameters; `None` for one not given.
    /// Raises TypeError with clinic's messages (too many, missing, duplicated, unexpected).
    fn unpack<'py>(
        &self,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Vec<Option<Bound<'py, PyAny>>>> {
        let nargs = args.len();
        let nkw = kwargs.map_or(0, |k| k.len());
        let max_args = self.params.len();
        let f = self.name;
        if nargs + nkw > max_args {
            return Err(PyTypeError::new_err(format!(
                "{f}() takes at most {max_args} {}argument{} ({} given)",
                if nargs == 0 { "keyword " } else { "" },
                if max_args == 1 { "" } else { "s" },
                nargs + nkw
            )));
        }
        if nargs > self.max_pos {
            return Err(PyTypeError::new_err(if self.max_pos == 0 {
                format!("{f}() takes no positional arguments")
            } else {
                format!(
                    "{f}() takes {} {} positional argument{} ({nargs} given)",
                    if self.min_pos < self.max_pos { "at most" } else { "exactly" },
                    self.max_pos,
                    if self.max_pos == 1 { "" } else { "s" }
                )
            }));
        }
        let mut out: Vec<Option<Bound<'py, PyAny>>> = Vec::with_capacity(max_args);
        let mut remaining = nkw;
        for (i, param) in self.params.iter().enumerate() {
            if i < nargs {
                out.push(Some(args.get_item(i)?));
                continue;
            }
            let found = match kwargs {
                Some(k) if remaining > 0 => k.get_item(param)?,
                _ => None,
            };
            if found.is_some() {
                remaining -= 1;
            } else if i < self.min_pos {
                return Err(PyTypeError::new_err(format!(
                    "{f}() missing required argument '{param}' (pos {})",
                    i + 1
                )));
            }
            out.push(found);
        }
        if remaining > 0 {
            let kwargs = kwargs.expect("remaining keywords imply a dict");
            for (i, param) in self.params.iter().enumerate().take(nargs) {
                if kwargs.contains(param)? {
                    return Err(PyTypeError::new_err(format!(
                        "argument for {f}() given by name ('{param}') and position ({})",
                        i + 1
                    )));
                }
            }
            for key in kwargs.keys() {
                let known = match key.cast::<PyString>() {
                    Ok(s) => self.params.contains(&s.to_str()?),
                    Err(_) => false,
                };
                if !known {
                    return Err(PyTypeError::new_err(format!(
                        "{} is an invalid keyword argument for {f}()",
                        key.repr()?
                    )));
                }
            }
        }
        Ok(out)
    }
}

/// `_PyArg_BadArgument`: "f() argument 'x' must be T, not U".
fn bad_argument(func: &str, param: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let got_name = if got.is_none() {
        "None".to_owned()
    } else {
        got.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    };
    PyTypeError::new_err(format!("{func}() argument '{param}' must be {expected}, not {got_name}"))
}

/// The bytes of a bytes-like object, as clinic's `Py_buffer` converter takes them
/// (`PyObject_GetBuffer(obj, PyBUF_SIMPLE)`: "a bytes-like object is required, not 'str'").
fn buffer_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    // SAFETY: the view is filled by PyObject_GetBuffer, read only while held, then released.
    unsafe {
        let mut view: ffi::Py_buffer = std::mem::zeroed();
        if ffi::PyObject_GetBuffer(obj.as_ptr(), &mut view, ffi::PyBUF_SIMPLE) != 0 {
            return Err(PyErr::fetch(obj.py()));
        }
        let data = if view.len > 0 && !view.buf.is_null() {
            std::slice::from_raw_parts(view.buf as *const u8, view.len as usize).to_vec()
        } else {
            Vec::new()
        };
        ffi::PyBuffer_Release(&mut view);
        Ok(data)
    }
}

/// `PyLong_AsLong` of a 64-bit CPython: `__index__` is used, floats are refused.
fn as_c_long(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    // SAFETY: obj is a live reference; the error indicator is checked right after.
    let value = unsafe { ffi::PyLong_AsLongLong(obj.as_ptr()) };
    if value == -1 {
        if let Some(err) = PyErr::take(obj.py()) {
            if err.is_instance_of::<PyOverflowError>(obj.py()) {
                return Err(PyOverflowError::new_err("Python int too large to convert to C long"));
            }
            return Err(err);
        }
    }
    Ok(value)
}

/// `PyLong_AsUnsignedLong` of a 64-bit CPython; `None` when it fails (negative, too large).
fn as_c_unsigned_long(obj: &Bound<'_, PyAny>) -> Option<u64> {
    // SAFETY: obj is a live int (checked by the caller); the error indicator is checked.
    let value = unsafe { ffi::PyLong_AsUnsignedLongLong(obj.as_ptr()) };
    if value == u64::MAX && PyErr::take(obj.py()).is_some() {
        return None;
    }
    Some(value)
}

// ---------------------------------------------------------------------------------------------
// Digests, by the names CPython's OpenSSL build knows.

#[derive(Clone, Copy, Debug)]
enum Algo {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    Blake2b,
    Blake2s,
    Ripemd160,
    Sm3,
    /// SHAKE is an extendable-output function: OpenSSL's PBKDF2 refuses it. Its size is
    /// OpenSSL's default output length (16 or 32 bytes), which sets the default dklen.
    Shake(i64),
}

impl Algo {
    fn digest_size(self) -> i64 {
        match self {
            Algo::Md5 => 16,
            Algo::Sha1 | Algo::Ripemd160 => 20,
            Algo::Sha224 | Algo::Sha512_224 | Algo::Sha3_224 => 28,
            Algo::Sha256 | Algo::Sha512_256 | Algo::Sha3_256 | Algo::Blake2s | Algo::Sm3 => 32,
            Algo::Sha384 | Algo::Sha3_384 => 48,
            Algo::Sha512 | Algo::Sha3_512 | Algo::Blake2b => 64,
            Algo::Shake(size) => size,
        }
    }
}

/// CPython's own table (`py_hashes` in _hashopenssl.c): its names and aliases, matched exactly.
const PYTHON_NAMES: &[(&str, Algo)] = &[
    ("md5", Algo::Md5),
    ("MD5", Algo::Md5),
    ("sha1", Algo::Sha1),
    ("SHA1", Algo::Sha1),
    ("sha224", Algo::Sha224),
    ("SHA224", Algo::Sha224),
    ("sha256", Algo::Sha256),
    ("SHA256", Algo::Sha256),
    ("sha384", Algo::Sha384),
    ("SHA384", Algo::Sha384),
    ("sha512", Algo::Sha512),
    ("SHA512", Algo::Sha512),
    ("sha512_224", Algo::Sha512_224),
    ("SHA512_224", Algo::Sha512_224),
    ("sha512_256", Algo::Sha512_256),
    ("SHA512_256", Algo::Sha512_256),
    ("sha3_224", Algo::Sha3_224),
    ("sha3_256", Algo::Sha3_256),
    ("sha3_384", Algo::Sha3_384),
    ("sha3_512", Algo::Sha3_512),
    ("shake_128", Algo::Shake(16)),
    ("shake_256", Algo::Shake(32)),
    ("blake2s", Algo::Blake2s),
    ("blake2s256", Algo::Blake2s),
    ("blake2b", Algo::Blake2b),
    ("blake2b512", Algo::Blake2b),
];

/// OpenSSL 3's default-provider names and OIDs (providers/implementations/include/prov/names.h),
/// which `EVP_MD_fetch` matches case-insensitively when CPython's table has no entry.
const OPENSSL_NAMES: &[(&str, Algo)] = &[
    ("SHA1", Algo::Sha1),
    ("SHA-1", Algo::Sha1),
    ("SSL3-SHA1", Algo::Sha1),
    ("1.3.14.3.2.26", Algo::Sha1),
    ("SHA2-224", Algo::Sha224),
    ("SHA-224", Algo::Sha224),
    ("SHA224", Algo::Sha224),
    ("2.16.840.1.101.3.4.2.4", Algo::Sha224),
    ("SHA2-256", Algo::Sha256),
    ("SHA-256", Algo::Sha256),
    ("SHA256", Algo::Sha256),
    ("2.16.840.1.101.3.4.2.1", Algo::Sha256),
    ("SHA2-384", Algo::Sha384),
    ("SHA-384", Algo::Sha384),
    ("SHA384", Algo::Sha384),
    ("2.16.840.1.101.3.4.2.2", Algo::Sha384),
    ("SHA2-512", Algo::Sha512),
    ("SHA-512", Algo::Sha512),
    ("SHA512", Algo::Sha512),
    ("2.16.840.1.101.3.4.2.3", Algo::Sha512),
    ("SHA2-512/224", Algo::Sha512_224),
    ("SHA-512/224", Algo::Sha512_224),
    ("SHA512-224", Algo::Sha512_224),
    ("2.16.840.1.101.3.4.2.5", Algo::Sha512_224),
    ("SHA2-512/256", Algo::Sha512_256),
    ("SHA-512/256", Algo::Sha512_256),
    ("SHA512-256", Algo::Sha512_256),
    ("2.16.840.1.101.3.4.2.6", Algo::Sha512_256),
    ("SHA3-224", Algo::Sha3_224),
    ("2.16.840.1.101.3.4.2.7", Algo::Sha3_224),
    ("SHA3-256", Algo::Sha3_256),
    ("2.16.840.1.101.3.4.2.8", Algo::Sha3_256),
    ("SHA3-384", Algo::Sha3_384),
    ("2.16.840.1.101.3.4.2.9", Algo::Sha3_384),
    ("SHA3-512", Algo::Sha3_512),
    ("2.16.840.1.101.3.4.2.10", Algo::Sha3_512),
    ("SHAKE-128", Algo::Shake(16)),
    ("SHAKE128", Algo::Shake(16)),
    ("2.16.840.1.101.3.4.2.11", Algo::Shake(16)),
    ("SHAKE-256", Algo::Shake(32)),
    ("SHAKE256", Algo::Shake(32)),
    ("2.16.840.1.101.3.4.2.12", Algo::Shake(32)),
    ("BLAKE2S-256", Algo::Blake2s),
    ("BLAKE2s256", Algo::Blake2s),
    ("1.3.6.1.4.1.1722.12.2.2.8", Algo::Blake2s),
    ("BLAKE2B-512", Algo::Blake2b),
    ("BLAKE2b512", Algo::Blake2b),
    ("1.3.6.1.4.1.1722.12.2.1.16", Algo::Blake2b),
    ("SM3", Algo::Sm3),
    ("1.2.156.10197.1.401", Algo::Sm3),
    ("MD5", Algo::Md5),
    ("SSL3-MD5", Algo::Md5),
    ("1.2.840.113549.2.5", Algo::Md5),
    ("RIPEMD-160", Algo::Ripemd160),
    ("RIPEMD160", Algo::Ripemd160),
    ("RIPEMD", Algo::Ripemd160),
    ("RMD160", Algo::Ripemd160),
    ("1.3.36.3.2.1", Algo::Ripemd160),
];

fn lookup(name: &str) -> Option<Algo> {
    PYTHON_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| OPENSSL_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
        .map(|(_, algo)| *algo)
}

/// PBKDF2 with HMAC over a digest whose block-level core HMAC can precompute (MD, SHA-2, SHA-3).
fn pbkdf2_eager<D: hmac::EagerHash>(password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8])
where
    Hmac<D>: digest::KeyInit + digest::Update + digest::FixedOutput + Clone,
{
    pbkdf2::pbkdf2::<Hmac<D>>(password, salt, rounds, out).expect("HMAC takes keys of any length");
}

/// PBKDF2 with HMAC over a digest without an eager block core (SHA-3, BLAKE2), through `SimpleHmac`.
fn pbkdf2_simple<D: Digest + digest::block_api::BlockSizeUser + Clone>(
    password: &[u8],
    salt: &[u8],
    rounds: u32,
    out: &mut [u8],
) where
    SimpleHmac<D>: digest::KeyInit + digest::Update + digest::FixedOutput + Clone,
{
    pbkdf2::pbkdf2::<SimpleHmac<D>>(password, salt, rounds, out).expect("HMAC takes keys of any length");
}

fn derive_pbkdf2(algo: Algo, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
    match algo {
        Algo::Md5 => pbkdf2_eager::<md5::Md5>(password, salt, rounds, out),
        Algo::Sha1 => pbkdf2_eager::<sha1::Sha1>(password, salt, rounds, out),
        Algo::Sha224 => pbkdf2_eager::<sha2::Sha224>(password, salt, rounds, out),
        Algo::Sha256 => pbkdf2_eager::<sha2::Sha256>(password, salt, rounds, out),
        Algo::Sha384 => pbkdf2_eager::<sha2::Sha384>(password, salt, rounds, out),
        Algo::Sha512 => pbkdf2_eager::<sha2::Sha512>(password, salt, rounds, out),
        Algo::Sha512_224 => pbkdf2_eager::<sha2::Sha512_224>(password, salt, rounds, out),
        Algo::Sha512_256 => pbkdf2_eager::<sha2::Sha512_256>(password, salt, rounds, out),
        Algo::Sha3_224 => pbkdf2_simple::<sha3::Sha3_224>(password, salt, rounds, out),
        Algo::Sha3_256 => pbkdf2_simple::<sha3::Sha3_256>(password, salt, rounds, out),
        Algo::Sha3_384 => pbkdf2_simple::<sha3::Sha3_384>(password, salt, rounds, out),
        Algo::Sha3_512 => pbkdf2_simple::<sha3::Sha3_512>(password, salt, rounds, out),
        Algo::Ripemd160 => pbkdf2_eager::<ripemd::Ripemd160>(password, salt, rounds, out),
        Algo::Sm3 => pbkdf2_eager::<sm3::Sm3>(password, salt, rounds, out),
        Algo::Blake2b => pbkdf2_simple::<blake2::Blake2b512>(password, salt, rounds, out),
        Algo::Blake2s => pbkdf2_simple::<blake2::Blake2s256>(password, salt, rounds, out),
        Algo::Shake(_) => unreachable!("refused before deriving"),
    }
}

/// A zeroed output buffer, or MemoryError (as `PyBytes_FromStringAndSize` would raise).
fn output(len: usize) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| PyMemoryError::new_err(()))?;
    out.resize(len, 0);
    Ok(out)
}

const PBKDF2: Signature = Signature {
    name: "pbkdf2_hmac",
    params: &["hash_name", "password", "salt", "iterations", "dklen"],
    min_pos: 4,
    max_pos: 5,
};

/// pbkdf2_hmac(hash_name, password, salt, iterations, dklen=None) -> bytes
///
/// Password based key derivation function 2 (PKCS #5 v2.0, RFC 8018) with HMAC as
/// pseudorandom function, as CPython's `hashlib.pbkdf2_hmac`.
///
/// `hash_name` (str): md5, sha1, sha224, sha256, sha384, sha512, sha512_224, sha512_256,
/// sha3_224/256/384/512, blake2b, blake2s, ripemd160, sm3, or an OpenSSL name of one of them
/// (SHA2-256, sha-256, an OID...). `password`, `salt`: bytes-like objects. `iterations`: int
/// >= 1. `dklen`: int >= 1, or None for the digest's size.
///
/// Raises TypeError (argument types, a str password), UnsupportedDigestmodError (a ValueError;
/// unknown `hash_name`), ValueError (iterations or dklen < 1; a SHAKE digest), OverflowError
/// (iterations or dklen over 2**31 - 1).
#[pyfunction(signature = (*args, **kwargs))]
#[pyo3(text_signature = "(hash_name, password, salt, iterations, dklen=None)")]
fn pbkdf2_hmac<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let a = PBKDF2.unpack(args, kwargs)?;
    let name_obj = a[0].as_ref().expect("required");
    let name = name_obj
        .cast::<PyString>()
        .map_err(|_| bad_argument("pbkdf2_hmac", "hash_name", "str", name_obj))?
        .to_str()?
        .to_owned();
    if name.contains('\0') {
        return Err(PyValueError::new_err("embedded null character"));
    }
    let password = buffer_bytes(a[1].as_ref().expect("required"))?;
    let salt = buffer_bytes(a[2].as_ref().expect("required"))?;
    let iterations = as_c_long(a[3].as_ref().expect("required"))?;

    let algo = lookup(&name)
        .ok_or_else(|| UnsupportedDigestmodError::new_err("[digital envelope routines] unsupported"))?;
    if password.len() as u64 > INT_MAX as u64 {
        return Err(PyOverflowError::new_err("password is too long."));
    }
    if salt.len() as u64 > INT_MAX as u64 {
        return Err(PyOverflowError::new_err("salt is too long."));
    }
    if iterations < 1 {
        return Err(PyValueError::new_err("iteration value must be greater than 0."));
    }
    if iterations > INT_MAX {
        return Err(PyOverflowError::new_err("iteration value is too great."));
    }
    let dklen = match a[4].as_ref() {
        None => algo.digest_size(),
        Some(obj) if obj.is_none() => algo.digest_size(),
        Some(obj) => as_c_long(obj)?,
    };
    if dklen < 1 {
        return Err(PyValueError::new_err("key length must be greater than 0."));
    }
    if dklen > INT_MAX {
        return Err(PyOverflowError::new_err("key length is too great."));
    }
    if let Algo::Shake(_) = algo {
        // OpenSSL's PKCS5_PBKDF2_HMAC fails on an XOF without queueing a reason.
        return Err(PyValueError::new_err("no reason supplied"));
    }
    let mut out = output(dklen as usize)?;
    py.detach(|| derive_pbkdf2(algo, &password, &salt, iterations as u32, &mut out));
    Ok(PyBytes::new(py, &out))
}

// ---------------------------------------------------------------------------------------------
// scrypt

/// OpenSSL's default `maxmem` (SCRYPT_MAX_MEM) when the caller passes 0.
const SCRYPT_MAX_MEM: u64 = 1024 * 1024 * 32;
/// OpenSSL's bound on r * p (SCRYPT_PR_MAX).
const SCRYPT_PR_MAX: u64 = (1 << 30) - 1;

const SCRYPT: Signature = Signature {
    name: "scrypt",
    params: &["password", "salt", "n", "r", "p", "maxmem", "dklen"],
    min_pos: 1,
    max_pos: 1,
};

fn memory_limit_exceeded() -> PyErr {
    PyValueError::new_err("[digital envelope routines] memory limit exceeded")
}

/// The parameter checks of OpenSSL 3's scrypt (`scrypt_alg` in providers/implementations/kdfs/
/// scrypt.c), for a 64-bit build. Returns the memory the derivation takes (B and V).
fn scrypt_memory(n: u64, r: u64, p: u64, maxmem: u64) -> PyResult<u64> {
    if p > SCRYPT_PR_MAX / r {
        return Err(memory_limit_exceeded());
    }
    // RFC 7914's N < 2^(128 * r / 8), checked where 2^(16 r) fits in 64 bits.
    if 16 * r <= 63 && n >= 1u64 << (16 * r) {
        return Err(memory_limit_exceeded());
    }
    let b_len = p * 128 * r;
    if b_len > INT_MAX as u64 {
        return Err(memory_limit_exceeded());
    }
    let limit = u64::MAX / (32 * 4);
    if n + 2 > limit / r {
        return Err(memory_limit_exceeded());
    }
    let v_len = 32 * r * (n + 2) * 4;
    if b_len > u64::MAX - v_len || b_len + v_len > maxmem {
        return Err(memory_limit_exceeded());
    }
    Ok(b_len + v_len)
}

/// scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64) -> bytes
///
/// The scrypt password-based key derivation function (RFC 7914), as CPython's
/// `hashlib.scrypt` built on OpenSSL 3.
///
/// `password`, `salt`: bytes-like objects. `n` (a power of 2, >= 2), `r`, `p`: ints >= 1.
/// `maxmem`: bytes of memory allowed, 0 for OpenSSL's 32 MiB, at most 2**31 - 1; the work
/// takes 128 * r * (n + 2 + p) bytes. `dklen`: 1 to 2**31 - 1.
///
/// Raises TypeError (argument types, salt or n, r, p missing or negative), ValueError
/// (n not a power of 2, r or p of 0, maxmem or dklen out of range, "memory limit exceeded"
/// with OpenSSL's wording), OverflowError (password or salt over 2**31 - 1 bytes).
#[pyfunction(name = "scrypt", signature = (*args, **kwargs))]
#[pyo3(text_signature = "(password, *, salt=None, n=None, r=None, p=None, maxmem=0, dklen=64)")]
fn scrypt_py<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let a = SCRYPT.unpack(args, kwargs)?;
    let password = buffer_bytes(a[0].as_ref().expect("required"))?;
    let salt = a[1].as_ref().map(buffer_bytes).transpose()?;
    let mut ints = [None, None, None];
    for (slot, (i, name)) in ints.iter_mut().zip([(2, "n"), (3, "r"), (4, "p")]) {
        if let Some(obj) = a[i].as_ref() {
            // SAFETY: obj is a live reference.
            if unsafe { ffi::PyLong_Check(obj.as_ptr()) } == 0 {
                return Err(bad_argument("scrypt", name, "int", obj));
            }
            *slot = Some(obj.clone());
        }
    }
    let maxmem = a[5].as_ref().map(as_c_long).transpose()?.unwrap_or(0);
    let dklen = a[6].as_ref().map(as_c_long).transpose()?.unwrap_or(64);

    if password.len() as u64 > INT_MAX as u64 {
        return Err(PyOverflowError::new_err("password is too long."));
    }
    let salt = salt.ok_or_else(|| PyTypeError::new_err("salt is required"))?;
    if salt.len() as u64 > INT_MAX as u64 {
        return Err(PyOverflowError::new_err("salt is too long."));
    }
    let unsigned = |i: usize, name: &str| {
        ints[i].as_ref().and_then(as_c_unsigned_long).ok_or_else(|| {
            PyTypeError::new_err(format!("{name} is required and must be an unsigned int"))
        })
    };
    let n = unsigned(0, "n")?;
    if n < 2 || n & (n - 1) != 0 {
        return Err(PyValueError::new_err("n must be a power of 2."));
    }
    let r = unsigned(1, "r")?;
    let p = unsigned(2, "p")?;
    if !(0..=INT_MAX).contains(&maxmem) {
        return Err(PyValueError::new_err(format!(
            "maxmem must be positive and smaller than {INT_MAX}"
        )));
    }
    if !(1..=INT_MAX).contains(&dklen) {
        return Err(PyValueError::new_err(format!(
            "dklen must be greater than 0 and smaller than {INT_MAX}"
        )));
    }
    // OpenSSL's parameter validation (EVP_PBE_scrypt_ex without a key).
    if r > u32::MAX as u64 || p > u32::MAX as u64 {
        return Err(PyValueError::new_err("[digital envelope routines] parameter too large"));
    }
    if r == 0 || p == 0 {
        return Err(PyValueError::new_err("Invalid parameter combination for n, r, p, maxmem."));
    }
    let maxmem = if maxmem == 0 { SCRYPT_MAX_MEM } else { maxmem as u64 };
    let needed = scrypt_memory(n, r, p, maxmem)?;
    // The crate allocates with the infallible allocator, which aborts the instance when wasm's
    // memory can't grow: try the largest block first, so that becomes a MemoryError.
    let mut probe: Vec<u8> = Vec::new();
    probe.try_reserve_exact(needed as usize).map_err(|_| PyMemoryError::new_err(()))?;
    drop(probe);
    let params = ::scrypt::Params::new(n.trailing_zeros() as u8, r as u32, p as u32)
        .map_err(|_| PyValueError::new_err("Invalid parameter combination for n, r, p, maxmem."))?;
    let mut out = output(dklen as usize)?;
    py.detach(|| ::scrypt::scrypt(&password, &salt, &params, &mut out))
        .map_err(|_| PyValueError::new_err("Invalid parameter combination for n, r, p, maxmem."))?;
    Ok(PyBytes::new(py, &out))
}

#[pymodule]
fn _fabricks_hashlib(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pbkdf2_hmac, m)?)?;
    m.add_function(wrap_pyfunction!(scrypt_py, m)?)?;
    m.add("UnsupportedDigestmodError", m.py().get_type::<UnsupportedDigestmodError>())?;
    Ok(())
}
