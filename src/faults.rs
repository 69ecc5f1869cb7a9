//! Fault rules: answer chosen requests with an error, after a delay, a number of times, or by chance.
//!
//! Deciding is a pure read of the rule list plus two atomic counters per rule; the list lock is held
//! only while the matching rules are cloned out, never across an `.await`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::domain::duration::DurationMs;
use crate::protocol::error::{ApiError, CATALOG};
use crate::rng;

/// Which requests a rule applies to; an absent field (or `"*"` for the action) matches anything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultMatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

/// The error a rule answers with: a catalog code, or any status, code and message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FaultError {
    Catalog(String),
    Custom {
        status: u16,
        code: String,
        message: String,
    },
}

impl FaultError {
    pub fn to_api_error(&self) -> ApiError {
        match self {
            FaultError::Catalog(code) => {
                ApiError::from_catalog(code).unwrap_or_else(ApiError::internal)
            }
            FaultError::Custom {
                status,
                code,
                message,
            } => ApiError::new(*status, code.clone(), message.clone()),
        }
    }
}

impl<'de> Deserialize<'de> for FaultError {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(code) if ApiError::from_catalog(&code).is_some() => Ok(FaultError::Catalog(code)),
            Value::String(code) => {
                let known: Vec<&str> = CATALOG.iter().map(|e| e.code).collect();
                Err(D::Error::custom(format!(
                    "unknown error code {code:?}; expected one of {} or an object {{\"status\", \"code\", \"message\"}}",
                    known.join(", ")
                )))
            }
            value @ Value::Object(_) => custom_error(value).map_err(D::Error::custom),
            _ => Err(D::Error::custom("expected a catalog code such as \"ServerError\" or an object {\"status\", \"code\", \"message\"}")),
        }
    }
}

fn custom_error(value: Value) -> Result<FaultError, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Custom {
        status: u16,
        code: String,
        message: String,
    }
    let c: Custom = serde_json::from_value(value).map_err(|e| format!("custom error: {e}"))?;
    if !(400..=599).contains(&c.status) {
        return Err(format!(
            "custom error status must be 400..=599, found {}",
            c.status
        ));
    }
    if c.code.trim().is_empty() {
        return Err("custom error code must not be empty".to_owned());
    }
    Ok(FaultError::Custom {
        status: c.status,
        code: c.code,
        message: c.message,
    })
}

/// A rule as fixtures and the admin API write it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultSpec {
    #[serde(rename = "match", default)]
    pub matcher: FaultMatch,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<FaultError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DurationMs>,
}

impl FaultSpec {
    /// Checks what serde cannot: returns the field at fault and what was expected.
    pub fn validate(
        &self,
        known_action: impl Fn(&str) -> bool,
    ) -> Result<(), (&'static str, String)> {
        if self.error.is_none() && self.delay.is_none() {
            return Err((
                "error",
                "a fault needs an \"error\", a \"delay\", or both".to_owned(),
            ));
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err((
                    "probability",
                    format!("expected a number from 0 to 1, found {p}"),
                ));
            }
        }
        match self.matcher.action.as_deref() {
            Some(a) if a != "*" && !known_action(a) => Err((
                "match.action",
                format!("unknown action {a:?}; expected an action this mock serves or \"*\""),
            )),
            _ => Ok(()),
        }
    }
}

/// Where a rule came from: fixtures survive a reset, admin-added rules do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Fixture,
    Admin,
}

/// A live rule with its counters.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    pub id: u64,
    pub origin: Origin,
    /// The account the rule is limited to (from `accountId`, or the account of `accessKeyId`).
    pub account_id: Option<Arc<str>>,
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// How many times the rule has answered a request.
    pub fired: AtomicU64,
    #[serde(skip)]
    evaluations: AtomicU64,
}

/// What one request is, as far as matching goes.
#[derive(Debug, Clone, Copy)]
pub struct FaultTarget<'a> {
    pub action: &'a str,
    pub task_id: Option<i64>,
    pub access_key_id: Option<&'a str>,
    pub account_id: &'a str,
}

/// What a matching rule does to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub rule_id: u64,
    pub delay: Option<Duration>,
    pub error: Option<ApiError>,
}

impl FaultRule {
    fn matches(&self, t: &FaultTarget<'_>) -> bool {
        let m = &self.spec.matcher;
        m.action
            .as_deref()
            .is_none_or(|a| a == "*" || a == t.action)
            && m.task_id.is_none_or(|id| t.task_id == Some(id))
            && m.access_key_id
                .as_deref()
                .is_none_or(|k| t.access_key_id == Some(k))
            && self.account_id.as_deref().is_none_or(|a| a == t.account_id)
    }

    /// Draws the probability (seeded, per rule and evaluation) and claims one of `times`.
    fn fires(&self, seed: u64) -> bool {
        if let Some(p) = self.spec.probability {
            let n = self.evaluations.fetch_add(1, Ordering::Relaxed);
            if rng::unit(rng::hash(seed, &[&self.id.to_le_bytes(), &n.to_le_bytes()])) >= p {
                return false;
            }
        }
        let limit = self.spec.times.unwrap_or(u64::MAX);
        self.fired
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |f| {
                (f < limit).then_some(f + 1)
            })
            .is_ok()
    }
}

/// The rule list.
#[derive(Debug, Default)]
pub struct Faults {
    rules: RwLock<Vec<Arc<FaultRule>>>,
    next_id: AtomicU64,
    seed: u64,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Faults {
            rules: RwLock::default(),
            next_id: AtomicU64::new(1),
            seed,
        }
    }

    pub fn add(
        &self,
        spec: FaultSpec,
        origin: Origin,
        account_id: Option<Arc<str>>,
    ) -> Arc<FaultRule> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let rule = Arc::new(FaultRule {
            id,
            origin,
            account_id,
            spec,
            fired: AtomicU64::new(0),
            evaluations: AtomicU64::new(0),
        });
        self.write().push(Arc::clone(&rule));
        rule
    }

    pub fn list(&self) -> Vec<Arc<FaultRule>> {
        self.read().clone()
    }

    pub fn remove(&self, id: u64) -> bool {
        let mut rules = self.write();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// Removes the rules `drop` selects; returns how many went.
    pub fn remove_where(&self, drop: impl Fn(&FaultRule) -> bool) -> usize {
        let mut rules = self.write();
        let before = rules.len();
        rules.retain(|r| !drop(r));
        before - rules.len()
    }

    /// The first rule that matches and fires, if any.
    pub fn decide(&self, target: &FaultTarget<'_>) -> Option<Decision> {
        let candidates: Vec<Arc<FaultRule>> = self
            .read()
            .iter()
            .filter(|r| r.matches(target))
            .cloned()
            .collect();
        let rule = candidates.into_iter().find(|r| r.fires(self.seed))?;
        Some(Decision {
            rule_id: rule.id,
            delay: rule.spec.delay.map(|d| Duration::from_millis(d.0)),
            error: rule.spec.error.as_ref().map(FaultError::to_api_error),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<FaultRule>>> {
        self.rules
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Arc<FaultRule>>> {
        self.rules
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(value: Value) -> FaultSpec {
        serde_json::from_value(value).expect("valid fault")
    }

    fn target(action: &str, task_id: Option<i64>) -> FaultTarget<'_> {
        FaultTarget {
            action,
            task_id,
            access_key_id: Some("ak"),
            account_id: "acc",
        }
    }

    #[test]
    fn rules_match_on_action_task_and_access_key() {
        let faults = Faults::new(1);
        faults.add(
            spec(json!({"match": {"action": "A", "taskId": 7}, "error": "NoPermission"})),
            Origin::Admin,
            None,
        );
        faults.add(
            spec(json!({"match": {"accessKeyId": "other"}, "error": "ServerError"})),
            Origin::Admin,
            None,
        );
        assert_eq!(
            faults
                .decide(&target("A", Some(7)))
                .and_then(|d| d.error)
                .map(|e| e.status),
            Some(403)
        );
        assert_eq!(faults.decide(&target("A", Some(8))), None);
        assert_eq!(faults.decide(&target("B", Some(7))), None);
    }

    #[test]
    fn a_times_limited_rule_fires_exactly_that_often_then_lets_requests_through() {
        let faults = Faults::new(1);
        faults.add(
            spec(json!({"match": {"action": "*"}, "error": "ServerError", "times": 2})),
            Origin::Admin,
            None,
        );
        let fired = (0..5)
            .filter(|_| faults.decide(&target("A", None)).is_some())
            .count();
        assert_eq!(fired, 2);
    }

    #[test]
    fn account_scoped_rules_ignore_other_accounts() {
        let faults = Faults::new(1);
        faults.add(
            spec(json!({"error": "ServerError"})),
            Origin::Admin,
            Some(Arc::from("other")),
        );
        assert_eq!(faults.decide(&target("A", None)), None);
    }

    #[test]
    fn probabilistic_rules_are_reproducible_under_a_seed() {
        let run = |seed| {
            let faults = Faults::new(seed);
            faults.add(
                spec(json!({"error": "ServerError", "probability": 0.5})),
                Origin::Admin,
                None,
            );
            (0..64)
                .map(|_| faults.decide(&target("A", None)).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        let hits = run(42).into_iter().filter(|h| *h).count();
        assert!((16..=48).contains(&hits), "{hits} of 64");
    }

    #[test]
    fn custom_errors_and_delays_parse_and_bad_ones_explain_themselves() {
        let custom = spec(
            json!({"error": {"status": 429, "code": "Throttling.User", "message": "slow down"}, "delay": "250ms"}),
        );
        let decision = Faults::new(0).add(custom, Origin::Admin, None);
        assert_eq!(decision.spec.delay, Some(DurationMs(250)));
        for bad in [
            json!({"error": "NoSuchCode"}),
            json!({"error": {"status": 200, "code": "X", "message": ""}}),
            json!({"error": 5}),
        ] {
            let err = serde_json::from_value::<FaultSpec>(bad.clone()).expect_err("invalid");
            assert!(
                err.to_string().contains("expected") || err.to_string().contains("status"),
                "{bad}: {err}"
            );
        }
        assert!(FaultSpec::default().validate(|_| true).is_err());
        let unknown_action = spec(json!({"match": {"action": "Nope"}, "error": "ServerError"}));
        assert_eq!(
            unknown_action.validate(|a| a == "A").map_err(|e| e.0),
            Err("match.action")
        );
    }
}
