//! The options a running mock reads, as a plain struct: the library takes it, `cli` fills it from
//! the command line and the environment, `MockServer`'s builder from its methods.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Never check signatures; an AccessKeyId only selects the account.
    Off,
    /// Accept unsigned requests; verify requests signed by keys the fixtures define.
    Lenient,
    /// Every request must be signed by a key the fixtures define.
    Strict,
}

/// Which time signed requests' timestamps must be within 15 minutes of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampCheck {
    /// The mock's clock (the manual clock when it is manual), as the gateway uses its own.
    Clock,
    /// Real time, even when the manual clock has been moved far away.
    System,
    /// Any well-formed timestamp.
    Off,
}

/// What happens to a `TaskId` nobody created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownTasks {
    /// The task springs into existence on the default schedule.
    Create,
    /// 200 with only a RequestId.
    Empty,
    /// 404 InvalidTaskId.NotFound.
    Error,
}

/// Which clock drives schedules, flow control and timestamp checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// Real time.
    System,
    /// Starts at the current time, then moves only when told to (`POST /__admin/clock`).
    Manual,
}

/// Names each option value has on the command line, in the environment and in messages.
macro_rules! named {
    ($type:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $type {
            /// Every value's name, for `--help` and error messages.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            pub fn name(self) -> &'static str {
                match self { $($type::$variant => $name),+ }
            }
        }

        impl FromStr for $type {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text.to_ascii_lowercase().as_str() {
                    $($name => Ok($type::$variant),)+
                    _ => Err(format!("expected one of {}, found {text:?}", Self::NAMES.join(", "))),
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named!(AuthMode { Off = "off", Lenient = "lenient", Strict = "strict" });
named!(TimestampCheck { Clock = "clock", System = "system", Off = "off" });
named!(UnknownTasks { Create = "create", Empty = "empty", Error = "error" });
named!(ClockMode { System = "system", Manual = "manual" });

/// Everything a running mock reads. [`Settings::default`] suits tests: a manual clock, lenient
/// auth, seed 0.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Seed of every random choice (ids, failure rates, fault probabilities).
    pub seed: u64,
    pub auth: AuthMode,
    pub clock: ClockMode,
    pub unknown_tasks: UnknownTasks,
    pub timestamp_check: TimestampCheck,
    /// Bearer token the admin API requires (health and the dashboard page stay open).
    pub admin_token: Option<String>,
    /// Requests the journal keeps.
    pub journal_size: usize,
    /// Nonces remembered for replay checks.
    pub nonce_capacity: usize,
    pub max_body_bytes: usize,
    pub max_admin_body_bytes: usize,
    /// Time allowed for a request's headers (and a TLS handshake); also the keep-alive idle time.
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    /// Tasks one account may hold; creating one more answers a quota error.
    pub max_tasks: usize,
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
            max_tasks: 1_000_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values_read_their_names_in_any_letter_case_and_say_what_was_expected() {
        assert_eq!("Strict".parse(), Ok(AuthMode::Strict));
        assert_eq!("MANUAL".parse(), Ok(ClockMode::Manual));
        for mode in [
            UnknownTasks::Create,
            UnknownTasks::Empty,
            UnknownTasks::Error,
        ] {
            assert_eq!(mode.name().parse(), Ok(mode));
        }
        let err = "sometimes".parse::<TimestampCheck>().expect_err("unknown");
        assert_eq!(
            err,
            "expected one of clock, system, off, found \"sometimes\""
        );
    }
}
