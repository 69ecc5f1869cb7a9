//! Client side: signing requests as the SDKs do, for `sas-mock sign`, the load client and tests.

use super::{v2, v3, SigningKey};

/// Signs HMAC-SHA1 parameters in place, replacing any `Signature` with a fresh one appended last.
/// The caller supplies `AccessKeyId`, `SignatureMethod`, `SignatureNonce`, `Timestamp`, etc.
pub fn sign_v2_params(method: &str, params: &mut Vec<(String, String)>, secret: &str) {
    params.retain(|(name, _)| name != v2::SIGNATURE_PARAM);
    let string_to_sign = v2::string_to_sign(method, pairs(params));
    let signature = SigningKey::new(secret).v2_sign(&string_to_sign);
    params.push((v2::SIGNATURE_PARAM.to_owned(), signature));
}

/// The full V3 `Authorization` value for a request. It signs every header named `host`,
/// `content-type` or `x-acs-*` (what Tea TypeScript signs), sorted.
pub fn v3_authorization_header(
    access_key_id: &str,
    secret: &str,
    method: &str,
    query: &[(String, String)],
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| name == "host" || name == "content-type" || name.starts_with("x-acs-"))
        .collect();
    names.sort_unstable();
    names.dedup();
    let signed: Vec<&str> = names.iter().map(String::as_str).collect();
    let canonical = v3::canonical_request(method, pairs(query), headers, &signed, hashed_payload);
    let signature = SigningKey::new(secret).v3_sign(&v3::string_to_sign(&canonical));
    format!(
        "{} Credential={access_key_id},SignedHeaders={},Signature={signature}",
        v3::ALGORITHM,
        signed.join(";")
    )
}

/// Borrows owned pairs.
pub fn pairs(params: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> + Clone {
    params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
}
