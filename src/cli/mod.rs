//! The command line: every clap definition lives here. `serve` turns its flags (each mirrored by a
//! `SAS_MOCK_*` variable) into a plain [`Settings`]; `check`, `sign` and `healthcheck` are small
//! tools around it.

pub mod check;
pub mod healthcheck;
pub mod serve;
pub mod sign;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use clap::builder::{BoolishValueParser, PossibleValuesParser, TypedValueParser};
use clap::{ArgAction, Args, Parser, Subcommand};

use crate::model::duration::parse_duration;
use crate::settings::{AuthMode, ClockMode, Settings, TimestampCheck, UnknownTasks};
use crate::telemetry::LogFormat;

/// A local emulator of Alibaba Cloud Security Center (Sas 2018-12-03).
///
/// Point an official SDK's endpoint at this server (default 127.0.0.1:8080, plain HTTP) and call
/// Sas as you would in production: the virus-scan tasks are emulated, every other action is
/// recognised and can be stubbed. Tasks advance init -> Processing -> Success/Failed on the
/// schedule your fixtures give; errors can be forced with fault rules; tests steer everything
/// through the admin API under /__admin.
#[derive(Debug, Parser)]
#[command(name = "sas-mock", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Validate fixture files and print what they define; exits 1 naming the file, the JSON path
    /// and what was expected on the first problem.
    Check(check::CheckArgs),
    /// Print a signed request (a curl command, or with --url-only a URL) for the given parameters,
    /// e.g. `sas-mock sign Action=DescribeScanTaskProgress TaskId=282832`.
    Sign(sign::SignArgs),
    /// Exit 0 if a running server answers its health check (for container HEALTHCHECKs and CI).
    Healthcheck(healthcheck::HealthcheckArgs),
}

/// Parses the command line and runs what it asks for.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Healthcheck(args)) => healthcheck::run(&args),
        Some(Command::Sign(args)) => sign::run(&args),
        Some(Command::Serve(args)) => serve::run(&args),
        None => serve::run(&cli.serve),
    }
}

/// A value parser for a settings enum: its names in `--help`, any letter case accepted.
fn named<T>(names: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names).try_map(|name| name.parse::<T>())
}

/// `1/0/true/false/yes/no/on/off`, any letter case; the bare flag means true.
fn boolish() -> BoolishValueParser {
    BoolishValueParser::new()
}

pub fn duration_arg(text: &str) -> Result<Duration, String> {
    parse_duration(text)
        .map(Duration::from_millis)
        .map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Use 0.0.0.0:8080 inside a container, 127.0.0.1:0 for a free port
    /// (the ready line says which).
    #[arg(long, env = "SAS_MOCK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Fixture file or directory of *.json files; repeatable. In the environment, separate several
    /// paths with commas. Without it the embedded fixtures/default.json is served.
    #[arg(
        long,
        env = "SAS_MOCK_FIXTURES",
        value_name = "PATH",
        value_delimiter = ','
    )]
    pub fixtures: Vec<PathBuf>,

    /// Seed for every random choice (task ids, request ids, failure rates, fault probabilities).
    /// Without it a random seed is picked and logged at startup.
    #[arg(long, env = "SAS_MOCK_SEED")]
    pub seed: Option<u64>,

    /// Signature checking: `off` (never checked), `lenient` (unsigned requests pass, requests
    /// signed by a fixture key are verified), `strict` (every request signed by a fixture key).
    #[arg(long, env = "SAS_MOCK_AUTH", default_value = "lenient", ignore_case = true, value_parser = named::<AuthMode>(AuthMode::NAMES))]
    pub auth: AuthMode,

    /// `system` follows real time; `manual` starts at the current time and moves only through
    /// POST /__admin/clock.
    #[arg(long, env = "SAS_MOCK_CLOCK", default_value = "system", ignore_case = true, value_parser = named::<ClockMode>(ClockMode::NAMES))]
    pub clock: ClockMode,

    /// What signed requests' timestamps (Timestamp, x-acs-date) must be within 15 minutes of:
    /// `clock` (the mock's), `system` (real time: keeps SDK calls valid after a manual clock moved
    /// far) or `off`.
    #[arg(long, env = "SAS_MOCK_TIMESTAMP_CHECK", default_value = "clock", ignore_case = true, value_parser = named::<TimestampCheck>(TimestampCheck::NAMES))]
    pub timestamp_check: TimestampCheck,

    /// What DescribeScanTaskProgress answers for a TaskId nobody created: `create` (it springs into
    /// existence), `empty` (200 with only a RequestId), `error` (404 InvalidTaskId.NotFound).
    #[arg(long, env = "SAS_MOCK_UNKNOWN_TASKS", default_value = "create", ignore_case = true, value_parser = named::<UnknownTasks>(UnknownTasks::NAMES))]
    pub unknown_tasks: UnknownTasks,

    /// Log line format, on stderr (level via RUST_LOG, default info).
    #[arg(long, env = "SAS_MOCK_LOG_FORMAT", default_value = "text", ignore_case = true, value_parser = named::<LogFormat>(&["text", "json"]))]
    pub log_format: LogFormat,

    /// Require `Authorization: Bearer TOKEN` on the admin API (health and the dashboard page stay
    /// open; the page asks for the token).
    #[arg(
        long,
        env = "SAS_MOCK_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,

    /// Serve HTTPS with this PEM certificate (chain); needs --tls-key.
    #[arg(
        long,
        env = "SAS_MOCK_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key that goes with --tls-cert.
    #[arg(
        long,
        env = "SAS_MOCK_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a certificate generated at startup for localhost, 127.0.0.1 and ::1.
    #[arg(long, env = "SAS_MOCK_TLS_SELF_SIGNED", value_name = "BOOL", value_parser = boolish(),
          action = ArgAction::Set, num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub tls_self_signed: bool,

    /// Write the generated certificate (PEM) to this file, for clients to trust.
    #[arg(long, env = "SAS_MOCK_TLS_CERT_OUT", value_name = "PATH")]
    pub tls_cert_out: Option<PathBuf>,

    /// How many requests the journal (GET /__admin/requests) keeps; the oldest are dropped.
    #[arg(long, env = "SAS_MOCK_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,

    /// How many signature nonces are remembered for replay checks (each also expires after 15
    /// minutes); bounds that memory at about 40 bytes a nonce.
    #[arg(long, env = "SAS_MOCK_NONCE_CAPACITY", default_value_t = 100_000)]
    pub nonce_capacity: usize,

    /// How long a client may take to send a request's headers (and to finish a TLS handshake); it
    /// also bounds how long an idle keep-alive connection stays open.
    #[arg(long, env = "SAS_MOCK_HEADER_TIMEOUT", value_name = "DURATION", default_value = "30s", value_parser = duration_arg)]
    pub header_timeout: Duration,

    /// How long a client may take to send a request body; slower ones get 408 RequestTimeout.
    #[arg(long, env = "SAS_MOCK_BODY_TIMEOUT", value_name = "DURATION", default_value = "30s", value_parser = duration_arg)]
    pub body_timeout: Duration,

    /// Most connections served at once (TLS handshakes included); further ones wait until one
    /// closes.
    #[arg(long, env = "SAS_MOCK_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Largest request body accepted, in bytes; larger ones get 413 RequestEntityTooLarge.
    #[arg(long, env = "SAS_MOCK_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest admin API body accepted, in bytes (fixture documents can be large).
    #[arg(long, env = "SAS_MOCK_MAX_ADMIN_BODY_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_admin_body_bytes: usize,

    /// Tasks one account may hold; creating one more answers 400 QuotaExceeded.Tasks.
    #[arg(long, env = "SAS_MOCK_MAX_TASKS", default_value_t = 1_000_000)]
    pub max_tasks: usize,
}

impl ServeArgs {
    /// The settings these flags describe (a random seed when none was given).
    pub fn settings(&self) -> Settings {
        Settings {
            seed: self.seed.unwrap_or_else(rand::random),
            auth: self.auth,
            clock: self.clock,
            unknown_tasks: self.unknown_tasks,
            timestamp_check: self.timestamp_check,
            admin_token: self.admin_token.clone().filter(|t| !t.is_empty()),
            journal_size: self.journal_size,
            nonce_capacity: self.nonce_capacity,
            max_body_bytes: self.max_body_bytes,
            max_admin_body_bytes: self.max_admin_body_bytes,
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            max_connections: self.max_connections,
            max_tasks: self.max_tasks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_serve_with_the_defaults() {
        let cli = Cli::try_parse_from(["sas-mock"]).expect("parses");
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            (
                cli.serve.auth,
                cli.serve.unknown_tasks,
                cli.serve.tls_self_signed
            ),
            (AuthMode::Lenient, UnknownTasks::Create, false)
        );
    }

    #[test]
    fn fixtures_repeat_and_option_values_take_any_letter_case() {
        let cli = Cli::try_parse_from([
            "sas-mock",
            "serve",
            "--fixtures",
            "a.json",
            "--fixtures",
            "dir",
            "--clock",
            "Manual",
            "--auth",
            "STRICT",
        ])
        .expect("parses");
        let Some(Command::Serve(args)) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(args.fixtures.len(), 2);
        assert_eq!(
            (args.settings().clock, args.auth),
            (ClockMode::Manual, AuthMode::Strict)
        );
        assert!(Cli::try_parse_from(["sas-mock", "--auth", "maybe"]).is_err());
    }

    #[test]
    fn boolean_flags_take_one_zero_yes_no_true_false_in_any_case() {
        for (value, expected) in [
            ("1", true),
            ("0", false),
            ("YES", true),
            ("no", false),
            ("True", true),
            ("off", false),
        ] {
            let cli = Cli::try_parse_from(["sas-mock", &format!("--tls-self-signed={value}")])
                .expect(value);
            assert_eq!(cli.serve.tls_self_signed, expected, "{value}");
        }
        let bare = Cli::try_parse_from(["sas-mock", "--tls-self-signed", "--seed", "1"])
            .expect("bare flag");
        assert!(bare.serve.tls_self_signed);
        assert!(Cli::try_parse_from(["sas-mock", "--tls-self-signed=maybe"]).is_err());
    }
}
