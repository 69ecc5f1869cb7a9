//! The mock's notion of "now": the system clock, or a manual clock that only the admin API moves.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use crate::settings::ClockMode;

/// Milliseconds since the Unix epoch, the one time unit inside the mock.
pub type Millis = i64;

/// A clock read on every request. The manual clock starts at the current time and then moves only
/// when told to, so tests drive schedules without sleeping.
#[derive(Debug)]
pub enum Clock {
    System,
    Manual(AtomicI64),
}

/// Why the clock refused to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockError {
    NotManual,
}

impl std::fmt::Display for ClockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the clock follows system time; use the manual clock to move it")
    }
}

impl std::error::Error for ClockError {}

impl Clock {
    pub fn new(mode: ClockMode) -> Self {
        match mode {
            ClockMode::System => Clock::System,
            ClockMode::Manual => Clock::Manual(AtomicI64::new(system_now())),
        }
    }

    pub fn mode(&self) -> ClockMode {
        match self {
            Clock::System => ClockMode::System,
            Clock::Manual(_) => ClockMode::Manual,
        }
    }

    pub fn now(&self) -> Millis {
        match self {
            Clock::System => system_now(),
            Clock::Manual(millis) => millis.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward and returns the new time.
    pub fn advance(&self, by: u64) -> Result<Millis, ClockError> {
        let Clock::Manual(millis) = self else {
            return Err(ClockError::NotManual);
        };
        let by = Millis::try_from(by).unwrap_or(Millis::MAX);
        let previous = millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                Some(m.saturating_add(by))
            })
            .unwrap_or_else(|m| m);
        Ok(previous.saturating_add(by))
    }

    /// Sets a manual clock to an absolute time (backwards too: tasks never regress, see `domain::task`).
    pub fn set(&self, to: Millis) -> Result<Millis, ClockError> {
        let Clock::Manual(millis) = self else {
            return Err(ClockError::NotManual);
        };
        millis.store(to, Ordering::SeqCst);
        Ok(to)
    }
}

fn system_now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX))
        .unwrap_or(0)
}

/// `2026-11-28T21:08:14.250Z` (milliseconds shown only when non-zero).
pub fn format_rfc3339(millis: Millis) -> String {
    let nanos = i128::from(millis) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| millis.to_string())
}

/// Parses an RFC 3339 timestamp (`2026-01-01T00:00:00Z`, offsets and fractions allowed).
pub fn parse_rfc3339(text: &str) -> Option<Millis> {
    let parsed = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    Millis::try_from(parsed.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manual_clock_moves_only_when_told() {
        let clock = Clock::new(ClockMode::Manual);
        let start = clock.now();
        assert_eq!(clock.now(), start);
        assert_eq!(clock.advance(1_500), Ok(start + 1_500));
        assert_eq!(clock.now(), start + 1_500);
        assert_eq!(clock.set(0), Ok(0));
        assert_eq!(clock.now(), 0);
    }

    #[test]
    fn the_system_clock_refuses_to_be_moved() {
        let clock = Clock::new(ClockMode::System);
        assert_eq!(clock.advance(1), Err(ClockError::NotManual));
        assert_eq!(clock.set(1), Err(ClockError::NotManual));
    }

    #[test]
    fn timestamps_round_trip_through_rfc3339() {
        let millis = parse_rfc3339("2026-11-28T21:08:14Z").expect("valid");
        assert_eq!(format_rfc3339(millis), "2026-11-28T21:08:14Z");
        assert_eq!(format_rfc3339(millis + 250), "2026-11-28T21:08:14.25Z");
        assert_eq!(parse_rfc3339("2026-11-28T22:08:14+01:00"), Some(millis));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
