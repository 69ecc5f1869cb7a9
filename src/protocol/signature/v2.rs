//! HMAC-SHA1 ("V2", `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`).

use std::fmt::Write as _;

use crate::protocol::encoding::{encode_pairs, pct};

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
    let params = params.into_iter();
    let mut sorted: Vec<(&str, &str)> = Vec::with_capacity(params.size_hint().0);
    sorted.extend(params.filter(|(name, _)| *name != SIGNATURE_PARAM));
    sorted.sort_unstable();
    let canonical = encode_pairs(sorted.iter().copied());
    // Encoding again turns each `%` into `%25`: a third more room covers it.
    let mut out = String::with_capacity(method.len() + 6 + canonical.len() * 4 / 3);
    let _infallible = write!(out, "{method}&%2F&{}", pct(&canonical));
    out
}
