//! The `YYYY-MM-DD HH:mm:ss` times of the alert operations (`OccurrenceTime`, `TimeStart`). The
//! service writes them in China Standard Time (UTC+8, no daylight saving), beside millisecond
//! timestamps of the same instants.

use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::clock::Millis;

const FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// `2026-11-29 05:08:14` for the instant `2026-11-28T21:08:14Z`.
pub fn format_local(millis: Millis) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .map(|t| t.to_offset(offset!(+8)))
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_default()
}

/// The instant a `YYYY-MM-DD HH:mm:ss` time (UTC+8) names, in milliseconds.
pub fn parse_local(text: &str) -> Option<Millis> {
    let local = PrimitiveDateTime::parse(text.trim(), FORMAT).ok()?;
    let instant = local.assume_offset(offset!(+8));
    Millis::try_from(instant.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::clock::parse_rfc3339;

    #[test]
    fn local_times_are_china_standard_time_and_round_trip() {
        let millis = parse_rfc3339("2026-11-28T21:08:14Z").expect("valid");
        assert_eq!(format_local(millis), "2026-11-29 05:08:14");
        assert_eq!(format_local(millis + 999), "2026-11-29 05:08:14");
        assert_eq!(parse_local("2026-11-29 05:08:14"), Some(millis));
        assert_eq!(parse_local(" 2026-11-29 05:08:14 "), Some(millis));
    }

    #[test]
    fn other_shapes_are_not_local_times() {
        for text in [
            "2026-11-29T05:08:14",
            "2026-11-29",
            "yesterday",
            "2026-13-01 00:00:00",
        ] {
            assert_eq!(parse_local(text), None, "{text}");
        }
    }
}
