//! Fault rules in force: answer chosen requests with an error, after a delay, a number of times, or
//! by chance (seeded). The first rule, in order of addition, that matches and fires decides.
//!
//! Deciding copies the account's rules out of the lock, then uses two atomic counters per rule; no
//! lock is held across an `.await`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::accounts::{Keys, UnknownKey};
use super::rules::{claim, Defined, Rule, Rules};
use crate::fixtures::{FaultError, FaultSpec, FixtureDoc, FixtureError, NetworkFault};
use crate::model::rng;
use crate::protocol::ApiError;

/// A fault rule's counters.
#[derive(Debug, Default, Serialize)]
pub struct Counters {
    /// How many times the rule has answered a request.
    pub fired: AtomicU64,
    /// How many matching requests drew its probability (the draw's index).
    #[serde(skip)]
    evaluations: AtomicU64,
}

pub type FaultRule = Rule<FaultSpec, Counters>;

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
    pub network: Option<NetworkFault>,
    /// The status of a `proxyError` page.
    pub status: Option<u16>,
}

#[derive(Debug, Default)]
pub struct Faults {
    pub rules: Rules<FaultSpec, Counters>,
    seed: u64,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Faults {
            seed,
            ..Faults::default()
        }
    }

    /// A document's fault rules, checked (owners resolved with `keys`, the keys in force after
    /// the document).
    pub fn stage(
        &self,
        source: &str,
        doc: &FixtureDoc,
        keys: &Keys,
    ) -> Result<Vec<Defined<FaultSpec>>, FixtureError> {
        self.rules
            .stage(source, "faults", &doc.faults, &|spec| check(spec, keys))
    }

    /// Adds a rule at runtime (admin API).
    pub fn add(&self, spec: FaultSpec, keys: &Keys) -> Result<Arc<FaultRule>, String> {
        let account_id = check(&spec, keys).map_err(|(field, msg)| format!("{field}: {msg}"))?;
        Ok(self.rules.add(spec, account_id))
    }

    /// The first rule that matches and fires, if any.
    pub fn decide(&self, target: &FaultTarget<'_>) -> Option<Decision> {
        let rule = (self.rules).find_for_account(target.account_id, false, |rule| {
            matches(rule, target) && self.fires(rule)
        })?;
        Some(Decision {
            rule_id: rule.id,
            delay: rule.spec.delay.map(|d| Duration::from_millis(d.0)),
            error: rule.spec.error.as_ref().map(FaultError::to_api_error),
            network: rule.spec.network,
            status: rule.spec.status,
        })
    }

    /// Draws the probability (seeded, per rule and evaluation) and claims one of `times`.
    fn fires(&self, rule: &FaultRule) -> bool {
        if let Some(p) = rule.spec.probability {
            let n = rule.live.evaluations.fetch_add(1, Ordering::Relaxed);
            let draw = rng::unit(rng::hash(
                self.seed,
                &[&rule.id.to_le_bytes(), &n.to_le_bytes()],
            ));
            if draw >= p {
                return false;
            }
        }
        claim(&rule.live.fired, rule.spec.times)
    }
}

fn matches(rule: &FaultRule, t: &FaultTarget<'_>) -> bool {
    let m = &rule.spec.matcher;
    m.action
        .as_deref()
        .is_none_or(|a| a == "*" || a == t.action)
        && m.task_id.is_none_or(|id| t.task_id == Some(id))
        && (m.access_key_id.as_deref()).is_none_or(|k| t.access_key_id == Some(k))
}

/// Checks a rule and returns the account it is limited to (its `accountId`, or the account of its
/// `accessKeyId`), or the field at fault.
fn check(spec: &FaultSpec, keys: &Keys) -> Result<Option<Arc<str>>, (&'static str, String)> {
    spec.validate()?;
    let m = &spec.matcher;
    let named = (m.access_key_id.as_deref(), m.account_id.as_deref());
    keys.owner(named.0, named.1, UnknownKey::OwnAccount)
        .map_err(|(field, msg)| match field {
            "accountId" => ("match.accountId", msg),
            _ => ("match.accessKeyId", msg),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::duration::DurationMs;
    use serde_json::{json, Value};

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

    fn error_status(faults: &Faults, action: &str, task_id: Option<i64>) -> Option<u16> {
        faults
            .decide(&target(action, task_id))?
            .error
            .map(|e| e.status)
    }

    #[test]
    fn rules_match_on_action_task_and_access_key() {
        let faults = Faults::new(1);
        let a = json!({"match": {"action": "A", "taskId": 7}, "error": "NoPermission"});
        faults.rules.add(spec(a), None);
        let other = json!({"match": {"accessKeyId": "other"}, "error": "ServerError"});
        faults.rules.add(spec(other), None);
        assert_eq!(error_status(&faults, "A", Some(7)), Some(403));
        assert_eq!(error_status(&faults, "A", Some(8)), None);
        assert_eq!(error_status(&faults, "B", Some(7)), None);
    }

    #[test]
    fn a_times_limited_rule_fires_exactly_that_often_then_lets_requests_through() {
        let faults = Faults::new(1);
        let rule = json!({"match": {"action": "*"}, "error": "ServerError", "times": 2});
        faults.rules.add(spec(rule), None);
        let fired = (0..5)
            .filter(|_| faults.decide(&target("A", None)).is_some())
            .count();
        assert_eq!(fired, 2);
    }

    #[test]
    fn account_scoped_rules_ignore_other_accounts() {
        let faults = Faults::new(1);
        faults.rules.add(
            spec(json!({"error": "ServerError"})),
            Some(Arc::from("other")),
        );
        assert_eq!(faults.decide(&target("A", None)), None);
    }

    #[test]
    fn probabilistic_rules_are_reproducible_under_a_seed_and_differ_under_another() {
        let run = |seed| {
            let faults = Faults::new(seed);
            faults.rules.add(
                spec(json!({"error": "ServerError", "probability": 0.5})),
                None,
            );
            (0..64)
                .map(|_| faults.decide(&target("A", None)).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        let hits = run(42).into_iter().filter(|h| *h).count();
        assert!((16..=48).contains(&hits), "{hits} of 64");
    }

    #[test]
    fn custom_errors_and_delays_parse_and_bad_ones_explain_themselves() {
        let custom = spec(
            json!({"error": {"status": 429, "code": "Throttling.User", "message": "slow down"}, "delay": "250ms"}),
        );
        let rule = Faults::new(0).rules.add(custom, None);
        assert_eq!(rule.spec.delay, Some(DurationMs(250)));
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
        assert!(FaultSpec::default().validate().is_err());
        let unknown_action = spec(json!({"match": {"action": "Nope"}, "error": "ServerError"}));
        assert_eq!(
            unknown_action.validate().map_err(|e| e.0),
            Err("match.action")
        );
    }
}
