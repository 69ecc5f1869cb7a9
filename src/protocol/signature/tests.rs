//! The two schemes against the vendor's recorded vectors and each other, the client side and the
//! prepared keys. (The Authorization parser is tested beside it, in `authorization.rs`.)
use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha1::Sha1;
use sha2::Sha256;

use super::client::{pairs as borrowed, sign_v2_params, v3_authorization_header};
use super::*;
use crate::protocol::encoding::encode_pairs;
use crate::protocol::encoding::pct_encode;
use crate::protocol::Params as Decoded;

fn parse_bytes(bytes: &[u8]) -> Vec<(String, String)> {
    let params = Decoded::parse(bytes);
    params
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn parse_form(text: &str) -> Vec<(String, String)> {
    parse_bytes(text.as_bytes())
}

fn v2_string_to_sign(method: &str, params: &[(String, String)]) -> String {
    v2::string_to_sign(method, borrowed(params))
}

/// The canonical query inside a V2 string to sign.
fn v2_canonical_query(params: &[(String, String)]) -> String {
    let sts = v2_string_to_sign("GET", params);
    let encoded = sts.strip_prefix("GET&%2F&").expect("the V2 prefix");
    parse_bytes(format!("x={encoded}").as_bytes()).remove(0).1
}

fn v2_signature(secret: &str, string_to_sign: &str) -> String {
    SigningKey::new(secret).v2_sign(string_to_sign)
}

fn v3_canonical_request(
    method: &str,
    query: &[(String, String)],
    headers: &[(&str, &str)],
    signed: &[&str],
    hashed: &str,
) -> String {
    v3::canonical_request(method, borrowed(query), headers, signed, hashed)
}

fn v3_string_to_sign(canonical: &str) -> String {
    v3::string_to_sign(canonical)
}

fn v3_signature(secret: &str, string_to_sign: &str) -> String {
    SigningKey::new(secret).v3_sign(string_to_sign)
}

type Params = [(String, String)];
type Headers<'a> = [(&'a str, &'a str)];

const SECRET: &str = "testsecret";
const WRONG: &str = "wrongsecret";
const VECTORS: &str = include_str!("../../../tests/vectors/signature-vectors.json");

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
            let received = parse_form(&encode_pairs(borrowed(&params)));
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
        assert!(key.v3_verify(&sts, &hex::encode(v3)), "{secret}");
        assert!(!SigningKey::new("other").v3_verify(&sts, &hex::encode(v3)));
    }
}

#[test]
fn a_prepared_key_never_prints_its_secret() {
    assert_eq!(
        format!("{:?}", SigningKey::new("hunter2")),
        "SigningKey(..)"
    );
}
