//! A finding: what a scan of one machine reports (a trojan, a web shell), before it is an alert.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// An alert's urgency, as `DescribeSuspEvents` spells it; ordered worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Serious,
    Suspicious,
    Remind,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Serious, Level::Suspicious, Level::Remind];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Serious => "serious",
            Level::Suspicious => "suspicious",
            Level::Remind => "remind",
        }
    }

    /// A level as a filter names it (exact, as the API documents it).
    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// The newer operations' `RiskLevel` for an alert of this level.
    pub fn risk_level(self) -> &'static str {
        match self {
            Level::Serious => "high",
            Level::Suspicious => "medium",
            Level::Remind => "low",
        }
    }
}

/// One finding of a machine, as fixtures write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The alert's name (`Trojan:Linux/Mirai`).
    pub name: String,
    pub level: Level,
    /// The alert type (`Malicious process (cloud scan)`).
    #[serde(rename = "type", default = "cloud_scan")]
    pub kind: String,
    /// Shown under `Details`, in the order written.
    #[serde(
        default,
        deserialize_with = "texts",
        serialize_with = "as_object",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub details: Vec<(String, String)>,
}

fn cloud_scan() -> String {
    "Malicious process (cloud scan)".to_owned()
}

/// An object of texts, in the order written; numbers and booleans are taken as written.
fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    let raw = Map::<String, Value>::deserialize(d)?;
    raw.into_iter()
        .map(|(name, value)| match value {
            Value::String(text) => Ok((name, text)),
            Value::Number(_) | Value::Bool(_) => Ok((name, value.to_string())),
            other => Err(D::Error::custom(format!(
                "details.{name}: expected a text, found {other}"
            ))),
        })
        .collect()
}

fn as_object<S: Serializer>(details: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let map: Map<String, Value> = (details.iter())
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    map.serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_order_worst_first_and_map_to_risk_levels() {
        assert!(Level::Serious < Level::Suspicious && Level::Suspicious < Level::Remind);
        let risks: Vec<_> = Level::ALL.iter().map(|l| l.risk_level()).collect();
        assert_eq!(risks, ["high", "medium", "low"]);
        assert_eq!(Level::parse("remind"), Some(Level::Remind));
        assert_eq!(Level::parse("Serious"), None);
    }

    #[test]
    fn a_finding_keeps_its_details_in_order_and_defaults_its_type() {
        let finding: Finding = serde_json::from_value(json!({
            "name": "Trojan:Linux/Mirai", "level": "serious",
            "details": {"Path": "/tmp/.x", "Md5": "00ff", "Size": 12}
        }))
        .expect("valid");
        assert_eq!(finding.kind, "Malicious process (cloud scan)");
        let names: Vec<_> = finding.details.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["Path", "Md5", "Size"]);
        assert_eq!(finding.details[2].1, "12");
        let back = serde_json::to_value(&finding).expect("serializes");
        assert_eq!(
            back["details"],
            json!({"Path": "/tmp/.x", "Md5": "00ff", "Size": "12"})
        );
    }

    #[test]
    fn bad_findings_say_what_was_expected() {
        let cases = [
            (json!({"name": "x", "level": "high"}), "unknown variant"),
            (
                json!({"name": "x", "level": "remind", "details": {"a": [1]}}),
                "details.a",
            ),
            (json!({"level": "remind"}), "missing field `name`"),
            (
                json!({"name": "x", "level": "remind", "lvl": 1}),
                "unknown field",
            ),
        ];
        for (value, needle) in cases {
            let err = serde_json::from_value::<Finding>(value.clone()).expect_err("invalid");
            assert!(err.to_string().contains(needle), "{value}: {err}");
        }
    }
}
