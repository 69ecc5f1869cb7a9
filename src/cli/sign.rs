//! `sas-mock sign`: prints a correctly signed request for curl users, in either scheme.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::model::clock::{format_rfc3339, parse_rfc3339, Clock, ClockMode};
use crate::protocol::encoding::encode_pairs;
use crate::protocol::signature::client::{pairs, sign_v2_params, v3_authorization_header};
use crate::protocol::signature::sha256_hex;
use crate::protocol::VERSION;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    /// HMAC-SHA1 in the query string (SignatureVersion 1.0, Alibaba's "V2").
    V2,
    /// ACS3-HMAC-SHA256 in the Authorization header ("V3").
    V3,
}

#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// Request parameters as NAME=VALUE (Action is required; Version defaults to 2018-12-03).
    #[arg(required = true, value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The mock's base URL (https:// for a mock started with TLS; see --cacert).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub endpoint: String,
    /// For an https endpoint: the certificate the curl command should trust (the file
    /// --tls-cert-out wrote, or your --tls-cert).
    #[arg(long, value_name = "PEM")]
    pub cacert: Option<std::path::PathBuf>,
    /// Access key to sign with (the default fixtures define testid / testsecret).
    #[arg(long, env = "ALIBABA_CLOUD_ACCESS_KEY_ID", default_value = "testid")]
    pub access_key_id: String,
    /// Its secret.
    #[arg(
        long,
        env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        default_value = "testsecret",
        hide_env_values = true
    )]
    pub access_key_secret: String,
    /// STS token to send (SecurityToken / x-acs-security-token).
    #[arg(long, env = "ALIBABA_CLOUD_SECURITY_TOKEN", hide_env_values = true)]
    pub security_token: Option<String>,
    /// Signature scheme.
    #[arg(long, value_enum, default_value_t = Scheme::V2)]
    pub scheme: Scheme,
    /// HTTP method to sign for.
    #[arg(long, default_value = "GET", value_parser = ["GET", "POST"])]
    pub method: String,
    /// Sign as of this time (RFC 3339) instead of now, e.g. to match a manual clock.
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Print only the signed URL (V2 only) instead of a curl command.
    #[arg(long)]
    pub url_only: bool,
}

pub fn run(args: &SignArgs) -> ExitCode {
    match build(args, &nonce()) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::from(2)
        }
    }
}

fn nonce() -> String {
    format!(
        "{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

/// The signed request as a curl command line (or a URL), for a given nonce.
pub fn build(args: &SignArgs, nonce: &str) -> Result<String, String> {
    let mut params = Vec::with_capacity(args.params.len() + 8);
    for raw in &args.params {
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| format!("expected NAME=VALUE, found {raw:?}"))?;
        params.push((name.to_owned(), value.to_owned()));
    }
    if !params.iter().any(|(n, _)| n == "Action") {
        return Err("Action=... is required".to_owned());
    }
    if !params.iter().any(|(n, _)| n == "Version") {
        params.push(("Version".to_owned(), VERSION.to_owned()));
    }
    let timestamp = match &args.timestamp {
        Some(t) => parse_rfc3339(t)
            .ok_or_else(|| format!("--timestamp: expected RFC 3339, found {t:?}"))?,
        None => Clock::new(ClockMode::System).now(),
    };
    let stamp = format_rfc3339(timestamp / 1000 * 1000);
    let base = args.endpoint.trim_end_matches('/');
    match args.scheme {
        Scheme::V2 => Ok(v2(args, params, &stamp, nonce, base)),
        Scheme::V3 if args.url_only => {
            Err("--url-only needs --scheme v2 (V3 signs headers)".to_owned())
        }
        Scheme::V3 => Ok(v3(args, params, &stamp, nonce, base)),
    }
}

fn v2(
    args: &SignArgs,
    mut params: Vec<(String, String)>,
    stamp: &str,
    nonce: &str,
    base: &str,
) -> String {
    let common = [
        ("AccessKeyId", args.access_key_id.as_str()),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", stamp),
    ];
    params.extend(
        common
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    if let Some(token) = &args.security_token {
        params.push(("SecurityToken".to_owned(), token.clone()));
    }
    sign_v2_params(&args.method, &mut params, &args.access_key_secret);
    let url = format!("{base}/?{}", encode_pairs(pairs(&params)));
    if args.url_only {
        url
    } else {
        format!("{} {}", curl(args), quote(&url))
    }
}

fn v3(
    args: &SignArgs,
    params: Vec<(String, String)>,
    stamp: &str,
    nonce: &str,
    base: &str,
) -> String {
    let take = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (action, version) = (take("Action"), take("Version"));
    let query: Vec<(String, String)> = params
        .into_iter()
        .filter(|(n, _)| n != "Action" && n != "Version")
        .collect();
    let host = base.split("://").nth(1).unwrap_or(base).to_owned();
    let payload = sha256_hex(b"");
    let mut headers: Vec<(&str, &str)> = vec![
        ("host", &host),
        ("x-acs-action", &action),
        ("x-acs-version", &version),
        ("x-acs-date", stamp),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-content-sha256", &payload),
    ];
    if let Some(token) = &args.security_token {
        headers.push(("x-acs-security-token", token));
    }
    let auth = v3_authorization_header(
        &args.access_key_id,
        &args.access_key_secret,
        &args.method,
        &query,
        &headers,
        &payload,
    );
    let mut line = curl(args);
    for (name, value) in headers
        .iter()
        .skip(1)
        .chain([("authorization", auth.as_str())].iter())
    {
        line.push_str(&format!(" -H {}", quote(&format!("{name}: {value}"))));
    }
    let url = if query.is_empty() {
        format!("{base}/")
    } else {
        format!("{base}/?{}", encode_pairs(pairs(&query)))
    };
    line.push(' ');
    line.push_str(&quote(&url));
    line
}

/// `curl -sS -X METHOD`, trusting `--cacert` when given.
fn curl(args: &SignArgs) -> String {
    match &args.cacert {
        Some(pem) => format!(
            "curl -sS --cacert {} -X {}",
            quote(&pem.display().to_string()),
            args.method
        ),
        None => format!("curl -sS -X {}", args.method),
    }
}

/// Single-quotes a word for POSIX shells.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}
