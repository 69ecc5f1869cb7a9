//! The request each scenario sends. Signed scenarios sign every request afresh (a new nonce each)
//! with the crate's own signing functions; everything that does not change between requests is
//! prepared once, so that the client spends as little of the shared CPU as it can.
//!
//! For V3 that means hashing the canonical request up to the nonce once a second and resuming the
//! hash for each nonce (see [`V3Signer`]); the first request of each signer is checked against
//! the crate's own signing path.

use std::io::Write as _;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use std::fmt::Write as _;

use sas_mock::model::clock::format_rfc3339;
use sas_mock::protocol::encoding::{encode_pairs, pct_encode};
use sas_mock::protocol::signature::client::pairs;
use sas_mock::protocol::signature::{v2, v3, SigningKey, EMPTY_SHA256};

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
const V3_SIGNED: [&str; 6] = v3::MINIMAL_SIGNED_HEADERS;

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
    task_id: String,
    /// The timestamp and the second it was made for.
    stamp: (i64, String),
    nonce: String,
    /// `RUN-CONN-`: the nonce of request N is this and N.
    nonce_prefix: String,
    /// V3 signing state for the current timestamp.
    v3: Option<V3Signer>,
}

/// The V3 canonical request of one second, split around the nonce: every header before the nonce
/// is already hashed, so a request costs one short SHA-256 and one HMAC.
struct V3Signer {
    second: i64,
    /// SHA-256 state after everything up to the nonce.
    before_nonce: Sha256,
    /// The rest of the canonical request after the nonce.
    after_nonce: String,
    /// HMAC-SHA256 keyed with the secret, not yet fed.
    keyed: Hmac<Sha256>,
    /// The request's text before the nonce, between the nonce and the signature, and after it.
    text: [Vec<u8>; 3],
    /// Whether the first signature has been checked against the crate's own path.
    checked: bool,
}

const NONCE_MARK: &str = "NONCE-GOES-HERE";

impl Builder {
    pub fn writer(&self, conn: usize) -> Writer<'_> {
        Writer {
            builder: self,
            task_id: self.task_id.to_string(),
            stamp: (i64::MIN, String::new()),
            nonce: String::new(),
            nonce_prefix: format!("{:x}-{conn}-", self.run_id),
            v3: None,
        }
    }
}

impl Writer<'_> {
    /// Writes request number `n` into `out` (cleared first).
    pub fn build(&mut self, n: u64, out: &mut Vec<u8>) {
        out.clear();
        let b = self.builder;
        self.nonce.clear();
        self.nonce.push_str(&self.nonce_prefix);
        let _ = write!(self.nonce, "{n}");
        self.refresh_stamp();
        if b.scenario == Scenario::V3 {
            self.v3(out);
            return;
        }
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
            Scenario::V3 => unreachable!("written above"),
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
        let signature = SigningKey::new(&b.secret).v2_sign(&v2::string_to_sign("GET", params));
        let mut target = String::with_capacity(400);
        target.push_str("/?");
        for (name, value) in params
            .into_iter()
            .chain([("Signature", signature.as_str())])
        {
            if target.len() > 2 {
                target.push('&');
            }
            target.push_str(&pct_encode(name));
            target.push('=');
            target.push_str(&pct_encode(value));
        }
        get(&b.host, &target)
    }

    /// The V3 headers, sorted as signed, with `nonce` as the nonce.
    fn v3_headers<'h>(&'h self, nonce: &'h str) -> [(&'h str, &'h str); 6] {
        [
            ("host", &self.builder.host),
            ("x-acs-action", ACTION),
            ("x-acs-content-sha256", EMPTY_SHA256),
            ("x-acs-date", &self.stamp.1),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-version", VERSION),
        ]
    }

    fn v3_query(&self) -> [(String, String); 1] {
        [("TaskId".to_owned(), self.task_id.clone())]
    }

    /// The crate's own V3 signature for the current nonce, to check the fast path against.
    fn v3_reference_signature(&self) -> String {
        let canonical = v3::canonical_request(
            "POST",
            pairs(&self.v3_query()),
            &self.v3_headers(&self.nonce),
            &V3_SIGNED,
            EMPTY_SHA256,
        );
        SigningKey::new(&self.builder.secret).v3_sign(&v3::string_to_sign(&canonical))
    }

    fn v3_signer(&self) -> V3Signer {
        let canonical = v3::canonical_request(
            "POST",
            pairs(&self.v3_query()),
            &self.v3_headers(NONCE_MARK),
            &V3_SIGNED,
            EMPTY_SHA256,
        );
        let (before, after) = canonical
            .split_once(NONCE_MARK)
            .expect("the canonical request holds the nonce as given");
        let mut text = Vec::new();
        let _ = write!(text, "POST /?TaskId={} HTTP/1.1\r\n", self.task_id);
        for (name, value) in self.v3_headers(NONCE_MARK) {
            let _ = write!(text, "{name}: {value}\r\n");
        }
        let _ = write!(
            text,
            "authorization: ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature={NONCE_MARK}\r\n\
             content-length: 0\r\n\r\n",
            self.builder.access_key_id,
            V3_SIGNED.join(";"),
        );
        let text = String::from_utf8(text).expect("the request is text");
        let mut parts = text
            .splitn(3, NONCE_MARK)
            .map(|part| part.as_bytes().to_vec());
        V3Signer {
            second: self.stamp.0,
            before_nonce: Sha256::new_with_prefix(before),
            after_nonce: after.to_owned(),
            keyed: Hmac::<Sha256>::new_from_slice(self.builder.secret.as_bytes())
                .expect("HMAC takes a key of any length"),
            text: [(); 3].map(|()| parts.next().unwrap_or_default()),
            checked: false,
        }
    }

    fn v3(&mut self, out: &mut Vec<u8>) {
        let mut signer = match self.v3.take() {
            Some(signer) if signer.second == self.stamp.0 => signer,
            _ => self.v3_signer(),
        };
        let mut hash = signer.before_nonce.clone();
        hash.update(&self.nonce);
        hash.update(&signer.after_nonce);
        let mut hex_hash = [0u8; 64];
        let _ = hex::encode_to_slice(hash.finalize(), &mut hex_hash);
        let mut mac = signer.keyed.clone();
        mac.update(b"ACS3-HMAC-SHA256\n");
        mac.update(&hex_hash);
        let mut signature = [0u8; 64];
        let _ = hex::encode_to_slice(mac.finalize().into_bytes(), &mut signature);
        let signature = std::str::from_utf8(&signature).unwrap_or_default();
        if !signer.checked {
            signer.checked = true;
            let reference = self.v3_reference_signature();
            assert_eq!(signature, reference, "the fast V3 signing path disagrees");
        }
        out.extend_from_slice(&signer.text[0]);
        out.extend_from_slice(self.nonce.as_bytes());
        out.extend_from_slice(&signer.text[1]);
        out.extend_from_slice(signature.as_bytes());
        out.extend_from_slice(&signer.text[2]);
        self.v3 = Some(signer);
    }
}

fn get(host: &str, target: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n")
}

fn start(host: &str) -> String {
    let body = encode_pairs([("TargetInfo", TARGET_INFO)]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_v3_request_carries_the_signature_the_crate_computes() {
        let builder = Builder {
            scenario: Scenario::V3,
            host: "127.0.0.1:18080".to_owned(),
            task_id: 100_002,
            access_key_id: "testid".to_owned(),
            secret: "testsecret".to_owned(),
            run_id: 0xabc,
            manual_now: Some(1_795_919_852_000),
        };
        let mut writer = builder.writer(3);
        let mut out = Vec::new();
        for n in 0..5 {
            writer.build(n, &mut out);
            let text = String::from_utf8(out.clone()).expect("text");
            let signature = writer.v3_reference_signature();
            assert!(
                text.contains(&format!("Signature={signature}\r\n")),
                "{text}"
            );
            assert!(
                text.contains(&format!("x-acs-signature-nonce: abc-3-{n}\r\n")),
                "{text}"
            );
            assert!(text.ends_with("content-length: 0\r\n\r\n"), "{text}");
        }
    }
}
