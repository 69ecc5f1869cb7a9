//! The three subcommands: `serve`, `check` and `healthcheck`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::config::ServeArgs;
use crate::fixtures::{self, FixtureDoc, FixtureError};
use crate::logging;
use crate::registry::Registry;
use crate::server;
use crate::state::AppState;
use crate::tls::{self, Tls};

/// The fixture documents to start with: the given paths, else the embedded default.
pub fn startup_fixtures(paths: &[PathBuf]) -> Result<Vec<(String, FixtureDoc)>, FixtureError> {
    if paths.is_empty() {
        return Ok(vec![fixtures::default_document()?]);
    }
    fixtures::read_paths(paths)
}

pub fn serve(args: &ServeArgs) -> ExitCode {
    logging::init(args.log_format);
    let settings = args.settings();
    let state = match startup_fixtures(&args.fixtures)
        .and_then(|docs| AppState::new(settings.clone(), &docs))
    {
        Ok(state) => Arc::new(state),
        Err(err) => {
            logging::flush();
            eprintln!("sas-mock: bad fixture: {err}");
            return ExitCode::from(2);
        }
    };
    let tls = match tls_for(args) {
        Ok(tls) => tls,
        Err(err) => {
            logging::flush();
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
            logging::flush();
            eprintln!("sas-mock: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        let registry = state.registry();
        tracing::info!(
            listen = %listener.local_addr()?,
            scheme = if tls.is_some() { "https" } else { "http" },
            seed = settings.seed,
            auth = ?settings.auth,
            clock = ?settings.clock,
            unknown_tasks = ?settings.unknown_tasks,
            access_keys = registry.keys.len(),
            tasks = registry.owned.len() + registry.shared.len(),
            faults = registry.faults.len(),
            "sas-mock ready"
        );
        if !args.listen.ip().is_loopback() && settings.admin_token.is_none() {
            tracing::warn!("listening on {} without --admin-token: anyone who can reach this port can change the mock's state", args.listen);
        }
        match tls {
            Some(tls) => server::run_tls(listener, tls.config, state, server::shutdown_signal()).await,
            None => server::run(listener, state, server::shutdown_signal()).await,
        }
    });
    logging::flush();
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
        _ => return Ok(None),
    };
    if let (Some(path), Some(pem)) = (&args.tls_cert_out, &tls.generated_cert_pem) {
        std::fs::write(path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(Some(tls))
}

/// `sas-mock check PATH...`: loads the files exactly as the server would.
pub fn check(paths: &[PathBuf]) -> ExitCode {
    let docs = match fixtures::read_paths(paths) {
        Ok(docs) => docs,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut registry = Registry::default();
    for (source, doc) in &docs {
        match registry.merge(source, doc) {
            Ok(s) => println!(
                "{source}: ok ({} access keys, {} tasks, {} fault rules)",
                s.accounts, s.tasks, s.faults
            ),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{} file(s) valid", docs.len());
    ExitCode::SUCCESS
}
