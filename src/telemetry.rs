//! The log: tracing-subscriber's own text or JSON lines on stderr, filtered by `RUST_LOG` (default
//! `info`). Every RPC request logs one line (see `rpc::record::finish`); the startup line says
//! `sas-mock ready` with the address actually bound.
//!
//! Client-chosen values are logged as string fields, which both formats escape (text quotes them,
//! JSON escapes them), so an account name with a newline cannot forge a line.

use std::str::FromStr;

use tracing_subscriber::EnvFilter;

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-12-01T10:00:00.000000Z  INFO sas_mock::rpc: rpc request_id="…" action="…" …`
    Text,
    /// One JSON object a line, the event's fields at the top level (`message`, `listen`, …).
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("expected one of text, json, found {text:?}")),
        }
    }
}

/// The target RPC request lines are logged under (what `RUST_LOG` filters on).
pub const REQUEST_TARGET: &str = "sas_mock::rpc";

/// Installs the process-wide subscriber writing to stderr. Does nothing if one is installed.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _already_installed = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}
