//! Rendering answers in Alibaba's JSON and XML forms.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

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
    Str(std::sync::Arc<str>),
    Int(i64),
}

/// A successful answer: the action's fields; `RequestId` is added when rendering.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    pub fields: Vec<(&'static str, Field)>,
}

impl Reply {
    pub fn str(mut self, name: &'static str, value: impl Into<std::sync::Arc<str>>) -> Self {
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

/// Renders a success body for `action`.
pub fn render_reply(format: Format, action: &str, request_id: &str, reply: &Reply) -> Response {
    let body = match format {
        Format::Json => {
            let mut out = format!("{{\"RequestId\":{}", json_str(request_id));
            for (name, value) in &reply.fields {
                out.push_str(&format!(",\"{name}\":"));
                match value {
                    Field::Str(s) => out.push_str(&json_str(s)),
                    Field::Int(n) => out.push_str(&n.to_string()),
                }
            }
            out.push('}');
            out
        }
        Format::Xml => {
            let mut out = format!(
                "<?xml version='1.0' encoding='UTF-8'?><{action}Response><RequestId>{}</RequestId>",
                xml_escape(request_id)
            );
            for (name, value) in &reply.fields {
                let text = match value {
                    Field::Str(s) => xml_escape(s),
                    Field::Int(n) => n.to_string(),
                };
                out.push_str(&format!("<{name}>{text}</{name}>"));
            }
            out.push_str(&format!("</{action}Response>"));
            out
        }
    };
    respond(200, format, request_id, body)
}

/// Renders an error body with `RequestId`, `HostId`, `Code`, `Message` and `Recommend`.
pub fn render_error(format: Format, request_id: &str, err: &ApiError) -> Response {
    let recommend = format!(
        "https://api.aliyun.com/troubleshoot?q={}&product=Sas&requestId={request_id}",
        err.code
    );
    let body = match format {
        Format::Json => format!(
            "{{\"RequestId\":{},\"HostId\":\"{HOST_ID}\",\"Code\":{},\"Message\":{},\"Recommend\":{}}}",
            json_str(request_id),
            json_str(&err.code),
            json_str(&err.message),
            json_str(&recommend)
        ),
        Format::Xml => format!(
            "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>{}</RequestId><HostId>{HOST_ID}</HostId><Code>{}</Code><Message>{}</Message><Recommend><![CDATA[{}]]></Recommend></Error>",
            xml_escape(request_id),
            xml_escape(&err.code),
            xml_escape(&err.message),
            recommend.replace("]]>", "]]]]><![CDATA[>")
        ),
    };
    respond(err.status, format, request_id, body)
}

fn respond(status: u16, format: Format, request_id: &str, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = match format {
        Format::Json => JSON_TYPE,
        Format::Xml => XML_TYPE,
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-acs-request-id", value);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn json_str(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_keeps_documents_well_formed() {
        assert_eq!(
            xml_escape(r#"[{"a":"<b>&'"}]"#),
            "[{&quot;a&quot;:&quot;&lt;b&gt;&amp;&apos;&quot;}]"
        );
        assert_eq!(xml_escape("a\u{1}b"), "ab");
    }
}
