//! Form decoding and RFC 3986 percent-encoding, as the Alibaba RPC protocol uses them.
//!
//! The SDKs disagree on the wire form of a value (`+` or `%20` for a space, `*` raw or `%2A`), so the
//! server form-decodes everything it receives (`form_urlencoded`) and re-encodes with one strict
//! rule when it needs a canonical form (signatures).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// RFC 3986 unreserved characters stay; every other byte is escaped (`%20`, `%2A`, `%2F`, …).
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Decoded `(name, value)` pairs of a query string or an `application/x-www-form-urlencoded` body:
/// `+` is a space, `%XY` a byte, the bytes UTF-8 (invalid sequences become U+FFFD), a malformed
/// escape stays literal, empty segments are skipped, a name without `=` has an empty value.
pub fn parse_form(input: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(input)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// Strict RFC 3986 percent-encoding of the UTF-8 bytes, upper-case hex.
pub fn pct_encode(input: &str) -> String {
    utf8_percent_encode(input, STRICT).to_string()
}

/// `pct(name)=pct(value)` joined with `&`, in the given order.
pub fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (index, (name, value)) in pairs.into_iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, STRICT));
        out.push('=');
        out.extend(utf8_percent_encode(value, STRICT));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(input: &str) -> String {
        parse_form(format!("v={input}").as_bytes())
            .pop()
            .map(|(_, value)| value)
            .unwrap_or_default()
    }

    #[test]
    fn form_decoding_turns_plus_into_space_and_escapes_into_bytes() {
        let cases = [
            ("host+001", "host 001"),
            ("host%20001", "host 001"),
            ("%2B", "+"),
            ("%C3%A9%E4%B8%AD", "é中"),
            ("100%", "100%"),
            ("%zz", "%zz"),
            ("%4", "%4"),
            ("%ff", "\u{fffd}"),
            ("plain", "plain"),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(input), expected, "decoding {input:?}");
        }
    }

    #[test]
    fn parse_form_keeps_empty_values_and_order() {
        let pairs = parse_form(b"b=2&SignatureType=&a&&c=x+y");
        let expected = [("b", "2"), ("SignatureType", ""), ("a", ""), ("c", "x y")];
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn pct_encoding_follows_rfc3986_with_upper_case_hex() {
        assert_eq!(
            pct_encode("host 001*~/+!'()é中"),
            "host%20001%2A~%2F%2B%21%27%28%29%C3%A9%E4%B8%AD"
        );
        assert_eq!(
            pct_encode("2026-11-28T21:08:14Z"),
            "2026-11-28T21%3A08%3A14Z"
        );
        assert_eq!(pct_encode("A-Z_a.z~09"), "A-Z_a.z~09");
    }

    #[test]
    fn decoding_then_encoding_is_stable_for_every_sdk_wire_form() {
        let strict = "host%20001%2A~%2F%2B%21%27%28%29%C3%A9%E4%B8%AD";
        for wire in [
            strict,
            "host+001%2A~%2F%2B%21%27%28%29%C3%A9%E4%B8%AD",
            "host%20001*~%2F%2B!%27()%C3%A9%E4%B8%AD",
        ] {
            assert_eq!(pct_encode(&decode(wire)), strict, "wire form {wire}");
        }
    }

    #[test]
    fn encoded_pairs_keep_their_order_and_are_encoded_strictly() {
        let pairs = [("z", "a b"), ("a", "+/*"), ("Empty", "")];
        assert_eq!(encode_pairs(pairs), "z=a%20b&a=%2B%2F%2A&Empty=");
        assert_eq!(encode_pairs([]), "");
    }
}
