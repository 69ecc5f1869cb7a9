//! Both signature canonicalisations: the HMAC-SHA1 string to sign, and the ACS3 `Authorization`
//! parser plus canonical request. Input format: see `common/mod.rs`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use sas_mock::protocol::Params;
use sas_mock::protocol::signature::client::pairs;
use sas_mock::protocol::signature::{parse_v3_authorization, sha256_hex, v2, v3, V3Authorization};

fn v2_string_to_sign(method: &str, params: &[(String, String)]) -> String {
    v2::string_to_sign(method, pairs(params))
}

fn v3_canonical_request(
    method: &str,
    query: &[(String, String)],
    headers: &[(&str, &str)],
    signed: &[&str],
    payload: &str,
) -> String {
    v3::canonical_request(method, pairs(query), headers, signed, payload)
}

fn parse_form(bytes: &[u8]) -> Vec<(String, String)> {
    let params = Params::parse(bytes);
    params.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
}

fn unreserved_or_escape(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'%')
}

fuzz_target!(|data: &[u8]| {
    let input = common::read(data);
    let method = input.method.as_str();
    let query = input
        .raw_query
        .as_deref()
        .map(|q| parse_form(q.as_bytes()))
        .unwrap_or_default();
    let mut params = query.clone();
    params.extend(parse_form(&input.body));

    // HMAC-SHA1: a fixed prefix, then only RFC 3986 unreserved bytes and escapes; independent of
    // parameter order; `Signature` itself never signed.
    let sts = v2_string_to_sign(method, &params);
    let rest = sts
        .strip_prefix(&format!("{method}&%2F&"))
        .expect("METHOD&%2F& prefix");
    assert!(rest.bytes().all(unreserved_or_escape), "{rest}");
    let mut reversed = params.clone();
    reversed.reverse();
    assert_eq!(v2_string_to_sign(method, &reversed), sts);
    let mut with_signature = params.clone();
    with_signature.push(("Signature".to_owned(), "anything".to_owned()));
    assert_eq!(v2_string_to_sign(method, &with_signature), sts);

    // ACS3: whatever Authorization says, parsed fields are clean and survive a round trip.
    let headers: Vec<(&str, &str)> = input
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), std::str::from_utf8(v.as_bytes()).unwrap_or("")))
        .collect();
    let authorization = headers
        .iter()
        .find(|(n, _)| *n == "authorization")
        .map(|(_, v)| *v)
        .unwrap_or("");
    let parsed = parse_v3_authorization(authorization);
    let fallback = ["host", "x-acs-action", "x-acs-date"];
    let signed: Vec<&str> = match &parsed {
        Ok(auth) => {
            assert!(!auth.credential.is_empty() && !auth.credential.contains(','));
            assert!(!auth.signature.is_empty() && !auth.signature.contains(','));
            assert!(!auth.signed_headers.is_empty());
            for name in &auth.signed_headers {
                assert!(!name.is_empty() && !name.contains([';', ',']), "{name:?}");
            }
            let again = format!(
                "ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature={}",
                auth.credential,
                auth.signed_headers.join(";"),
                auth.signature
            );
            let reparsed: V3Authorization<'_> =
                parse_v3_authorization(&again).expect("a rebuilt header parses");
            assert_eq!(&reparsed, auth);
            auth.signed_headers.clone()
        }
        Err(_) => fallback.to_vec(),
    };
    let payload = sha256_hex(&input.body);
    let canonical = v3_canonical_request(method, &query, &headers, &signed, &payload);
    assert!(canonical.starts_with(&format!("{method}\n/\n")));
    assert!(canonical.ends_with(&payload));
    // method, path, query, one line per signed header, a blank line, the list, the payload hash.
    assert_eq!(
        canonical.split('\n').count(),
        signed.len() + 6,
        "{canonical:?}"
    );
    let mut shuffled = query.clone();
    shuffled.reverse();
    assert_eq!(
        v3_canonical_request(method, &shuffled, &headers, &signed, &payload),
        canonical
    );
});
