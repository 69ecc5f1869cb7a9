//! Human durations as fixtures and the admin API write them: `"250ms"`, `"2s"`, `"1.5m"`, `"1h"`.

use std::fmt;

/// Why a duration string was rejected; the text is meant for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest duration accepted: 100 days, far beyond any test's horizon, small enough that
/// adding it to a timestamp can never overflow.
pub const MAX_MILLIS: u64 = 100 * 24 * 3_600_000;

/// Parses `<number><unit>` with unit `ms`, `s`, `m` or `h` into milliseconds.
/// The number may have a fractional part (`1.5s`); the result is rounded down to a millisecond.
pub fn parse_duration(text: &str) -> Result<u64, DurationError> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit_millis: f64 = match unit {
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return Err(invalid(text)),
    };
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return Err(invalid(text));
    }
    let value: f64 = number.parse().map_err(|_| invalid(text))?;
    let millis = (value * unit_millis).floor();
    if !millis.is_finite() || millis > MAX_MILLIS as f64 {
        return Err(DurationError(format!(
            "duration {text:?} is longer than the maximum of 100 days"
        )));
    }
    Ok(millis as u64)
}

fn invalid(text: &str) -> DurationError {
    DurationError(format!(
        "expected a duration such as \"250ms\", \"2s\", \"1.5m\" or \"1h\", found {text:?}"
    ))
}

/// Writes milliseconds back in the shortest exact unit (`1500` -> `"1500ms"`, `2000` -> `"2s"`).
pub fn format_duration(millis: u64) -> String {
    match millis {
        0 => "0s".to_owned(),
        m if m % 3_600_000 == 0 => format!("{}h", m / 3_600_000),
        m if m % 60_000 == 0 => format!("{}m", m / 60_000),
        m if m % 1_000 == 0 => format!("{}s", m / 1_000),
        m => format!("{m}ms"),
    }
}

/// A duration field in JSON: written as a string (`"2s"`), held as milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationMs(pub u64);

impl serde::Serialize for DurationMs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for DurationMs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_duration(&text)
            .map(DurationMs)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_unit_parse_to_milliseconds() {
        let cases = [
            ("250ms", 250),
            ("2s", 2_000),
            ("1.5s", 1_500),
            ("1m", 60_000),
            ("1h", 3_600_000),
            ("0s", 0),
            (" 3s ", 3_000),
        ];
        for (text, millis) in cases {
            assert_eq!(parse_duration(text), Ok(millis), "{text}");
        }
    }

    #[test]
    fn malformed_or_huge_durations_are_rejected_with_a_hint() {
        for text in [
            "",
            "5",
            "s",
            "-1s",
            "1.s",
            ".5s",
            "1d",
            "1 s",
            "1e3s",
            "999999999h",
            "NaNs",
        ] {
            let err = parse_duration(text).expect_err(text);
            assert!(
                err.0.contains(text.trim()) || err.0.contains("100 days"),
                "{err}"
            );
        }
    }

    #[test]
    fn formatting_round_trips() {
        for millis in [0, 1, 250, 1_500, 2_000, 60_000, 90_000, 3_600_000] {
            assert_eq!(parse_duration(&format_duration(millis)), Ok(millis));
        }
    }
}
