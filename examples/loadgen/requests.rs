//! The request each scenario sends. Signed scenarios sign every request afresh (a new nonce each)
//! with the crate's own signing functions; everything that does not change between requests is
//! prepared once, so that the client spends as little of the shared CPU as it can.

use std::fmt::Write as _;

use sas_mock::domain::clock::format_rfc3339;
use sas_mock::protocol::encoding::pct_encode_into;
use sas_mock::protocol::signature::{
    encode_query, v2_signature, v2_string_to_sign_of, v3_canonical_request, v3_signature,
    v3_string_to_sign, EMPTY_SHA256,
};

/// What to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// `GET /__admin/health`: the in-process floor (no RPC processing).
    Health,
    /// Unsigned `GET /?Action=DescribeScanTaskProgress&...`.
    Unsigned,
    /// HMAC-SHA1-signed DescribeScanTaskProgress, a fresh nonce per request.
    V2,
    /// ACS3-HMAC-SHA256-signed DescribeScanTaskProgress (POST), a fresh nonce per request.
    V3,
    /// Unsigned `POST /` StartVirusScanTask with a form body (each creates a task).
    Start,
}

const VERSION: &str = "2018-12-03";
const ACTION: &str = "DescribeScanTaskProgress";
const TARGET_INFO: &str =
    r#"[{"type":"uuid","name":"host001","target":"503201a7-14c6-4280-801b-1169ed420000"}]"#;
/// The headers a V3 request signs, sorted, as the Tea SDKs send them.
const V3_SIGNED: [&str; 6] = sas_mock::protocol::signature::V3_MINIMAL_SIGNED_HEADERS;

/// Everything a connection needs to build its requests.
#[derive(Debug, Clone)]
pub struct Builder {
    pub scenario: Scenario,
    /// `127.0.0.1:PORT`, the Host header (and a signed header for V3).
    pub host: String,
    pub task_id: i64,
    pub access_key_id: String,
    pub secret: String,
    /// A prefix that makes nonces unique across runs against one server.
    pub run_id: u64,
    /// The mock's clock: fixed under `--clock manual`, else `None` (follow the system clock).
    pub manual_now: Option<i64>,
}

/// One connection's request writer, with what it can reuse between requests.
pub struct Writer<'a> {
    builder: &'a Builder,
    conn: usize,
    task_id: String,
    /// The timestamp and the second it was made for.
    stamp: (i64, String),
    nonce: String,
}

impl Builder {
    pub fn writer(&self, conn: usize) -> Writer<'_> {
        Writer {
            builder: self,
            conn,
            task_id: self.task_id.to_string(),
            stamp: (i64::MIN, String::new()),
            nonce: String::new(),
        }
    }
}

impl Writer<'_> {
    /// Writes request number `n` into `out` (cleared first).
    pub fn build(&mut self, n: u64, out: &mut Vec<u8>) {
        out.clear();
        let b = self.builder;
        self.nonce.clear();
        let _ = write!(self.nonce, "{:x}-{}-{n}", b.run_id, self.conn);
        self.refresh_stamp();
        let text = match b.scenario {
            Scenario::Health => get(&b.host, "/__admin/health"),
            Scenario::Unsigned => get(
                &b.host,
                &format!(
                    "/?Action={ACTION}&Version={VERSION}&TaskId={}",
                    self.task_id
                ),
            ),
            Scenario::Start => start(&b.host),
            Scenario::V2 => self.v2(),
            Scenario::V3 => self.v3(),
        };
        out.extend_from_slice(text.as_bytes());
    }

    fn refresh_stamp(&mut self) {
        let now = self.builder.manual_now.unwrap_or_else(system_millis);
        let second = now / 1000;
        if second != self.stamp.0 {
            self.stamp = (second, format_rfc3339(second * 1000));
        }
    }

    fn v2(&self) -> String {
        let b = self.builder;
        let params: [(&str, &str); 9] = [
            ("AccessKeyId", &b.access_key_id),
            ("Action", ACTION),
            ("Format", "JSON"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", &self.nonce),
            ("SignatureVersion", "1.0"),
            ("Timestamp", &self.stamp.1),
            ("Version", VERSION),
            ("TaskId", &self.task_id),
        ];
        let signature = v2_signature(&b.secret, &v2_string_to_sign_of("GET", params.into_iter()));
        let mut target = String::with_capacity(400);
        target.push_str("/?");
        for (name, value) in params
            .into_iter()
            .chain([("Signature", signature.as_str())])
        {
            if target.len() > 2 {
                target.push('&');
            }
            pct_encode_into(name, &mut target);
            target.push('=');
            pct_encode_into(value, &mut target);
        }
        get(&b.host, &target)
    }

    fn v3(&self) -> String {
        let b = self.builder;
        let query = [("TaskId".to_owned(), self.task_id.clone())];
        let headers: [(&str, &str); 6] = [
            ("host", &b.host),
            ("x-acs-action", ACTION),
            ("x-acs-content-sha256", EMPTY_SHA256),
            ("x-acs-date", &self.stamp.1),
            ("x-acs-signature-nonce", &self.nonce),
            ("x-acs-version", VERSION),
        ];
        let canonical = v3_canonical_request("POST", &query, &headers, &V3_SIGNED, EMPTY_SHA256);
        let signature = v3_signature(&b.secret, &v3_string_to_sign(&canonical));
        let mut text = String::with_capacity(700);
        let _ = write!(text, "POST /?{} HTTP/1.1\r\n", encode_query(&query));
        for (name, value) in headers {
            let _ = write!(text, "{name}: {value}\r\n");
        }
        let _ = write!(
            text,
            "authorization: ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature={signature}\r\n\
             content-length: 0\r\n\r\n",
            b.access_key_id,
            V3_SIGNED.join(";"),
        );
        text
    }
}

fn get(host: &str, target: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n")
}

fn start(host: &str) -> String {
    let body = encode_query(&[("TargetInfo".to_owned(), TARGET_INFO.to_owned())]);
    format!(
        "POST /?Action=StartVirusScanTask&Version={VERSION} HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

pub fn system_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
