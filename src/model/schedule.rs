//! What a task goes through: how long each phase lasts and how it ends.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Value};

use super::duration::{format_duration, parse_duration};

/// `ScanTaskProgress` as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Progress {
    Init,
    Processing,
    Success,
    Failed,
}

impl Progress {
    pub const ALL: [Progress; 4] = [Self::Init, Self::Processing, Self::Success, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Init => "init",
            Self::Processing => "Processing",
            Self::Success => "Success",
            Self::Failed => "Failed",
        }
    }

    /// The API spelling, exactly (`init`, `Processing`, `Success`, `Failed`).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// A spelling that differs from one of the API's only in letter case: a hint for messages.
    fn near(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Success | Self::Failed)
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Progress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Progress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Progress::parse(&text).ok_or_else(|| {
            let hint = Progress::near(&text)
                .map(|p| format!(" (spelled exactly so: did you mean {:?}?)", p.as_str()))
                .unwrap_or_default();
            D::Error::custom(format!(
                "expected one of \"init\", \"Processing\", \"Success\", \"Failed\"{hint}, found {text:?}"
            ))
        })
    }
}

/// How long a phase lasts: a span of the mock's clock, or a number of polls that show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Time(u64),
    Polls(u64),
}

impl Serialize for Phase {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Phase::Time(millis) => s.serialize_str(&format_duration(*millis)),
            Phase::Polls(n) => json!({ "polls": n }).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Phase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "expected a duration such as \"2s\" or an object {\"polls\": N}";
        match Value::deserialize(d)? {
            Value::String(text) => parse_duration(&text)
                .map(Phase::Time)
                .map_err(D::Error::custom),
            Value::Object(map) => match (map.len(), map.get("polls").and_then(Value::as_u64)) {
                (1, Some(n)) => Ok(Phase::Polls(n)),
                _ => Err(D::Error::custom(format!(
                    "{EXPECTED} with N a whole number >= 0"
                ))),
            },
            _ => Err(D::Error::custom(EXPECTED)),
        }
    }
}

/// How a task ends once its processing phase is over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    Success,
    Failed,
    /// Fails with this probability, drawn once per task from the seeded generator.
    FailureRate(f64),
}

impl Outcome {
    /// Resolves the outcome with `draw`, a number in `[0, 1)` fixed for the task.
    pub fn resolve(self, draw: f64) -> Progress {
        match self {
            Outcome::Success => Progress::Success,
            Outcome::Failed => Progress::Failed,
            Outcome::FailureRate(rate) if draw < rate => Progress::Failed,
            Outcome::FailureRate(_) => Progress::Success,
        }
    }
}

impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Outcome::Success => s.serialize_str("Success"),
            Outcome::Failed => s.serialize_str("Failed"),
            Outcome::FailureRate(rate) => json!({ "failureRate": rate }).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str =
            "expected \"Success\", \"Failed\" or {\"failureRate\": p} with 0 <= p <= 1";
        match Value::deserialize(d)? {
            Value::String(text) if text == "Success" => Ok(Outcome::Success),
            Value::String(text) if text == "Failed" => Ok(Outcome::Failed),
            Value::String(text) if ["success", "failed"].contains(&&*text.to_ascii_lowercase()) => {
                Err(D::Error::custom(format!(
                    "{EXPECTED}, spelled exactly so (found {text:?})"
                )))
            }
            Value::Object(map) if map.len() == 1 => {
                match map.get("failureRate").and_then(Value::as_f64) {
                    Some(rate) if (0.0..=1.0).contains(&rate) => Ok(Outcome::FailureRate(rate)),
                    _ => Err(D::Error::custom(EXPECTED)),
                }
            }
            _ => Err(D::Error::custom(EXPECTED)),
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::Time(millis) => f.write_str(&format_duration(*millis)),
            Phase::Polls(1) => f.write_str("1 poll"),
            Phase::Polls(n) => write!(f, "{n} polls"),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Success => f.write_str("Success"),
            Outcome::Failed => f.write_str("Failed"),
            Outcome::FailureRate(rate) => write!(f, "Failed with probability {rate}, else Success"),
        }
    }
}

/// `init 1s, Processing 5s, then Success`.
impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "init {}, Processing {}, then {}",
            self.init, self.processing, self.outcome
        )
    }
}

/// A task's life: `init` for one phase, `Processing` for the next, then the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Schedule {
    pub init: Phase,
    pub processing: Phase,
    pub outcome: Outcome,
}

impl Default for Schedule {
    /// One second of `init`, five of `Processing`, then `Success`.
    fn default() -> Self {
        Schedule {
            init: Phase::Time(1_000),
            processing: Phase::Time(5_000),
            outcome: Outcome::Success,
        }
    }
}

/// A schedule as fixtures and the admin API write it: any field left out is taken from a base
/// (the file's default schedule, else the built-in one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialSchedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<Phase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<Phase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

impl PartialSchedule {
    pub fn over(self, base: Schedule) -> Schedule {
        Schedule {
            init: self.init.unwrap_or(base.init),
            processing: self.processing.unwrap_or(base.processing),
            outcome: self.outcome.unwrap_or(base.outcome),
        }
    }

    /// Fields set here win; the rest come from `other`.
    pub fn or(self, other: PartialSchedule) -> PartialSchedule {
        PartialSchedule {
            init: self.init.or(other.init),
            processing: self.processing.or(other.processing),
            outcome: self.outcome.or(other.outcome),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_durations_polls_and_outcomes() {
        let partial: PartialSchedule = serde_json::from_value(json!({
            "init": "250ms", "processing": {"polls": 3}, "outcome": {"failureRate": 0.3}
        }))
        .expect("valid schedule");
        let schedule = partial.over(Schedule::default());
        assert_eq!(schedule.init, Phase::Time(250));
        assert_eq!(schedule.processing, Phase::Polls(3));
        assert_eq!(schedule.outcome, Outcome::FailureRate(0.3));
        let back = serde_json::to_value(schedule).expect("serializes");
        assert_eq!(
            back,
            json!({"init": "250ms", "processing": {"polls": 3}, "outcome": {"failureRate": 0.3}})
        );
    }

    #[test]
    fn missing_schedule_fields_take_the_defaults() {
        let partial: PartialSchedule =
            serde_json::from_value(json!({"outcome": "Failed"})).expect("valid");
        assert_eq!(
            partial.over(Schedule::default()),
            Schedule {
                outcome: Outcome::Failed,
                ..Schedule::default()
            }
        );
    }

    #[test]
    fn bad_phases_and_outcomes_are_rejected_with_what_was_expected() {
        let cases = [
            json!({"init": 5}),
            json!({"init": {"polls": -1}}),
            json!({"init": {"polls": 1, "extra": 2}}),
            json!({"outcome": "Maybe"}),
            json!({"outcome": "failed"}),
            json!({"outcome": {"failureRate": 1.5}}),
            json!({"duration": "1s"}),
        ];
        for case in cases {
            let err =
                serde_json::from_value::<PartialSchedule>(case.clone()).expect_err("must fail");
            assert!(
                err.to_string().contains("expected") || err.to_string().contains("unknown field"),
                "{case}: {err}"
            );
        }
    }

    #[test]
    fn states_are_spelled_exactly_as_the_api_does_and_a_wrong_case_gets_a_hint() {
        assert_eq!(
            serde_json::from_value::<Progress>(json!("Success")).ok(),
            Some(Progress::Success)
        );
        let err = serde_json::from_value::<Progress>(json!("success")).expect_err("wrong case");
        assert!(
            err.to_string().contains("did you mean \"Success\"?"),
            "{err}"
        );
        let err = serde_json::from_value::<Outcome>(json!("failed")).expect_err("wrong case");
        assert!(err.to_string().contains("spelled exactly so"), "{err}");
    }

    #[test]
    fn failure_rate_outcomes_resolve_by_the_draw() {
        assert_eq!(Outcome::FailureRate(0.3).resolve(0.29), Progress::Failed);
        assert_eq!(Outcome::FailureRate(0.3).resolve(0.3), Progress::Success);
        assert_eq!(Outcome::FailureRate(0.0).resolve(0.0), Progress::Success);
        assert_eq!(Outcome::FailureRate(1.0).resolve(0.999), Progress::Failed);
    }
}
