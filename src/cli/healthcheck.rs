//! `sas-mock healthcheck [--url URL] [--wait DURATION]`: a tiny HTTP/1.1 GET, so that a shell-less
//! image can probe itself and a CI script can wait for a server it started in the background.
//!
//! `https://` URLs are probed over TLS without verifying the certificate: the probe runs beside the
//! server it checks and only asks whether it answers.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};

/// The server's health URL as the environment describes it: the port of `SAS_MOCK_LISTEN`
/// (default 8080) on loopback, `https` when TLS is configured.
pub fn default_url() -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let listen: std::net::SocketAddr = var("SAS_MOCK_LISTEN")
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
    let host = match listen.ip() {
        ip if ip.is_unspecified() && ip.is_ipv6() => "[::1]".to_owned(),
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        std::net::IpAddr::V4(ip) => ip.to_string(),
    };
    let self_signed = var("SAS_MOCK_TLS_SELF_SIGNED").is_some_and(|v| {
        !matches!(
            v.to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "off" | "n" | "f"
        )
    });
    let scheme = if self_signed || var("SAS_MOCK_TLS_CERT").is_some() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}:{}/__admin/health", listen.port())
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// Health URL to ask. By default it is derived from SAS_MOCK_LISTEN (port, with 0.0.0.0 read
    /// as 127.0.0.1) and the TLS variables: http://127.0.0.1:8080/__admin/health.
    #[arg(long, env = "SAS_MOCK_HEALTH_URL")]
    pub url: Option<String>,
    /// Keep asking (every 100 ms) until the server answers or this much time has passed, e.g.
    /// right after starting it in the background: `sas-mock & sas-mock healthcheck --wait 10s`.
    #[arg(long, value_name = "DURATION", value_parser = super::duration_arg)]
    pub wait: Option<Duration>,
}

pub fn run(args: &HealthcheckArgs) -> ExitCode {
    let url = args.url.clone().unwrap_or_else(default_url);
    let deadline = Instant::now() + args.wait.unwrap_or_default();
    loop {
        match probe(&url) {
            Ok(()) => return ExitCode::SUCCESS,
            Err(why) if Instant::now() >= deadline => {
                eprintln!("unhealthy: {why}");
                return ExitCode::FAILURE;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn probe(url: &str) -> Result<(), String> {
    let (tls, rest) = match (url.strip_prefix("http://"), url.strip_prefix("https://")) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => return Err(format!("{url}: expected an http:// or https:// URL")),
    };
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {authority}"))?;
    let timeout = Duration::from_secs(2);
    let tcp = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    tcp.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    let head = if tls {
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(h, _)| h)
            .trim_matches(['[', ']']);
        exchange(&mut tls_stream(tcp, host)?, &request)?
    } else {
        exchange(&mut { tcp }, &request)?
    };
    match head.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some(code) => Err(format!("{url} answered HTTP {code}")),
        None => Err(format!("{url} did not answer HTTP")),
    }
}

fn exchange(stream: &mut impl ReadWrite, request: &str) -> Result<String, String> {
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut head = [0u8; 64];
    let n = stream
        .read(&mut head)
        .map_err(|e| format!("no answer: {e}"))?;
    Ok(String::from_utf8_lossy(&head[..n]).into_owned())
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn tls_stream(
    tcp: TcpStream,
    host: &str,
) -> Result<StreamOwned<ClientConnection, TcpStream>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(|e| format!("{host}: {e}"))?;
    let connection = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    Ok(StreamOwned::new(connection, tcp))
}

/// Accepts any certificate (handshake signatures are still checked).
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
