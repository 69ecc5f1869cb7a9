//! The two request-signing schemes of the Alibaba Cloud RPC API, as pure functions.
//!
//! * **HMAC-SHA1** (Alibaba's "V2", `SignatureVersion=1.0`): every parameter of the query string
//!   and form body except `Signature`, form-decoded, sorted by name and re-encoded strictly
//!   (RFC 3986), is signed as `METHOD&%2F&pct(canonical)` with the key `secret + "&"`. The base64
//!   result travels as the `Signature` parameter.
//! * **ACS3-HMAC-SHA256** ("V3"): the method, `/`, the query string, the headers listed in the
//!   `Authorization` header and the hex SHA-256 of the body form a canonical request; its hex
//!   SHA-256 is signed as `ACS3-HMAC-SHA256\n<hash>` with the bare secret, and the lower-case hex
//!   result travels in `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
//!
//! Callers form-decode names and values first (SDKs send a space as `+`, `%20` or raw `*!()`):
//! everything here works on decoded values. The server verifies with these functions; the `sign`
//! command and the tests use the client-side helpers at the end to build signed requests.

use std::fmt;

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::encoding::pct_encode_into;

/// The name of the parameter that carries an HMAC-SHA1 signature; it is never signed itself.
const SIGNATURE_PARAM: &str = "Signature";

/// The `Authorization` scheme of V3 requests.
pub const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The headers every V3 request must sign, sorted: the documented minimum.
pub const V3_MINIMAL_SIGNED_HEADERS: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
];

/// Hex SHA-256 of an empty body, the `HashedRequestPayload` of every body-less V3 request.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// HMAC-SHA1 canonical query: every parameter but `Signature`, sorted by name then value (byte
/// order of the decoded strings, as the SDKs sort raw names), as `pct(name)=pct(value)` joined
/// with `&`. Empty values stay (`SignatureType=` is signed by the legacy Python SDK).
pub fn v2_canonical_query(params: &[(String, String)]) -> String {
    let mut out = String::new();
    push_v2_canonical_query(&mut out, str_pairs(params));
    out
}

fn push_v2_canonical_query<'a>(out: &mut String, params: impl Iterator<Item = (&'a str, &'a str)>) {
    let mut sorted: Vec<(&str, &str)> = params
        .filter(|(name, _)| *name != SIGNATURE_PARAM)
        .collect();
    sorted.sort_unstable();
    out.reserve(encoded_len_hint(sorted.iter().copied()));
    push_encoded_pairs(out, sorted);
}

/// HMAC-SHA1 string to sign: `METHOD&%2F&pct(canonical query)`, values thus encoded twice.
pub fn v2_string_to_sign(method: &str, params: &[(String, String)]) -> String {
    v2_string_to_sign_of(method, str_pairs(params))
}

/// [`v2_string_to_sign`] over borrowed pairs, as the server holds them.
pub fn v2_string_to_sign_of<'a>(
    method: &str,
    params: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut canonical = String::new();
    push_v2_canonical_query(&mut canonical, params);
    let mut out = String::with_capacity(method.len() + 5 + canonical.len() * 3 / 2);
    out.push_str(method);
    out.push_str("&%2F&");
    pct_encode_into(&canonical, &mut out);
    out
}

/// HMAC-SHA1 signature: `base64(hmac_sha1(secret + "&", string_to_sign))`.
pub fn v2_signature(secret: &str, string_to_sign: &str) -> String {
    let mut buf = [0u8; 28];
    SigningKey::new(secret)
        .v2_signature_into(string_to_sign, &mut buf)
        .to_owned()
}

/// Server side: whether `presented` is the HMAC-SHA1 signature of `string_to_sign`, compared in
/// constant time, without allocating.
pub fn v2_verify(secret: &str, string_to_sign: &str, presented: &str) -> bool {
    SigningKey::new(secret).v2_verify(string_to_sign, presented)
}

/// An access key's secret made ready to check signatures: the HMAC states after the key block,
/// for HMAC-SHA1 (keyed with `secret + "&"`) and for HMAC-SHA256. Made once per access key, it
/// saves each signed request two hash blocks and the key setup.
#[derive(Clone)]
pub struct SigningKey {
    v2: Hmac<Sha1>,
    v3: Hmac<Sha256>,
}

impl SigningKey {
    pub fn new(secret: &str) -> Self {
        let mut v2_key = Vec::with_capacity(secret.len() + 1);
        v2_key.extend_from_slice(secret.as_bytes());
        v2_key.push(b'&');
        SigningKey {
            v2: hmac_keyed(&v2_key),
            v3: hmac_keyed(secret.as_bytes()),
        }
    }

    /// Whether `presented` is the HMAC-SHA1 signature of `string_to_sign`, in constant time.
    pub fn v2_verify(&self, string_to_sign: &str, presented: &str) -> bool {
        let mut buf = [0u8; 28];
        signatures_match(self.v2_signature_into(string_to_sign, &mut buf), presented)
    }

    /// Whether `presented` is the V3 signature of `canonical_request`, in constant time.
    pub fn v3_verify(&self, canonical_request: &str, presented: &str) -> bool {
        let mut sts = [0u8; V3_STS_LEN];
        let mut buf = [0u8; 64];
        let string_to_sign = v3_string_to_sign_into(canonical_request, &mut sts);
        signatures_match(self.v3_signature_into(string_to_sign, &mut buf), presented)
    }

    /// The base64 HMAC-SHA1 (28 characters) written into `buf`.
    fn v2_signature_into<'b>(&self, string_to_sign: &str, buf: &'b mut [u8; 28]) -> &'b str {
        let mac = self.v2.clone().chain_update(string_to_sign).finalize();
        match BASE64.encode_slice(mac.into_bytes(), buf) {
            Ok(len) => std::str::from_utf8(&buf[..len]).unwrap_or_default(),
            Err(_) => "",
        }
    }

    /// The lower-case hex HMAC-SHA256 (64 characters) written into `buf`.
    fn v3_signature_into<'b>(&self, string_to_sign: &str, buf: &'b mut [u8; 64]) -> &'b str {
        let mac = self.v3.clone().chain_update(string_to_sign).finalize();
        match hex::encode_to_slice(mac.into_bytes(), buf) {
            Ok(()) => std::str::from_utf8(&buf[..]).unwrap_or_default(),
            Err(_) => "",
        }
    }
}

/// Never shows the secret.
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// Made from the secret, so two keys with equal secrets are equal: the secret is compared instead.
impl PartialEq for SigningKey {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The fields of a V3 `Authorization` header, borrowed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Authorization<'a> {
    pub credential: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

/// Why an `Authorization` header could not be read as a V3 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationError {
    WrongAlgorithm,
    MissingField(&'static str),
    Malformed,
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongAlgorithm => {
                write!(f, "the Authorization header does not use {V3_ALGORITHM}")
            }
            Self::MissingField(field) => {
                write!(f, "the Authorization header has no non-empty {field} field")
            }
            Self::Malformed => write!(
                f,
                "the Authorization header is not of the form \
                 `{V3_ALGORITHM} Credential=..,SignedHeaders=..,Signature=..`"
            ),
        }
    }
}

impl std::error::Error for AuthorizationError {}

/// Reads `ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b;c,Signature=hex`.
///
/// Fields may come in any order with spaces around them; unknown fields are ignored. A field
/// without `=`, or one given twice, is malformed; the three known fields must be non-empty.
pub fn parse_v3_authorization(header: &str) -> Result<V3Authorization<'_>, AuthorizationError> {
    let header = header.trim_ascii();
    let (algorithm, fields) = header
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((header, ""));
    if algorithm != V3_ALGORITHM {
        return Err(AuthorizationError::WrongAlgorithm);
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in fields
        .split(',')
        .map(str::trim_ascii)
        .filter(|f| !f.is_empty())
    {
        let (name, value) = field.split_once('=').ok_or(AuthorizationError::Malformed)?;
        let slot = match name.trim_ascii_end() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value.trim_ascii_start()).is_some() {
            return Err(AuthorizationError::Malformed);
        }
    }
    let credential = required(credential, "Credential")?;
    let listed = required(signed_headers, "SignedHeaders")?;
    let mut signed_headers = Vec::with_capacity(listed.bytes().filter(|b| *b == b';').count() + 1);
    signed_headers.extend(
        listed
            .split(';')
            .map(str::trim_ascii)
            .filter(|name| !name.is_empty()),
    );
    if signed_headers.is_empty() {
        return Err(AuthorizationError::MissingField("SignedHeaders"));
    }
    let signature = required(signature, "Signature")?;
    Ok(V3Authorization {
        credential,
        signed_headers,
        signature,
    })
}

fn required<'a>(
    value: Option<&'a str>,
    field: &'static str,
) -> Result<&'a str, AuthorizationError> {
    value
        .filter(|value| !value.is_empty())
        .ok_or(AuthorizationError::MissingField(field))
}

/// V3 canonical request: `METHOD \n / \n query \n headers \n signed-headers \n hashed-payload`.
///
/// * `query`: the query-string parameters only, decoded; sorted by name then value and written
///   `pct(name)=pct(value)` joined with `&` (empty without a query). The SDKs write names raw and
///   the documentation encodes them; the two agree for names made of `A-Z a-z 0-9 - _ . ~`, which
///   every Sas parameter name is, and encoding keeps odd names from making the string ambiguous.
/// * `headers`: as received, any case, possibly repeated. For each name of `signed_headers`, in
///   the given order and written as given (the SDKs send them lower-case and sorted), a line
///   `name:values` with each value trimmed and several values sorted and joined with `,`. An
///   absent header gives `name:`.
pub fn v3_canonical_request(
    method: &str,
    query: &[(String, String)],
    headers: &[(&str, &str)],
    signed_headers: &[&str],
    hashed_payload: &str,
) -> String {
    v3_canonical_request_of(
        method,
        str_pairs(query),
        headers,
        signed_headers,
        hashed_payload,
    )
}

/// [`v3_canonical_request`] over borrowed query pairs, as the server holds them.
pub fn v3_canonical_request_of<'a>(
    method: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    headers: &[(&str, &str)],
    signed_headers: &[&str],
    hashed_payload: &str,
) -> String {
    let mut sorted: Vec<(&str, &str)> = query.collect();
    sorted.sort_unstable();
    let mut out = String::with_capacity(512 + encoded_len_hint(sorted.iter().copied()));
    out.push_str(method);
    out.push_str("\n/\n");
    push_encoded_pairs(&mut out, sorted);
    out.push('\n');
    let mut values = Vec::with_capacity(2);
    for name in signed_headers {
        values.clear();
        let matching = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
        values.extend(matching.map(|(_, value)| value.trim()));
        values.sort_unstable();
        out.push_str(name);
        out.push(':');
        push_joined(&mut out, &values, ',');
        out.push('\n');
    }
    out.push('\n');
    push_joined(&mut out, signed_headers, ';');
    out.push('\n');
    out.push_str(hashed_payload);
    out
}

/// V3 string to sign: `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn v3_string_to_sign(canonical_request: &str) -> String {
    let mut buf = [0u8; V3_STS_LEN];
    v3_string_to_sign_into(canonical_request, &mut buf).to_owned()
}

/// Length of a V3 string to sign: the algorithm, a newline, 64 hex digits.
const V3_STS_LEN: usize = V3_ALGORITHM.len() + 1 + 64;

fn v3_string_to_sign_into<'b>(canonical_request: &str, buf: &'b mut [u8; V3_STS_LEN]) -> &'b str {
    let (head, hash) = buf.split_at_mut(V3_ALGORITHM.len() + 1);
    head[..V3_ALGORITHM.len()].copy_from_slice(V3_ALGORITHM.as_bytes());
    head[V3_ALGORITHM.len()] = b'\n';
    let ok = hex::encode_to_slice(Sha256::digest(canonical_request.as_bytes()), hash).is_ok();
    if ok {
        std::str::from_utf8(&buf[..]).unwrap_or_default()
    } else {
        ""
    }
}

/// V3 signature: lower-case hex of `hmac_sha256(secret, string_to_sign)` (no `&` on the key).
pub fn v3_signature(secret: &str, string_to_sign: &str) -> String {
    let mut buf = [0u8; 64];
    SigningKey::new(secret)
        .v3_signature_into(string_to_sign, &mut buf)
        .to_owned()
}

/// Server side: whether `presented` is the V3 signature of `canonical_request`, compared in
/// constant time, without allocating.
pub fn v3_verify(secret: &str, canonical_request: &str, presented: &str) -> bool {
    SigningKey::new(secret).v3_verify(canonical_request, presented)
}

/// Lower-case hex SHA-256, the `HashedRequestPayload` (and `x-acs-content-sha256`) of a body.
pub fn sha256_hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return EMPTY_SHA256.to_owned();
    }
    let mut buf = [0u8; 64];
    match hex::encode_to_slice(Sha256::digest(bytes), &mut buf) {
        Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
        Err(_) => String::new(),
    }
}

/// Compares a computed signature with a presented one in constant time (for equal lengths; a
/// length difference answers `false` at once without looking at the content). An empty computed
/// signature never matches.
pub fn signatures_match(expected: &str, presented: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// Client side: signs HMAC-SHA1 parameters in place, replacing any `Signature` with a fresh one
/// appended last. The caller supplies `AccessKeyId`, `SignatureMethod`, `SignatureNonce`, etc.
pub fn sign_v2_params(method: &str, params: &mut Vec<(String, String)>, secret: &str) {
    params.retain(|(name, _)| name != SIGNATURE_PARAM);
    let signature = v2_signature(secret, &v2_string_to_sign(method, params));
    params.push((SIGNATURE_PARAM.to_owned(), signature));
}

/// A wire query string (or form body): `pct(name)=pct(value)` joined with `&`, in the given order.
pub fn encode_query(params: &[(String, String)]) -> String {
    let mut out = String::with_capacity(encoded_len_hint(str_pairs(params)));
    push_encoded_pairs(&mut out, str_pairs(params));
    out
}

/// Client side: the full V3 `Authorization` value for a request. It signs every header whose name
/// is `host`, `content-type` or starts with `x-acs-` (what Tea TypeScript signs), sorted.
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
    let canonical = v3_canonical_request(method, query, headers, &signed, hashed_payload);
    let signature = v3_signature(secret, &v3_string_to_sign(&canonical));
    let signed = signed.join(";");
    format!(
        "{V3_ALGORITHM} Credential={access_key_id},SignedHeaders={signed},Signature={signature}"
    )
}

/// An HMAC keyed with `key`. HMAC accepts keys of any length, so the fallback (an HMAC with an
/// empty key, whose signatures never match a real one) is unreachable.
fn hmac_keyed<M: Mac + hmac::digest::KeyInit>(key: &[u8]) -> M {
    <M as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <M as hmac::digest::KeyInit>::new(&Default::default()))
}

/// Borrows owned pairs.
fn str_pairs(pairs: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    pairs
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
}

fn push_encoded_pairs<'a>(out: &mut String, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) {
    for (index, (name, value)) in pairs.into_iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        pct_encode_into(name, out);
        out.push('=');
        pct_encode_into(value, out);
    }
}

fn push_joined(out: &mut String, parts: &[&str], separator: char) {
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            out.push(separator);
        }
        out.push_str(part);
    }
}

/// Room for `pairs` once encoded, assuming about half the bytes need escaping.
fn encoded_len_hint<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> usize {
    let raw: usize = pairs
        .map(|(name, value)| name.len() + value.len() + 2)
        .sum();
    raw * 3 / 2
}

#[cfg(test)]
mod tests {
    use super::super::encoding::{parse_form, pct_encode};
    use super::*;
    use serde_json::Value;

    #[test]
    fn authorization_fields_split_on_the_first_separator_only() {
        let auth = parse_v3_authorization(
            "ACS3-HMAC-SHA256\tSignature=a=b , Credential=id,, Unknown=x,SignedHeaders= host ;;x-acs-date;",
        )
        .expect("parses");
        assert_eq!(auth.credential, "id");
        assert_eq!(auth.signature, "a=b");
        assert_eq!(auth.signed_headers, ["host", "x-acs-date"]);
        for bad in [
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=s,Oops",
            "ACS3-HMAC-SHA256 Credential=id,Credential=id,SignedHeaders=host,Signature=s",
        ] {
            assert_eq!(
                parse_v3_authorization(bad).map(|_| ()),
                Err(AuthorizationError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            parse_v3_authorization("ACS3-HMAC-SHA256 Credential=id,SignedHeaders=;,Signature=s")
                .map(|_| ()),
            Err(AuthorizationError::MissingField("SignedHeaders"))
        );
    }

    type Params = [(String, String)];
    type Headers<'a> = [(&'a str, &'a str)];

    const SECRET: &str = "testsecret";
    const WRONG: &str = "wrongsecret";
    const VECTORS: &str = include_str!("../../tests/vectors/signature-vectors.json");

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn text<'a>(value: &'a Value, key: &str) -> &'a str {
        value[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} is a string"))
    }

    /// Server-side HMAC-SHA1 check over decoded parameters, as the request handler does it.
    fn verify_v2(method: &str, params: &Params, secret: &str) -> bool {
        let presented = params
            .iter()
            .find(|(n, _)| n == "Signature")
            .map(|(_, v)| v.as_str());
        let expected = v2_signature(secret, &v2_string_to_sign(method, params));
        signatures_match(&expected, presented.unwrap_or(""))
    }

    /// Server-side V3 check: read Authorization, rebuild the canonical request, compare.
    fn verify_v3(method: &str, query: &Params, headers: &Headers, body: &[u8], key: &str) -> bool {
        let header = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"));
        let auth = parse_v3_authorization(header.expect("Authorization").1).expect("valid");
        let payload = sha256_hex(body);
        let request = v3_canonical_request(method, query, headers, &auth.signed_headers, &payload);
        signatures_match(
            &v3_signature(key, &v3_string_to_sign(&request)),
            auth.signature,
        )
    }

    #[test]
    fn every_recorded_sdk_request_reproduces_its_intermediate_strings_and_signature() {
        let vectors: Vec<Value> = serde_json::from_str(VECTORS).expect("the vectors are JSON");
        let (mut v2_count, mut v3_count) = (0, 0);
        for vector in &vectors {
            let (method, body) = (text(vector, "method"), text(vector, "body"));
            let (_, raw_query) = text(vector, "target").split_once('?').unwrap_or(("", ""));
            let query = parse_form(raw_query);
            let headers: Vec<(&str, &str)> = (vector["headers"].as_array().into_iter().flatten())
                .map(|h| (h[0].as_str().unwrap_or(""), h[1].as_str().unwrap_or("")))
                .collect();
            let expected = text(vector, "expected_signature");
            if text(vector, "scheme").starts_with("HMAC-SHA1") {
                v2_count += 1;
                let mut params = query;
                params.extend(parse_form(body));
                let sts = v2_string_to_sign(method, &params);
                assert_eq!(sts, text(vector, "string_to_sign"));
                assert_eq!(v2_signature(SECRET, &sts), expected);
                assert!(verify_v2(method, &params, SECRET) && !verify_v2(method, &params, WRONG));
            } else {
                v3_count += 1;
                let header = headers.iter().find(|(n, _)| *n == "Authorization");
                let auth = parse_v3_authorization(header.expect("Authorization").1);
                let auth = auth.expect("a valid Authorization header");
                assert_eq!(auth.credential, "testid");
                assert_eq!(
                    auth.signed_headers.join(";"),
                    text(vector, "signed_headers")
                );
                assert_eq!(auth.signature, expected);
                let hashed = sha256_hex(body.as_bytes());
                let signed = &auth.signed_headers;
                let canonical = v3_canonical_request(method, &query, &headers, signed, &hashed);
                assert_eq!(canonical, text(vector, "canonical_request"));
                let sts = v3_string_to_sign(&canonical);
                assert_eq!(sts, text(vector, "string_to_sign"));
                assert_eq!(v3_signature(SECRET, &sts), expected);
                let body = body.as_bytes();
                assert!(verify_v3(method, &query, &headers, body, SECRET));
                assert!(!verify_v3(method, &query, &headers, body, WRONG));
            }
        }
        assert_eq!((v2_count, v3_count), (7, 4), "all 11 vectors were checked");
    }

    #[test]
    fn values_are_encoded_strictly_in_the_canonical_query_and_again_in_the_string_to_sign() {
        let cases = [
            ("host 001 é中", "host%20001%20%C3%A9%E4%B8%AD"),
            (
                "!*'();:@&=+$,/?#[]",
                "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D",
            ),
            ("A-Z_a.z~09", "A-Z_a.z~09"),
            ("", ""),
        ];
        for (value, encoded) in cases {
            let params = pairs(&[("V", value)]);
            assert_eq!(v2_canonical_query(&params), format!("V={encoded}"));
            let sts = v2_string_to_sign("GET", &params);
            assert_eq!(sts, format!("GET&%2F&V%3D{}", pct_encode(encoded)));
            let v3 = v3_canonical_request("POST", &params, &[], &["host"], EMPTY_SHA256);
            assert!(
                v3.starts_with(&format!("POST\n/\nV={encoded}\nhost:\n")),
                "{v3}"
            );
        }
    }

    #[test]
    fn parameters_sort_by_name_then_value_and_the_signature_parameter_is_left_out() {
        let forward = pairs(&[
            ("b", "2"),
            ("a", "z"),
            ("Signature", "x"),
            ("a", "y"),
            ("B", "1"),
        ]);
        let backward: Vec<_> = forward.iter().rev().cloned().collect();
        for params in [&forward, &backward] {
            assert_eq!(v2_canonical_query(params), "B=1&a=y&a=z&b=2");
        }
        let query = pairs(&[("b", "2"), ("a", "z"), ("a", "y")]);
        let v3 = v3_canonical_request("GET", &query, &[], &["host"], EMPTY_SHA256);
        assert!(v3.starts_with("GET\n/\na=y&a=z&b=2\n"), "{v3}");
    }

    #[test]
    fn an_empty_value_is_signed_and_changes_the_signature() {
        let with = pairs(&[("Action", "X"), ("SignatureType", "")]);
        assert_eq!(v2_canonical_query(&with), "Action=X&SignatureType=");
        let sign = |p: &Params| v2_signature(SECRET, &v2_string_to_sign("POST", p));
        assert_ne!(sign(&with), sign(&with[..1]));
    }

    #[test]
    fn a_plus_on_the_wire_is_a_space_while_percent_2b_is_a_literal_plus() {
        let sign = |wire: &str| v2_signature(SECRET, &v2_string_to_sign("GET", &parse_form(wire)));
        assert_eq!(v2_canonical_query(&parse_form("V=a+b")), "V=a%20b");
        assert_eq!(v2_canonical_query(&parse_form("V=a%2Bb")), "V=a%2Bb");
        assert_eq!(sign("V=a+b"), sign("V=a%20b"));
        assert_ne!(sign("V=a+b"), sign("V=a%2Bb"));
    }

    #[test]
    fn every_sdk_wire_form_of_a_value_gives_the_same_signature_in_both_schemes() {
        let wires = [
            "TargetInfo=host%20001%2A~%2F%2B%21%27%28%29%C3%A9%E4%B8%AD", // strict
            "TargetInfo=host+001%2A~%2F%2B%21%27%28%29%C3%A9%E4%B8%AD",   // Tea Python
            "TargetInfo=host%20001*~%2F%2B!%27()%C3%A9%E4%B8%AD",         // Tea TypeScript
        ];
        let headers = [
            ("host", "127.0.0.1:8080"),
            ("x-acs-action", "StartVirusScanTask"),
        ];
        let v2 = |wire: &str| v2_string_to_sign("POST", &parse_form(wire));
        let v3 = |wire: &str| {
            v3_authorization_header(
                "id",
                SECRET,
                "POST",
                &parse_form(wire),
                &headers,
                EMPTY_SHA256,
            )
        };
        for wire in &wires[1..] {
            assert_eq!(v2(wire), v2(wires[0]), "{wire}");
            assert_eq!(v3(wire), v3(wires[0]), "{wire}");
        }
    }

    #[test]
    fn v3_header_values_are_trimmed_and_repeated_headers_sorted_and_joined() {
        let headers = [
            ("X-Acs-Tag", "  b "),
            ("host", "\th "),
            ("x-acs-tag", "a\t"),
            ("Ua", "u"),
        ];
        let signed = ["host", "x-acs-tag"];
        let canonical = v3_canonical_request("GET", &[], &headers, &signed, EMPTY_SHA256);
        let expected = format!("GET\n/\n\nhost:h\nx-acs-tag:a,b\n\nhost;x-acs-tag\n{EMPTY_SHA256}");
        assert_eq!(canonical, expected);
    }

    #[test]
    fn v3_header_names_match_in_any_case_and_an_absent_signed_header_is_empty() {
        let signed = ["host", "x-acs-date"];
        let expected = v3_canonical_request("GET", &[], &[("host", "h")], &signed, EMPTY_SHA256);
        assert!(
            expected.contains("\nhost:h\nx-acs-date:\n\nhost;x-acs-date\n"),
            "{expected}"
        );
        for name in ["HOST", "Host", "hOsT"] {
            let canonical = v3_canonical_request("GET", &[], &[(name, "h")], &signed, EMPTY_SHA256);
            assert_eq!(canonical, expected);
        }
    }

    #[test]
    fn authorization_headers_are_read_tolerantly_in_any_field_order() {
        let signed_headers = vec!["host", "x-acs-date"];
        let expected = V3Authorization {
            credential: "id",
            signed_headers,
            signature: "ab12",
        };
        for header in [
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=ab12",
            "  ACS3-HMAC-SHA256   Credential=id, SignedHeaders=host;x-acs-date, Signature=ab12 ",
            "ACS3-HMAC-SHA256 Signature=ab12,Other=1,SignedHeaders=host;x-acs-date,Credential=id,",
        ] {
            assert_eq!(
                parse_v3_authorization(header),
                Ok(expected.clone()),
                "{header}"
            );
        }
    }

    #[test]
    fn authorization_headers_with_a_wrong_algorithm_or_missing_fields_are_rejected() {
        use AuthorizationError::*;
        let fields = "Credential=id,SignedHeaders=host,Signature=ab";
        for header in [
            String::new(),
            format!("AWS4-HMAC-SHA256 {fields}"),
            format!("acs3-hmac-sha256 {fields}"),
        ] {
            assert_eq!(
                parse_v3_authorization(&header),
                Err(WrongAlgorithm),
                "{header}"
            );
        }
        let cases = [
            ("", MissingField("Credential")),
            (
                "Credential=,SignedHeaders=host,Signature=ab",
                MissingField("Credential"),
            ),
            (
                "Credential=id,SignedHeaders=;,Signature=ab",
                MissingField("SignedHeaders"),
            ),
            ("Credential=id,Signature=ab", MissingField("SignedHeaders")),
            (
                "Credential=id,SignedHeaders=host",
                MissingField("Signature"),
            ),
            ("Credential=id,SignedHeaders=host,Signature", Malformed),
            (
                "Credential=a,Credential=b,SignedHeaders=host,Signature=ab",
                Malformed,
            ),
        ];
        for (fields, error) in cases {
            let header = format!("{V3_ALGORITHM} {fields}");
            assert_eq!(parse_v3_authorization(&header), Err(error), "{header}");
        }
        let missing = "the Authorization header has no non-empty Signature field";
        assert_eq!(MissingField("Signature").to_string(), missing);
        assert!(WrongAlgorithm.to_string().contains(V3_ALGORITHM));
        assert!(Malformed
            .to_string()
            .contains("Credential=..,SignedHeaders=..,Signature=.."));
    }

    fn client_params(extra: &str) -> Vec<(String, String)> {
        pairs(&[
            ("AccessKeyId", "testid"),
            ("Action", "StartVirusScanTask"),
            ("Format", "JSON"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "0326fb2b5d972e1929bd8e3abb52a30b"),
            ("SignatureVersion", "1.0"),
            ("TargetInfo", extra),
            ("Timestamp", "2026-11-28T21:08:35Z"),
            ("Version", "2018-12-03"),
            ("Signature", "stale"),
        ])
    }

    #[test]
    fn a_v2_request_signed_by_the_client_verifies_on_the_server_for_get_and_post() {
        let ten_kilobytes = "é a+*/%".repeat(10 * 1024 / 8);
        for value in ["[{\"name\":\"host 001*~/+!'()é中\"}]", &ten_kilobytes] {
            for (method, other) in [("GET", "POST"), ("POST", "GET")] {
                let mut params = client_params(value);
                sign_v2_params(method, &mut params, SECRET);
                assert_eq!(params.iter().filter(|(n, _)| n == "Signature").count(), 1);
                let received = parse_form(&encode_query(&params));
                assert_eq!(
                    received, params,
                    "the wire form decodes back to what was signed"
                );
                assert!(verify_v2(method, &received, SECRET));
                assert!(!verify_v2(other, &received, SECRET), "the method is signed");
                assert!(!verify_v2(method, &received, WRONG));
            }
        }
    }

    #[test]
    fn a_v3_request_signed_by_the_client_verifies_and_only_signed_headers_are_protected() {
        let ten_kilobytes = "é a+*/%".repeat(10 * 1024 / 8);
        let query = pairs(&[
            ("TaskId", "282832"),
            ("Note", "a b+c"),
            ("Long", &ten_kilobytes),
        ]);
        let body = b"TargetInfo=%5B%5D";
        let hashed = sha256_hex(body);
        let mut headers = vec![
            ("Host", "127.0.0.1:18080"),
            ("x-acs-action", "DescribeScanTaskProgress"),
            ("user-agent", "test"),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("x-acs-content-sha256", hashed.as_str()),
        ];
        let auth = v3_authorization_header("testid", SECRET, "POST", &query, &headers, &hashed);
        let signed = "SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256,";
        assert!(auth.starts_with("ACS3-HMAC-SHA256 Credential=testid,") && auth.contains(signed));
        headers.push(("Authorization", auth.as_str()));
        assert!(verify_v3("POST", &query, &headers, body, SECRET));
        assert!(!verify_v3("POST", &query, &headers, body, WRONG));
        assert!(!verify_v3("POST", &query, &headers, b"tampered", SECRET));
        assert!(!verify_v3("POST", &query[..1], &headers, body, SECRET));
        headers[2].1 = "another agent";
        assert!(
            verify_v3("POST", &query, &headers, body, SECRET),
            "user-agent is not signed"
        );
        headers[1].1 = "StartVirusScanTask";
        assert!(
            !verify_v3("POST", &query, &headers, body, SECRET),
            "x-acs-action is signed"
        );
    }

    #[test]
    fn signature_comparison_needs_equal_non_empty_strings() {
        assert!(signatures_match("abc=", "abc="));
        assert!(!signatures_match("abc=", "abd="));
        assert!(!signatures_match("abc=", "abc"));
        assert!(!signatures_match("", ""));
        assert_eq!(sha256_hex(b""), EMPTY_SHA256);
    }

    #[test]
    fn encode_query_keeps_the_given_order_and_encodes_strictly() {
        let params = pairs(&[("z", "a b"), ("a", "+/*"), ("Empty", "")]);
        assert_eq!(encode_query(&params), "z=a%20b&a=%2B%2F%2A&Empty=");
        assert_eq!(encode_query(&[]), "");
    }

    /// The prepared key against HMAC computed from scratch, for secrets shorter and longer than
    /// a hash block (a long key is hashed first).
    #[test]
    fn a_prepared_key_signs_as_hmac_from_scratch() {
        for secret in ["testsecret", &"x".repeat(63), &"long-secret-".repeat(12)] {
            let key = SigningKey::new(secret);
            let message = "GET&%2F&AccessKeyId%3Dtestid";
            let v2 = <Hmac<Sha1> as Mac>::new_from_slice(format!("{secret}&").as_bytes())
                .expect("any key length")
                .chain_update(message)
                .finalize()
                .into_bytes();
            assert!(key.v2_verify(message, &BASE64.encode(v2)), "{secret}");
            assert!(!key.v2_verify(message, &BASE64.encode([0u8; 20])));

            let canonical = "GET\n/\n\nhost:x\n\nhost\n".to_owned() + EMPTY_SHA256;
            let sts = v3_string_to_sign(&canonical);
            let v3 = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
                .expect("any key length")
                .chain_update(sts.as_bytes())
                .finalize()
                .into_bytes();
            assert!(key.v3_verify(&canonical, &hex::encode(v3)), "{secret}");
            assert!(!SigningKey::new("other").v3_verify(&canonical, &hex::encode(v3)));
        }
    }

    #[test]
    fn a_prepared_key_never_prints_its_secret() {
        assert_eq!(
            format!("{:?}", SigningKey::new("hunter2")),
            "SigningKey(..)"
        );
    }
}
