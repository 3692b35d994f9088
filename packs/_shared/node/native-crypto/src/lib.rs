//! `fabricks:node-crypto/hashes@0.1.0` (wit/deps/node-crypto@0.1.0/crypto.wit): node:crypto's
//! hashes, HMACs, PBKDF2 and scrypt, bcrypt's EksBlowfish and Argon2, for JavaScript components,
//! whose engine would otherwise run them in its interpreter. The JavaScript side
//! (runtime/node/crypto-native.js, bcrypt-native.js, argon2-native.js) checks names, lengths and
//! counts before calling; a bad one here is a bug there, so it traps.

use std::cell::RefCell;

use exports::fabricks::node_crypto::hashes::{Guest, GuestHasher, Hasher as HasherHandle};
use hmac::{KeyInit, Mac, SimpleHmac};
use sha2::Digest;

wit_bindgen::generate!({
    path: "../../../../wit",
    world: "fabricks:node-crypto/node-crypto@0.1.0",
});

/// One running hash or HMAC, whatever its algorithm.
trait Running {
    fn update(&mut self, data: &[u8]);
    fn digest(&self) -> Vec<u8>;
    fn boxed(&self) -> Box<dyn Running>;
}

struct Plain<D>(D);
struct Keyed<M>(M);

impl<D: Digest + Clone + 'static> Running for Plain<D> {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }
    fn digest(&self) -> Vec<u8> {
        self.0.clone().finalize().to_vec()
    }
    fn boxed(&self) -> Box<dyn Running> {
        Box::new(Plain(self.0.clone()))
    }
}

impl<M: Mac + Clone + 'static> Running for Keyed<M> {
    fn update(&mut self, data: &[u8]) {
        Mac::update(&mut self.0, data);
    }
    fn digest(&self) -> Vec<u8> {
        self.0.clone().finalize().into_bytes().to_vec()
    }
    fn boxed(&self) -> Box<dyn Running> {
        Box::new(Keyed(self.0.clone()))
    }
}

/// Calls `$then!(Type)` with the RustCrypto type of a Node algorithm name, or `$else`.
macro_rules! by_name {
    ($name:expr, $then:ident, $else:expr) => {
        match $name {
            "md5" => $then!(md5::Md5),
            "sha1" => $then!(sha1::Sha1),
            "sha224" => $then!(sha2::Sha224),
            "sha256" => $then!(sha2::Sha256),
            "sha384" => $then!(sha2::Sha384),
            "sha512" => $then!(sha2::Sha512),
            "sha512-224" => $then!(sha2::Sha512_224),
            "sha512-256" => $then!(sha2::Sha512_256),
            "sha3-224" => $then!(sha3::Sha3_224),
            "sha3-256" => $then!(sha3::Sha3_256),
            "sha3-384" => $then!(sha3::Sha3_384),
            "sha3-512" => $then!(sha3::Sha3_512),
            "ripemd160" | "rmd160" => $then!(ripemd::Ripemd160),
            _ => $else,
        }
    };
}

fn running(algorithm: &str, key: Option<Vec<u8>>) -> Box<dyn Running> {
    match key {
        None => {
            macro_rules! plain { ($t:ty) => { Box::new(Plain(<$t>::new())) as Box<dyn Running> } }
            by_name!(algorithm, plain, panic!("unsupported hash {algorithm}"))
        }
        Some(key) => {
            macro_rules! mac { ($t:ty) => {
                Box::new(Keyed(<SimpleHmac<$t> as KeyInit>::new_from_slice(&key).expect("HMAC takes a key of any length")))
                    as Box<dyn Running>
            } }
            by_name!(algorithm, mac, panic!("unsupported hash {algorithm}"))
        }
    }
}

struct Component;

/// The `hasher` resource.
struct Hasher(RefCell<Box<dyn Running>>);

impl GuestHasher for Hasher {
    fn new(algorithm: String, key: Option<Vec<u8>>) -> Self {
        Hasher(RefCell::new(running(&algorithm, key)))
    }
    fn update(&self, data: Vec<u8>) {
        self.0.borrow_mut().update(&data);
    }
    fn digest(&self) -> Vec<u8> {
        self.0.borrow().digest()
    }
    fn clone(&self) -> HasherHandle {
        HasherHandle::new(Hasher(RefCell::new(self.0.borrow().boxed())))
    }
}

impl Guest for Component {
    type Hasher = Hasher;

    fn hash(algorithm: String, key: Option<Vec<u8>>, data: Vec<u8>) -> Vec<u8> {
        let mut running = running(&algorithm, key);
        running.update(&data);
        running.digest()
    }

    fn pbkdf2(algorithm: String, password: Vec<u8>, salt: Vec<u8>, iterations: u32, length: u32) -> Vec<u8> {
        let mut out = vec![0u8; length as usize];
        macro_rules! derive { ($t:ty) => {
            pbkdf2::pbkdf2::<SimpleHmac<$t>>(&password, &salt, iterations, &mut out).expect("HMAC takes a key of any length")
        } }
        by_name!(algorithm.as_str(), derive, panic!("unsupported hash {algorithm}"));
        out
    }

    fn scrypt(password: Vec<u8>, salt: Vec<u8>, log_n: u8, r: u32, p: u32, length: u32) -> Result<Vec<u8>, String> {
        let params = scrypt::Params::new(log_n, r, p).map_err(|e| e.to_string())?;
        let mut out = vec![0u8; length as usize];
        scrypt::scrypt(&password, &salt, &params, &mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn bcrypt(key: Vec<u8>, salt: Vec<u8>, log_rounds: u8) -> Vec<u8> {
        assert!(!key.is_empty() && salt.len() == 16 && (4..=31).contains(&log_rounds), "bcrypt: bad arguments");
        let mut state = blowfish::Blowfish::bc_init_state();
        state.salted_expand_key(&salt, &key);
        for _ in 0..1u64 << log_rounds {
            state.bc_expand_key(&key);
            state.bc_expand_key(&salt);
        }
        // "OrpheanBeholderScryDoubt" as six big-endian words, each pair encrypted 64 times.
        let mut words = [0x4f727068u32, 0x65616e42, 0x65686f6c, 0x64657253, 0x63727944, 0x6f756274];
        for pair in words.chunks_exact_mut(2) {
            let mut lr = [pair[0], pair[1]];
            for _ in 0..64 {
                lr = state.bc_encrypt(lr);
            }
            pair.copy_from_slice(&lr);
        }
        words.iter().flat_map(|word| word.to_be_bytes()).collect()
    }

    fn argon2(kind: u8, version: u32, memory: u32, passes: u32, lanes: u32, length: u32, password: Vec<u8>,
              salt: Vec<u8>, secret: Vec<u8>, data: Vec<u8>) -> Result<Vec<u8>, String> {
        use argon2::{Algorithm, Argon2, AssociatedData, ParamsBuilder, Version};
        let algorithm = match kind {
            0 => Algorithm::Argon2d,
            1 => Algorithm::Argon2i,
            2 => Algorithm::Argon2id,
            _ => return Err("Invalid type".into()),
        };
        let version = Version::try_from(version).map_err(|e| e.to_string())?;
        let mut builder = ParamsBuilder::new();
        builder.m_cost(memory).t_cost(passes).p_cost(lanes).output_len(length as usize);
        if !data.is_empty() {
            builder.data(AssociatedData::new(&data).map_err(|e| e.to_string())?);
        }
        let params = builder.build().map_err(|e| e.to_string())?;
        let hasher = if secret.is_empty() {
            Argon2::new(algorithm, version, params)
        } else {
            Argon2::new_with_secret(&secret, algorithm, version, params).map_err(|e| e.to_string())?
        };
        let mut out = vec![0u8; length as usize];
        hasher.hash_password_into(&password, &salt, &mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }
}

export!(Component);
