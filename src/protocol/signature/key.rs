//! An access key's secret made ready to sign and verify in both schemes.

use std::fmt;

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// The HMAC states after the key block, for HMAC-SHA1 (keyed `secret + "&"`) and HMAC-SHA256
/// (keyed with the bare secret). Made once per access key when fixtures load.
#[derive(Clone)]
pub struct SigningKey {
    v2: Hmac<Sha1>,
    v3: Hmac<Sha256>,
}

impl SigningKey {
    pub fn new(secret: &str) -> Self {
        SigningKey {
            v2: hmac_keyed(format!("{secret}&").as_bytes()),
            v3: hmac_keyed(secret.as_bytes()),
        }
    }

    /// The HMAC-SHA1 signature of a V2 string to sign, base64.
    pub fn v2_sign(&self, string_to_sign: &str) -> String {
        BASE64.encode(
            self.v2
                .clone()
                .chain_update(string_to_sign)
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether `presented` is the V2 signature of `string_to_sign` (canonical base64), compared
    /// in constant time by the `hmac` crate.
    pub fn v2_verify(&self, string_to_sign: &str, presented: &str) -> bool {
        let mut tag = [0u8; 32];
        match BASE64.decode_slice(presented, &mut tag) {
            Ok(len) => (self.v2.clone().chain_update(string_to_sign))
                .verify_slice(&tag[..len])
                .is_ok(),
            Err(_) => false,
        }
    }

    /// The HMAC-SHA256 signature of a V3 string to sign, lower-case hex.
    pub fn v3_sign(&self, string_to_sign: &str) -> String {
        hex::encode(
            self.v3
                .clone()
                .chain_update(string_to_sign)
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether `presented` is the V3 signature of `string_to_sign` (64 lower-case hex digits),
    /// compared in constant time by the `hmac` crate.
    pub fn v3_verify(&self, string_to_sign: &str, presented: &str) -> bool {
        let mut tag = [0u8; 32];
        let lower = !presented.bytes().any(|b| b.is_ascii_uppercase());
        lower
            && hex::decode_to_slice(presented, &mut tag).is_ok()
            && (self.v3.clone().chain_update(string_to_sign))
                .verify_slice(&tag)
                .is_ok()
    }
}

/// Never shows the secret.
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// An HMAC keyed with `key`. HMAC takes keys of any length, so the fallback (an empty key, whose
/// signatures never match a real one) is unreachable.
fn hmac_keyed<M: Mac + hmac::digest::KeyInit>(key: &[u8]) -> M {
    <M as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <M as hmac::digest::KeyInit>::new(&Default::default()))
}
