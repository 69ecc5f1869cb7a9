//! RFC 3986 percent-encoding, as the Alibaba RPC protocol uses it.
//!
//! The SDKs disagree on the wire form of a value (`+` or `%20` for a space, `*` raw or `%2A`), so the
//! server form-decodes everything it receives ([`super::params::Params`]) and re-encodes with one
//! strict rule when it needs a canonical form (signatures).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// RFC 3986 unreserved characters stay; every other byte is escaped (`%20`, `%2A`, `%2F`, …).
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Strict RFC 3986 percent-encoding of the UTF-8 bytes, upper-case hex.
pub fn pct_encode(input: &str) -> String {
    pct(input).to_string()
}

/// [`pct_encode`] as it is written out, without a string of its own.
pub fn pct(input: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(input, STRICT)
}

/// `pct(name)=pct(value)` joined with `&`, in the given order.
pub fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> String {
    // Sized once: SDK values are mostly unreserved characters; a quarter more covers the usual
    // escapes (`:` in timestamps, `%` and `=` in nonces and JSON texts).
    let raw: usize = (pairs.clone().into_iter())
        .map(|(n, v)| n.len() + v.len() + 2)
        .sum();
    let mut out = String::with_capacity(raw + raw / 4);
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
    use crate::protocol::params::Params;

    fn decode(input: &str) -> String {
        let params = Params::parse(format!("v={input}").as_bytes());
        let value = params.iter().next().map(|(_, v)| v.to_owned());
        value.unwrap_or_default()
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
