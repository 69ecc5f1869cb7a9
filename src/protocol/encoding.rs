//! Form decoding and RFC 3986 percent-encoding, as the Alibaba RPC protocol uses them.
//!
//! The SDKs disagree on the wire form of a value (`+` or `%20` for a space, `*` raw or `%2A`), so the
//! server form-decodes everything it receives and re-encodes with one strict rule when it needs a
//! canonical form (signatures).

/// Splits an `application/x-www-form-urlencoded` string (or a raw query string) into decoded pairs.
///
/// `+` is a space, `%XY` is a byte, and the bytes are read as UTF-8 (invalid sequences become U+FFFD).
/// A malformed escape (`%G1`, a trailing `%`) is kept literally, as browsers and most servers do.
/// Empty segments (`a=1&&b=2`) are skipped; a name without `=` has an empty value.
pub fn parse_form(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| match segment.split_once('=') {
            Some((name, value)) => (form_decode(name), form_decode(value)),
            None => (form_decode(segment), String::new()),
        })
        .collect()
}

/// [`parse_form`]'s pairs, decoded into one buffer: two allocations for a whole query string
/// instead of two per parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormPairs {
    text: String,
    /// Per pair: where its name starts, where its value starts (the name's end), where it ends.
    spans: Vec<[usize; 3]>,
}

impl FormPairs {
    /// Splits and decodes like [`parse_form`].
    pub fn parse(input: &str) -> Self {
        let mut pairs = FormPairs {
            text: String::with_capacity(input.len()),
            spans: Vec::with_capacity(input.bytes().filter(|b| *b == b'&').count() + 1),
        };
        let mut scratch = Vec::new();
        for segment in input.split('&').filter(|segment| !segment.is_empty()) {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            let start = pairs.text.len();
            form_decode_into(name, &mut pairs.text, &mut scratch);
            let middle = pairs.text.len();
            form_decode_into(value, &mut pairs.text, &mut scratch);
            pairs.spans.push([start, middle, pairs.text.len()]);
        }
        pairs
    }

    /// The pairs in wire order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.spans.iter().map(|&[start, middle, end]| {
            let at = |from, to| self.text.get(from..to).unwrap_or_default();
            (at(start, middle), at(middle, end))
        })
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Decodes one form-encoded component: `+` becomes a space and `%XY` a byte.
pub fn form_decode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    form_decode_into(input, &mut out, &mut Vec::new());
    out
}

/// [`form_decode`] appending to `out`; `scratch` holds the bytes of an escaped component.
fn form_decode_into(input: &str, out: &mut String, scratch: &mut Vec<u8>) {
    let bytes = input.as_bytes();
    if !bytes.iter().any(|b| *b == b'+' || *b == b'%') {
        out.push_str(input);
        return;
    }
    scratch.clear();
    decode_bytes(bytes, scratch);
    match std::str::from_utf8(scratch) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(scratch)),
    }
}

fn decode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&hi), Some(&lo)) if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => {
                    out.push(hex_value(hi) << 4 | hex_value(lo));
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

/// Appends `n` in decimal (as `Display` does, without the formatting machinery).
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("?"));
}

/// Appends `n` in decimal.
pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// RFC 3986 percent-encoding of the UTF-8 bytes: `A-Z a-z 0-9 - _ . ~` stay, every other byte
/// becomes `%XY` with upper-case hex (so a space is `%20`, `*` is `%2A`, `/` is `%2F`).
pub fn pct_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    pct_encode_into(input, &mut out);
    out
}

/// [`pct_encode`] appending to an existing buffer, for building canonical strings without
/// intermediate allocations.
pub fn pct_encode_into(input: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in input.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0x0f)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(form_decode(input), expected, "decoding {input:?}");
        }
    }

    #[test]
    fn form_pairs_decode_exactly_like_parse_form() {
        for input in [
            "",
            "&&",
            "b=2&SignatureType=&a&&c=x+y",
            "T=%5B%7B%22a%22%3A1%7D%5D&x=%ff%zz%4&=v&k=",
            "name=host%20001%2A~%2F%2B%21%27%28%29%C3%A9%E4%B8%AD",
        ] {
            let pairs = FormPairs::parse(input);
            let got: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            assert_eq!(got, parse_form(input), "{input:?}");
            assert_eq!(pairs.len(), got.len());
        }
    }

    #[test]
    fn parse_form_keeps_empty_values_and_order() {
        let pairs = parse_form("b=2&SignatureType=&a&&c=x+y");
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
            assert_eq!(pct_encode(&form_decode(wire)), strict, "wire form {wire}");
        }
    }
}
