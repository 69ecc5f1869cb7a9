//! `sas-mock [serve]`: load the fixtures, bind, log the ready line, serve until SIGTERM or Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::ServeArgs;
use crate::fixtures::{self, FixtureDoc, FixtureError};
use crate::server::tls::{self, Tls};
use crate::server::{shutdown_signal, Serve};
use crate::state::AppState;
use crate::telemetry;

/// The fixture documents to start with: the given paths, else the embedded default.
pub fn startup_fixtures(paths: &[PathBuf]) -> Result<Vec<(String, FixtureDoc)>, FixtureError> {
    if paths.is_empty() {
        return Ok(vec![fixtures::default_document()?]);
    }
    fixtures::read_paths(paths)
}

pub fn run(args: &ServeArgs) -> ExitCode {
    telemetry::init(args.log_format);
    let settings = args.settings();
    let state = match startup_fixtures(&args.fixtures)
        .and_then(|docs| AppState::new(settings.clone(), &docs))
    {
        Ok(state) => Arc::new(state),
        Err(err) => {
            eprintln!("sas-mock: bad fixture: {err}");
            return ExitCode::from(2);
        }
    };
    let tls = match tls_for(args) {
        Ok(tls) => tls,
        Err(err) => {
            eprintln!("sas-mock: TLS: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("sas-mock: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        tracing::info!(
            listen = %listener.local_addr()?,
            scheme = if tls.is_some() { "https" } else { "http" },
            seed = settings.seed,
            auth = %settings.auth,
            clock = %settings.clock,
            unknown_tasks = %settings.unknown_tasks,
            access_keys = state.accounts.keys().len(),
            fixture_tasks = state.tasks.seeds().len(),
            faults = state.faults.rules.list().len(),
            "sas-mock ready"
        );
        if !args.listen.ip().is_loopback() && settings.admin_token.is_none() {
            tracing::warn!("listening on {} without --admin-token: anyone who can reach this port can change the mock's state", args.listen);
        }
        let serve = Serve {
            tls: tls.map(|tls| tls.config),
            ..Serve::new(state)
        };
        serve.run(listener, shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sas-mock: cannot serve on {}: {err}", args.listen);
            ExitCode::FAILURE
        }
    }
}

/// The TLS setup the flags ask for (writing a generated certificate out if asked).
fn tls_for(args: &ServeArgs) -> Result<Option<Tls>, String> {
    let tls = match (&args.tls_cert, &args.tls_key, args.tls_self_signed) {
        (Some(cert), Some(key), _) => tls::from_pem_files(cert, key)?,
        (_, _, true) => tls::self_signed()?,
        _ if args.tls_cert_out.is_some() => {
            return Err("--tls-cert-out needs --tls-self-signed".to_owned())
        }
        _ => return Ok(None),
    };
    if let (Some(path), Some(pem)) = (&args.tls_cert_out, &tls.generated_cert_pem) {
        std::fs::write(path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(Some(tls))
}
