//! The mock's notion of "now": the system clock, or a manual clock that only the admin API moves.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Which clock drives task schedules and timestamp checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    System,
    Manual,
}

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
    let text = text.trim();
    if let Some(millis) = parse_plain_utc(text.as_bytes()) {
        return Some(millis);
    }
    let parsed = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    Millis::try_from(parsed.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form every SDK signs with, read without the general parser;
/// anything else (including a leap second) is left to it.
fn parse_plain_utc(text: &[u8]) -> Option<Millis> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2, b'T', h1, h2, b':', i1, i2, b':', s1, s2, b'Z'] =
        *text
    else {
        return None;
    };
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0i64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let year = number(&[y1, y2, y3, y4])?;
    let month = number(&[m1, m2])?;
    let day = number(&[d1, d2])?;
    let (hour, minute, second) = (number(&[h1, h2])?, number(&[i1, i2])?, number(&[s1, s2])?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
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
    fn the_plain_utc_form_reads_as_the_general_parser_reads_it() {
        let general = |text: &str| {
            OffsetDateTime::parse(text, &Rfc3339)
                .ok()
                .and_then(|t| Millis::try_from(t.unix_timestamp_nanos() / 1_000_000).ok())
        };
        let mut texts: Vec<String> = vec![
            "1970-01-01T00:00:00Z".into(),
            "0000-03-01T00:00:00Z".into(),
            "1969-12-31T23:59:59Z".into(),
            "2000-02-29T12:00:00Z".into(),
            "1900-02-29T12:00:00Z".into(),
            "2026-02-29T00:00:00Z".into(),
            "2026-04-31T00:00:00Z".into(),
            "2026-13-01T00:00:00Z".into(),
            "2026-00-10T00:00:00Z".into(),
            "2026-01-00T00:00:00Z".into(),
            "2026-01-01T24:00:00Z".into(),
            "2026-01-01T23:60:00Z".into(),
            "2026-12-31T23:59:60Z".into(),
            "9999-12-31T23:59:59Z".into(),
            "2026-1-01T00:00:00Z".into(),
            "2026-01-01t00:00:00Z".into(),
            "+026-01-01T00:00:00Z".into(),
        ];
        // Every day of four years, one of them a leap year, at varying times of day.
        let start = parse_rfc3339("2023-01-01T00:00:00Z").expect("valid");
        for day in 0..(4 * 366) {
            let at = start + day * 86_400_000 + (day * 7_919_000) % 86_400_000;
            texts.push(format_rfc3339(at - at % 1000));
        }
        for text in &texts {
            let fast = parse_plain_utc(text.as_bytes());
            if let Some(fast) = fast {
                assert_eq!(Some(fast), general(text), "{text}");
            } else {
                assert_eq!(parse_rfc3339(text), general(text), "{text}");
            }
        }
        assert!(parse_plain_utc(b"2026-11-29T01:02:03Z").is_some());
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
