//! Duration parsing: accepted values are bounded, and formatting gives back the same duration.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sas_mock::model::duration::{format_duration, parse_duration, DurationMs, MAX_MILLIS};
use sas_mock::model::schedule::Phase;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_duration(text);
    match parsed {
        Ok(millis) => {
            assert!(millis <= MAX_MILLIS, "{text:?} -> {millis}");
            assert_eq!(parse_duration(&format_duration(millis)), Ok(millis));
        }
        Err(ref err) => assert!(!err.0.is_empty()),
    }
    // The JSON forms fixtures use agree with the parser.
    let json = serde_json::Value::from(text).to_string();
    let as_field = serde_json::from_str::<DurationMs>(&json).map(|d| d.0).ok();
    assert_eq!(as_field, parsed.clone().ok());
    let as_phase = serde_json::from_str::<Phase>(&json).ok();
    assert_eq!(as_phase, parsed.ok().map(Phase::Time));
});
