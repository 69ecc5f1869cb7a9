//! Command line and environment: one struct per subcommand, every flag mirrored by `SAS_MOCK_*`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::clock::ClockMode;

/// A local emulator of Alibaba Cloud Security Center's virus-scan task API (Sas 2018-12-03).
///
/// Point an official SDK's endpoint at this server (default 127.0.0.1:8080, plain HTTP) and call
/// StartVirusScanTask / DescribeScanTaskProgress as you would in production. Tasks advance
/// init -> Processing -> Success/Failed on the schedule your fixtures give; errors can be forced
/// with fault rules; tests steer everything through the admin API under /__admin.
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
    Check {
        /// Fixture files or directories (a directory contributes its *.json files).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print a signed request (a curl command, or with --url-only a URL) for the given parameters,
    /// e.g. `sas-mock sign Action=DescribeScanTaskProgress TaskId=282832`.
    Sign(crate::sign::SignArgs),
    /// Exit 0 if a running server answers its health check (for container HEALTHCHECKs).
    Healthcheck {
        /// Health URL to ask. By default it is derived from SAS_MOCK_LISTEN (port, with 0.0.0.0
        /// read as 127.0.0.1) and the TLS variables: http://127.0.0.1:8080/__admin/health.
        #[arg(long, env = "SAS_MOCK_HEALTH_URL")]
        url: Option<String>,
    },
}

/// How signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// Never check signatures; an AccessKeyId only selects the account.
    Off,
    /// Accept unsigned requests; verify requests signed by keys the fixtures define.
    Lenient,
    /// Every request must be signed by a key the fixtures define.
    Strict,
}

/// Which time signed requests' timestamps must be within 15 minutes of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimestampCheck {
    /// The mock's clock (the manual clock when --clock manual), as the gateway uses its own.
    Clock,
    /// Real time, even when the manual clock has been moved far away.
    System,
    /// Accept any well-formed timestamp.
    Off,
}

/// What DescribeScanTaskProgress does with a TaskId nobody created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnknownTasks {
    /// The task springs into existence on the default schedule.
    Create,
    /// Answer 200 with only a RequestId.
    Empty,
    /// Answer 404 InvalidTaskId.NotFound.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Use 0.0.0.0:8080 inside a container.
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

    /// Signature checking.
    #[arg(long, env = "SAS_MOCK_AUTH", value_enum, default_value_t = AuthMode::Lenient)]
    pub auth: AuthMode,

    /// `system` follows real time; `manual` starts at the current time and moves only through
    /// POST /__admin/clock.
    #[arg(long, env = "SAS_MOCK_CLOCK", value_enum, default_value_t = ClockArg::System)]
    pub clock: ClockArg,

    /// What request timestamps (Timestamp, x-acs-date) are checked against. With a manual clock
    /// moved more than 15 minutes, SDK requests carry real time: use `system` (or `off`) to keep
    /// them valid.
    #[arg(long, env = "SAS_MOCK_TIMESTAMP_CHECK", value_enum, default_value_t = TimestampCheck::Clock)]
    pub timestamp_check: TimestampCheck,

    /// What DescribeScanTaskProgress answers for a TaskId that does not exist.
    #[arg(long, env = "SAS_MOCK_UNKNOWN_TASKS", value_enum, default_value_t = UnknownTasks::Create)]
    pub unknown_tasks: UnknownTasks,

    /// Log line format (level via RUST_LOG, default info).
    #[arg(long, env = "SAS_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Require `Authorization: Bearer TOKEN` on the admin API (health stays open).
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
    #[arg(long, env = "SAS_MOCK_TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,

    /// Write the generated certificate (PEM) to this file, for clients to trust.
    #[arg(
        long,
        env = "SAS_MOCK_TLS_CERT_OUT",
        value_name = "PATH",
        requires = "tls_self_signed"
    )]
    pub tls_cert_out: Option<PathBuf>,

    /// How many requests the journal (GET /__admin/requests) keeps; the oldest are dropped.
    #[arg(long, env = "SAS_MOCK_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,

    /// How many signature nonces are remembered for replay checks (entries also expire after 15
    /// minutes); bounds that memory at 40-64 bytes a nonce.
    #[arg(long, env = "SAS_MOCK_NONCE_CAPACITY", default_value_t = 100_000)]
    pub nonce_capacity: usize,

    /// How long a client may take to send a request's headers; it also bounds how long an idle
    /// keep-alive connection stays open. Slower clients are disconnected.
    #[arg(long, env = "SAS_MOCK_HEADER_TIMEOUT", value_name = "DURATION", default_value = "30s", value_parser = duration_arg)]
    pub header_timeout: Duration,

    /// How long a client may take to send a request body; slower ones get 408 RequestTimeout.
    #[arg(long, env = "SAS_MOCK_BODY_TIMEOUT", value_name = "DURATION", default_value = "30s", value_parser = duration_arg)]
    pub body_timeout: Duration,

    /// Most connections served at once; further ones wait until one closes.
    #[arg(long, env = "SAS_MOCK_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Largest admin API body accepted, in bytes (fixture documents can be large).
    #[arg(long, env = "SAS_MOCK_MAX_ADMIN_BODY_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_admin_body_bytes: usize,

    /// Largest request body accepted, in bytes; larger ones get 413 RequestEntityTooLarge.
    #[arg(long, env = "SAS_MOCK_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
}

fn duration_arg(text: &str) -> Result<Duration, String> {
    crate::domain::duration::parse_duration(text)
        .map(Duration::from_millis)
        .map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockArg {
    System,
    Manual,
}

impl From<ClockArg> for ClockMode {
    fn from(arg: ClockArg) -> Self {
        match arg {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        }
    }
}

/// The options the running server reads, separated from how they were given.
#[derive(Debug, Clone)]
pub struct Settings {
    pub seed: u64,
    pub auth: AuthMode,
    pub clock: ClockMode,
    pub unknown_tasks: UnknownTasks,
    pub timestamp_check: TimestampCheck,
    pub admin_token: Option<String>,
    pub journal_size: usize,
    pub nonce_capacity: usize,
    pub max_body_bytes: usize,
    pub max_admin_body_bytes: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seed: 0,
            auth: AuthMode::Lenient,
            clock: ClockMode::Manual,
            unknown_tasks: UnknownTasks::Create,
            timestamp_check: TimestampCheck::Clock,
            admin_token: None,
            journal_size: 1000,
            nonce_capacity: 100_000,
            max_body_bytes: 1024 * 1024,
            max_admin_body_bytes: 64 * 1024 * 1024,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

impl ServeArgs {
    pub fn settings(&self) -> Settings {
        Settings {
            seed: self.seed.unwrap_or_else(rand::random),
            auth: self.auth,
            clock: self.clock.into(),
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
            (cli.serve.auth, cli.serve.unknown_tasks),
            (AuthMode::Lenient, UnknownTasks::Create)
        );
    }

    #[test]
    fn fixtures_repeat_and_check_takes_paths() {
        let cli = Cli::try_parse_from([
            "sas-mock",
            "serve",
            "--fixtures",
            "a.json",
            "--fixtures",
            "dir",
            "--clock",
            "manual",
        ])
        .expect("parses");
        let Some(Command::Serve(args)) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(args.fixtures.len(), 2);
        assert_eq!(args.settings().clock, ClockMode::Manual);
        assert!(Cli::try_parse_from(["sas-mock", "check"]).is_err());
    }
}
