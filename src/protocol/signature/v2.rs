//! HMAC-SHA1 ("V2", `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`).

use crate::protocol::encoding::{encode_pairs, pct_encode};

/// The parameter that carries the signature; it is never signed itself.
pub const SIGNATURE_PARAM: &str = "Signature";

/// `METHOD&%2F&pct(canonical)`, where the canonical query is every parameter but `Signature`
/// (decoded), sorted by name then value (byte order, as the SDKs sort), written
/// `pct(name)=pct(value)` and joined with `&`. Values are thus encoded twice; empty values stay
/// (the legacy Python SDK signs `SignatureType=`).
pub fn string_to_sign<'a>(
    method: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut sorted: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, _)| *name != SIGNATURE_PARAM)
        .collect();
    sorted.sort_unstable();
    let canonical = encode_pairs(sorted);
    format!("{method}&%2F&{}", pct_encode(&canonical))
}
