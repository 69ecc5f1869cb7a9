//! The request each scenario sends, built fresh for every request where signing demands it.

use sas_mock::domain::clock::format_rfc3339;
use sas_mock::protocol::signature::{
    encode_query, sha256_hex, sign_v2_params, v3_authorization_header,
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
const TARGET_INFO: &str =
    r#"[{"type":"uuid","name":"host001","target":"503201a7-14c6-4280-801b-1169ed420000"}]"#;

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

impl Builder {
    /// Writes request number `n` of connection `conn` into `out` (cleared first).
    pub fn build(&self, conn: usize, n: u64, out: &mut Vec<u8>) {
        out.clear();
        let nonce = format!("{:x}-{conn}-{n}", self.run_id);
        let text = match self.scenario {
            Scenario::Health => self.get("/__admin/health"),
            Scenario::Unsigned => self.get(&format!(
                "/?Action=DescribeScanTaskProgress&Version={VERSION}&TaskId={}",
                self.task_id
            )),
            Scenario::Start => self.start(),
            Scenario::V2 => self.v2(&nonce),
            Scenario::V3 => self.v3(&nonce),
        };
        out.extend_from_slice(text.as_bytes());
    }

    fn get(&self, target: &str) -> String {
        format!("GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host)
    }

    fn start(&self) -> String {
        let body = encode_query(&[("TargetInfo".to_owned(), TARGET_INFO.to_owned())]);
        format!(
            "POST /?Action=StartVirusScanTask&Version={VERSION} HTTP/1.1\r\nHost: {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        )
    }

    fn timestamp(&self) -> String {
        let now = self.manual_now.unwrap_or_else(system_millis);
        format_rfc3339(now / 1000 * 1000)
    }

    fn v2(&self, nonce: &str) -> String {
        let mut params: Vec<(String, String)> = [
            ("AccessKeyId", self.access_key_id.as_str()),
            ("Action", "DescribeScanTaskProgress"),
            ("Format", "JSON"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("Timestamp", &self.timestamp()),
            ("Version", VERSION),
            ("TaskId", &self.task_id.to_string()),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        sign_v2_params("GET", &mut params, &self.secret);
        self.get(&format!("/?{}", encode_query(&params)))
    }

    fn v3(&self, nonce: &str) -> String {
        let query = vec![("TaskId".to_owned(), self.task_id.to_string())];
        let payload = sha256_hex(b"");
        let stamp = self.timestamp();
        let headers: [(&str, &str); 6] = [
            ("host", &self.host),
            ("x-acs-action", "DescribeScanTaskProgress"),
            ("x-acs-content-sha256", &payload),
            ("x-acs-date", &stamp),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-version", VERSION),
        ];
        let auth = v3_authorization_header(
            &self.access_key_id,
            &self.secret,
            "POST",
            &query,
            &headers,
            &payload,
        );
        let mut text = format!("POST /?{} HTTP/1.1\r\n", encode_query(&query));
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str(&format!(
            "authorization: {auth}\r\ncontent-length: 0\r\n\r\n"
        ));
        text
    }
}

pub fn system_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
