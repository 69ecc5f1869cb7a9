//! HTTPS, for users whose SDK cannot leave its default `https` protocol: certificates from PEM
//! files, or one generated at startup for `localhost`, `127.0.0.1` and `::1`. Handshakes run in
//! each connection's own task, hold a connection slot and end by the header timeout.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

/// A server configuration and, for a generated certificate, its PEM (for clients to trust).
pub struct Tls {
    pub config: Arc<ServerConfig>,
    pub generated_cert_pem: Option<String>,
}

/// Loads a certificate chain and private key from PEM files.
pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Tls, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|iter| iter.collect::<Result<_, _>>())
        .map_err(|e| format!("{}: not a PEM certificate: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("{}: not a PEM private key: {e}", key.display()))?;
    Ok(Tls {
        config: config(certs, key)?,
        generated_cert_pem: None,
    })
}

/// Generates a self-signed certificate for `localhost` and `127.0.0.1`.
pub fn self_signed() -> Result<Tls, String> {
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|e| format!("cannot generate a certificate: {e}"))?;
    let pem = generated.cert.pem();
    let key = PrivateKeyDer::try_from(generated.signing_key.serialize_der())
        .map_err(|e| format!("generated key: {e}"))?;
    Ok(Tls {
        config: config(vec![generated.cert.der().clone()], key)?,
        generated_cert_pem: Some(pem),
    })
}

fn config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificate and key do not make a usable pair: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
