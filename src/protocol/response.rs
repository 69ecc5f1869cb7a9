//! Answers in Alibaba's JSON and XML forms, as bytes with their status and content type.

use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ApiError;

/// `HostId` in error bodies: the service's public endpoint, as production names it.
pub const HOST_ID: &str = "tds.aliyuncs.com";
/// `HostId` of the mock's own errors (the admin API), so nobody mistakes them for Alibaba's.
pub const OWN_HOST_ID: &str = "sas-mock";
const JSON_TYPE: &str = "application/json;charset=utf-8";
/// The exact type the Tea V3 SDKs read an XML error from.
const XML_TYPE: &str = "text/xml;charset=utf-8";

/// The response format a request asked for with `Format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// A successful answer's fields; `RequestId` is added when rendering.
pub type Reply = Map<String, Value>;

/// An answer, ready for any transport.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub status: u16,
    pub content_type: &'static str,
    /// Shared with the journal, which keeps the answer too.
    pub body: Bytes,
}

/// A success body for `action`: `{"RequestId":…, fields…}` or `<ActionResponse>…</ActionResponse>`.
/// `request_id` is the answer's id; a `RequestId` among the fields (a stub's, which the pipeline
/// has already made the request's id) is not written twice.
pub fn render_reply(format: Format, action: &str, request_id: &str, reply: &Reply) -> Rendered {
    let body = match format {
        Format::Json => {
            // Room for a typical answer at once (serde_json's own start is 128 bytes).
            let mut out = Vec::with_capacity(512);
            match serde_json::to_writer(&mut out, &Envelope { request_id, reply }) {
                Ok(()) => out,
                Err(_) => Vec::new(),
            }
        }
        Format::Xml => {
            let mut fields = Map::with_capacity(reply.len() + 1);
            fields.insert("RequestId".to_owned(), Value::from(request_id));
            let others = reply.iter().filter(|(k, _)| *k != "RequestId");
            fields.extend(others.map(|(k, v)| (k.clone(), v.clone())));
            let mut out = String::from("<?xml version='1.0' encoding='UTF-8'?>");
            push_xml(
                &mut out,
                &format!("{action}Response"),
                &Value::Object(fields),
            );
            out.into_bytes()
        }
    };
    Rendered {
        status: 200,
        content_type: content_type(format),
        body: body.into(),
    }
}

/// A reply's fields after its `RequestId`, serialised straight from the reply (no copy of it).
struct Envelope<'a> {
    request_id: &'a str,
    reply: &'a Reply,
}

impl Serialize for Envelope<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let others = self.reply.iter().filter(|(k, _)| *k != "RequestId");
        let mut map = s.serialize_map(Some(1 + others.clone().count()))?;
        map.serialize_entry("RequestId", self.request_id)?;
        for (name, value) in others {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// The fields of an error body, in production's order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody<'a> {
    request_id: &'a str,
    host_id: &'a str,
    code: &'a str,
    message: &'a str,
    recommend: String,
}

/// `{"RequestId","HostId","Code","Message","Recommend"}`, or `<Error>…</Error>`.
pub fn render_error(format: Format, request_id: &str, err: &ApiError) -> Rendered {
    let (host_id, recommend) = if let Some(text) = &err.recommend {
        (if err.own { OWN_HOST_ID } else { HOST_ID }, text.clone())
    } else if err.own {
        let hint = "sas-mock's own error (not Alibaba's): see the README, section \"Admin API\"";
        (OWN_HOST_ID, hint.to_owned())
    } else {
        let link = format!(
            "https://api.aliyun.com/troubleshoot?q={}&product=Sas&requestId={request_id}",
            err.code
        );
        (HOST_ID, link)
    };
    let fields = ErrorBody {
        request_id,
        host_id,
        code: &err.code,
        message: &err.message,
        recommend,
    };
    let body = match format {
        Format::Json => serde_json::to_vec(&fields).unwrap_or_default(),
        Format::Xml => {
            let mut out = String::from("<?xml version='1.0' encoding='UTF-8'?><Error>");
            for (name, value) in [
                ("RequestId", fields.request_id),
                ("HostId", fields.host_id),
                ("Code", fields.code),
                ("Message", fields.message),
            ] {
                push_xml(&mut out, name, &Value::from(value));
            }
            // Production wraps the link in CDATA; `]]>` inside it is split across two sections.
            out.push_str("<Recommend><![CDATA[");
            out.push_str(&fields.recommend.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]></Recommend></Error>");
            out.into_bytes()
        }
    };
    let body = Bytes::from(body);
    Rendered {
        status: err.status,
        content_type: content_type(format),
        body,
    }
}

fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => JSON_TYPE,
        Format::Xml => XML_TYPE,
    }
}

/// `<name>value</name>`: objects nest, each item of an array repeats the element, null is empty.
fn push_xml(out: &mut String, name: &str, value: &Value) {
    if let Value::Array(items) = value {
        for item in items {
            push_xml(out, name, item);
        }
        return;
    }
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Object(fields) => {
            for (child, value) in fields {
                push_xml(out, child, value);
            }
        }
        Value::String(text) => push_xml_escaped(out, text),
        Value::Null => {}
        other => out.push_str(&other.to_string()),
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// XML text: five entities, and the control characters XML 1.0 cannot carry dropped. Hand-written:
/// a crate would add a dependency for these few lines.
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
    use serde_json::json;

    fn reply(value: Value) -> Reply {
        match value {
            Value::Object(map) => map,
            _ => Reply::new(),
        }
    }

    #[test]
    fn a_reply_puts_the_request_id_first_and_keeps_number_and_string_types() {
        let rendered = render_reply(
            Format::Json,
            "StartVirusScanTask",
            "ID-1",
            &reply(json!({"ScanTaskId": -42, "Note": "a\"b\n"})),
        );
        assert_eq!((rendered.status, rendered.content_type), (200, JSON_TYPE));
        assert_eq!(
            String::from_utf8(rendered.body.to_vec()).expect("UTF-8"),
            r#"{"RequestId":"ID-1","ScanTaskId":-42,"Note":"a\"b\n"}"#
        );
    }

    #[test]
    fn a_request_id_among_the_fields_is_written_once_first() {
        let fields = reply(json!({"A": 1, "RequestId": "STUB-ID"}));
        let rendered = render_reply(Format::Json, "Op", "STUB-ID", &fields);
        assert_eq!(
            String::from_utf8(rendered.body.to_vec()).expect("UTF-8"),
            r#"{"RequestId":"STUB-ID","A":1}"#
        );
        let xml = render_reply(Format::Xml, "Op", "STUB-ID", &fields);
        let xml = String::from_utf8(xml.body.to_vec()).expect("UTF-8");
        assert_eq!(
            xml.matches("<RequestId>STUB-ID</RequestId>").count(),
            1,
            "{xml}"
        );
    }

    #[test]
    fn xml_nests_objects_repeats_array_items_and_escapes_text() {
        let fields = reply(json!({"A": "<b>&'\u{1}", "Page": {"N": 1}, "L": [1, 2], "E": null}));
        let rendered = render_reply(Format::Xml, "Op", "ID", &fields);
        assert_eq!(
            String::from_utf8(rendered.body.to_vec()).expect("UTF-8"),
            "<?xml version='1.0' encoding='UTF-8'?><OpResponse><RequestId>ID</RequestId>\
             <A>&lt;b&gt;&amp;&apos;</A><Page><N>1</N></Page><L>1</L><L>2</L><E></E></OpResponse>"
        );
        assert_eq!(rendered.content_type, XML_TYPE);
    }

    #[test]
    fn errors_have_productions_five_fields_and_the_mocks_own_say_so() {
        let err = ApiError::catalog("NoPermission");
        let body: Value =
            serde_json::from_slice(&render_error(Format::Json, "R", &err).body).expect("JSON");
        assert_eq!(
            body,
            json!({"RequestId": "R", "HostId": "tds.aliyuncs.com", "Code": "NoPermission",
                   "Message": "caller has no permission",
                   "Recommend": "https://api.aliyun.com/troubleshoot?q=NoPermission&product=Sas&requestId=R"})
        );
        let own = ApiError::admin(404, "NotFound", "no task 5");
        let body: Value =
            serde_json::from_slice(&render_error(Format::Json, "R", &own).body).expect("JSON");
        assert_eq!(body["HostId"], "sas-mock");
        assert!(body["Recommend"]
            .as_str()
            .is_some_and(|r| r.contains("Admin API")));
        let xml = render_error(Format::Xml, "R", &err).body;
        let xml = String::from_utf8(xml.to_vec()).expect("UTF-8");
        assert!(xml.ends_with("<Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=NoPermission&product=Sas&requestId=R]]></Recommend></Error>"), "{xml}");
    }
}
