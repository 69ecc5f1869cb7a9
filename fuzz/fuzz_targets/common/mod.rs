//! The input format shared by `rpc_request` and `signature`: a request written roughly as HTTP, so
//! that seeds are readable and come straight from the SDK captures.
//!
//! ```text
//! METHOD raw-query
//! header-name: header value
//! ...
//! <empty line>
//! body bytes
//! ```
//!
//! Any byte string is some request: missing parts are empty, unusable header lines are skipped.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};

pub struct Input {
    pub method: Method,
    pub raw_query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

pub fn read(data: &[u8]) -> Input {
    let (first, mut rest) = split_line(data);
    let first = String::from_utf8_lossy(first);
    let (method, query) = first.split_once(' ').unwrap_or((&first, ""));
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
    let raw_query = (!query.is_empty()).then(|| query.trim_end_matches('\r').to_owned());
    let mut headers = HeaderMap::new();
    loop {
        let (line, after) = split_line(rest);
        rest = after;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    Input {
        method,
        raw_query,
        headers,
        body: Bytes::copy_from_slice(rest),
    }
}
