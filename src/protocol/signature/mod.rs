//! The two request-signing schemes of the Alibaba Cloud RPC API, as pure functions, one file each.
//!
//! * [`v2`] — **HMAC-SHA1** (Alibaba's "V2", `SignatureVersion=1.0`): every parameter but
//!   `Signature`, sorted and strictly re-encoded, signed as `METHOD&%2F&pct(canonical)` with the
//!   key `secret + "&"`; the base64 result travels as the `Signature` parameter.
//! * [`v3`] — **ACS3-HMAC-SHA256**: a canonical request of the method, `/`, the query, the headers
//!   the request lists and the body's SHA-256; its hash is signed with the bare secret and the hex
//!   result travels in the `Authorization` header ([`authorization`] reads it).
//!
//! Everything works on form-decoded names and values (the SDKs disagree on the wire form of a
//! space). [`SigningKey`] holds an access key's prepared HMAC states for both schemes; [`client`]
//! builds signed requests (the `sign` command, the load client, tests).

pub mod authorization;
pub mod client;
mod key;
pub mod v2;
pub mod v3;

#[cfg(test)]
mod tests;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use authorization::{parse_v3_authorization, AuthorizationError, V3Authorization};
pub use key::SigningKey;

/// Hex SHA-256 of an empty body, the `HashedRequestPayload` of every body-less V3 request.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex SHA-256: a V3 body's `HashedRequestPayload` (and `x-acs-content-sha256`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    lower_hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a 32-byte digest.
fn lower_hex(digest: &[u8]) -> String {
    let mut out = [0u8; 64];
    match hex::encode_to_slice(digest, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => hex::encode(digest), // not 32 bytes: unreachable for SHA-256
    }
}

/// Compares a computed signature (or token) with a presented one in constant time for equal
/// lengths. An empty computed value never matches.
pub fn signatures_match(expected: &str, presented: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}
