//! Rendering answers in Alibaba's JSON and XML forms.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use super::encoding::push_i64;
use super::error::ApiError;

/// `HostId` in error bodies: the service's public endpoint, as production names it.
pub const HOST_ID: &str = "tds.aliyuncs.com";
const JSON_TYPE: &str = "application/json;charset=utf-8";
const XML_TYPE: &str = "text/xml;charset=utf-8";

/// The response format a request asked for with `Format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// One field of a success body.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Str(Text),
    Int(i64),
}

/// The value of a string field: a static name, or text shared with the store (no copy either way).
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    Static(&'static str),
    Shared(Arc<str>),
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Shared(s) => s,
        }
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text::Static(s)
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Self {
        Text::Shared(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Shared(Arc::from(s))
    }
}

/// A successful answer: the action's fields; `RequestId` is added when rendering.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    pub fields: Vec<(&'static str, Field)>,
}

impl Reply {
    pub fn str(mut self, name: &'static str, value: impl Into<Text>) -> Self {
        self.fields.push((name, Field::Str(value.into())));
        self
    }
    pub fn int(mut self, name: &'static str, value: i64) -> Self {
        self.fields.push((name, Field::Int(value)));
        self
    }
    /// The value of an integer field, if the reply has it.
    pub fn int_field(&self, name: &str) -> Option<i64> {
        self.fields.iter().find_map(|(n, v)| match v {
            Field::Int(i) if *n == name => Some(*i),
            _ => None,
        })
    }
}

/// Renders a success body for `action`, written once into one buffer.
pub fn render_reply(format: Format, action: &str, request_id: &str, reply: &Reply) -> Response {
    let room: usize = reply
        .fields
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Field::Str(s) => s.len() + s.len() / 8,
                Field::Int(_) => 20,
            };
            2 * name.len() + text + 8
        })
        .sum();
    let mut out = String::with_capacity(2 * action.len() + request_id.len() + room + 96);
    match format {
        Format::Json => {
            out.push_str("{\"RequestId\":");
            push_json_str(&mut out, request_id);
            for (name, value) in &reply.fields {
                out.push_str(",\"");
                out.push_str(name);
                out.push_str("\":");
                match value {
                    Field::Str(s) => push_json_str(&mut out, s),
                    Field::Int(n) => push_i64(&mut out, *n),
                }
            }
            out.push('}');
        }
        Format::Xml => {
            out.push_str("<?xml version='1.0' encoding='UTF-8'?><");
            out.push_str(action);
            out.push_str("Response><RequestId>");
            push_xml_escaped(&mut out, request_id);
            out.push_str("</RequestId>");
            for (name, value) in &reply.fields {
                push_xml_open(&mut out, name);
                match value {
                    Field::Str(s) => push_xml_escaped(&mut out, s),
                    Field::Int(n) => push_i64(&mut out, *n),
                }
                push_xml_close(&mut out, name);
            }
            out.push_str("</");
            out.push_str(action);
            out.push_str("Response>");
        }
    }
    respond(200, format, request_id, out)
}

/// Renders an error body with `RequestId`, `HostId`, `Code`, `Message` and `Recommend`.
pub fn render_error(format: Format, request_id: &str, err: &ApiError) -> Response {
    const TROUBLESHOOT: &str = "https://api.aliyun.com/troubleshoot?q=";
    let mut recommend =
        String::with_capacity(TROUBLESHOOT.len() + err.code.len() + request_id.len() + 28);
    recommend.push_str(TROUBLESHOOT);
    recommend.push_str(&err.code);
    recommend.push_str("&product=Sas&requestId=");
    recommend.push_str(request_id);
    let mut out = String::with_capacity(
        2 * (request_id.len() + err.code.len() + err.message.len() + recommend.len()) + 160,
    );
    match format {
        Format::Json => {
            out.push_str("{\"RequestId\":");
            push_json_str(&mut out, request_id);
            out.push_str(",\"HostId\":\"");
            out.push_str(HOST_ID);
            out.push_str("\",\"Code\":");
            push_json_str(&mut out, &err.code);
            out.push_str(",\"Message\":");
            push_json_str(&mut out, &err.message);
            out.push_str(",\"Recommend\":");
            push_json_str(&mut out, &recommend);
            out.push('}');
        }
        Format::Xml => {
            out.push_str("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>");
            push_xml_escaped(&mut out, request_id);
            out.push_str("</RequestId><HostId>");
            out.push_str(HOST_ID);
            out.push_str("</HostId><Code>");
            push_xml_escaped(&mut out, &err.code);
            out.push_str("</Code><Message>");
            push_xml_escaped(&mut out, &err.message);
            out.push_str("</Message><Recommend><![CDATA[");
            out.push_str(&recommend.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]></Recommend></Error>");
        }
    }
    respond(err.status, format, request_id, out)
}

fn respond(status: u16, format: Format, request_id: &str, body: String) -> Response {
    let content_type = match format {
        Format::Json => JSON_TYPE,
        Format::Xml => XML_TYPE,
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.reserve(4);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(X_ACS_REQUEST_ID.clone(), value);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

static X_ACS_REQUEST_ID: HeaderName = HeaderName::from_static("x-acs-request-id");

/// Appends `text` as a JSON string, escaped exactly as serde_json escapes it: `"`, `\\` and the
/// control characters (`\b \t \n \f \r` by name, the others as lower-case `\u00xx`).
pub(crate) fn push_json_str(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if !NEEDS_ESCAPE[usize::from(byte)] {
            continue;
        }
        // Escaped bytes are ASCII, so `plain..i` always falls on character boundaries.
        out.push_str(text.get(plain..i).unwrap_or_default());
        plain = i + 1;
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
    out.push_str(text.get(plain..).unwrap_or_default());
    out.push('"');
}

/// The bytes a JSON string cannot hold as they are.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

fn push_xml_open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn push_xml_close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn push_xml_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml_escape(text: &str) -> String {
        let mut out = String::new();
        push_xml_escaped(&mut out, text);
        out
    }

    #[test]
    fn xml_escaping_keeps_documents_well_formed() {
        assert_eq!(
            xml_escape(r#"[{"a":"<b>&'"}]"#),
            "[{&quot;a&quot;:&quot;&lt;b&gt;&amp;&apos;&quot;}]"
        );
        assert_eq!(xml_escape("a\u{1}b"), "ab");
    }

    #[test]
    fn json_strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let mut every_ascii: String = (0u8..=0x7f).map(char::from).collect();
        every_ascii.push_str("é中\u{2028}\u{1F600}/\\\"");
        for text in [every_ascii.as_str(), "", "plain", "\"", "a\u{0}b", "ends\n"] {
            let mut ours = String::new();
            push_json_str(&mut ours, text);
            let theirs = serde_json::Value::from(text).to_string();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn integers_render_as_json_numbers() {
        let reply = Reply::default().int("ScanTaskId", -42).str("A", "x");
        let mut out = String::new();
        for (_, value) in &reply.fields {
            match value {
                Field::Int(n) => push_i64(&mut out, *n),
                Field::Str(s) => push_json_str(&mut out, s),
            }
        }
        assert_eq!(out, "-42\"x\"");
    }
}
