//! Fault rules in force: answer chosen requests with an error, after a delay, a number of times, or
//! by chance.
//!
//! Deciding is a read of the rule list plus two atomic counters per rule; the list lock is held
//! only while the matching rules are cloned out, never across an `.await`. A rule keeps its id for
//! good: fixture rules come back from a reset under the ids they were loaded with.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use arc_swap::ArcSwap;
use serde::Serialize;

use super::accounts::{Keys, UnknownKey};
use crate::fixtures::{FaultError, FaultSpec, FixtureDoc, FixtureError};
use crate::model::rng;
use crate::protocol::ApiError;

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

/// A rule a fixture defines, with the id it keeps and the account it is limited to.
#[derive(Debug, Clone)]
pub struct FixtureRule {
    pub id: u64,
    pub spec: FaultSpec,
    pub account_id: Option<Arc<str>>,
}

/// The rules in force, and those the fixtures define.
#[derive(Debug, Default)]
pub struct Faults {
    rules: RwLock<Vec<Arc<FaultRule>>>,
    fixture: ArcSwap<Vec<FixtureRule>>,
    next_id: AtomicU64,
    seed: u64,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Faults {
            next_id: AtomicU64::new(1),
            seed,
            ..Faults::default()
        }
    }

    /// A document's rules, checked, with their ids (the account of a rule's `accessKeyId` is
    /// resolved with `keys`, the keys in force after the document).
    pub fn stage(
        &self,
        source: &str,
        doc: &FixtureDoc,
        keys: &Keys,
    ) -> Result<Vec<FixtureRule>, FixtureError> {
        let mut staged = Vec::with_capacity(doc.faults.len());
        for (i, spec) in doc.faults.iter().enumerate() {
            let at = |field: &str, msg: String| {
                FixtureError::new(source, format!("faults[{i}].{field}"), msg)
            };
            let account_id = check(spec, keys).map_err(|(field, msg)| at(field, msg))?;
            staged.push((spec.clone(), account_id));
        }
        Ok(staged
            .into_iter()
            .map(|(spec, account_id)| FixtureRule {
                id: self.next_id.fetch_add(1, Ordering::Relaxed),
                spec,
                account_id,
            })
            .collect())
    }

    /// Puts a loaded document's rules in force, after those already defined.
    pub fn install(&self, added: Vec<FixtureRule>) {
        let mut all = Vec::clone(&self.fixture.load());
        for rule in &added {
            self.insert(rule, Origin::Fixture);
        }
        all.extend(added);
        self.fixture.store(Arc::new(all));
    }

    /// Back to the fixtures' rules (with fresh counters), for every account or one.
    pub fn reset(&self, account: Option<&str>) {
        let in_scope = |scope: Option<&str>| account.is_none_or(|a| scope == Some(a));
        self.remove_where(|rule| in_scope(rule.account_id.as_deref()));
        for rule in self.fixture.load().iter() {
            if in_scope(rule.account_id.as_deref()) {
                self.insert(rule, Origin::Fixture);
            }
        }
    }

    /// Adds a rule at runtime (admin API); returns it with its new id.
    pub fn add(&self, spec: FaultSpec, keys: &Keys) -> Result<Arc<FaultRule>, String> {
        let account_id = check(&spec, keys).map_err(|(field, msg)| format!("{field}: {msg}"))?;
        let rule = FixtureRule {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            spec,
            account_id,
        };
        Ok(self.insert(&rule, Origin::Admin))
    }

    /// A live copy of `rule`, placed in id order (the order of addition).
    fn insert(&self, rule: &FixtureRule, origin: Origin) -> Arc<FaultRule> {
        let live = Arc::new(FaultRule {
            id: rule.id,
            origin,
            account_id: rule.account_id.clone(),
            spec: rule.spec.clone(),
            fired: AtomicU64::new(0),
            evaluations: AtomicU64::new(0),
        });
        let mut rules = self.write();
        let at = rules.partition_point(|r| r.id < rule.id);
        rules.insert(at, Arc::clone(&live));
        live
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

/// Checks a rule and returns the account it is limited to (its `accountId`, or the account of its
/// `accessKeyId`), or the field at fault.
fn check(spec: &FaultSpec, keys: &Keys) -> Result<Option<Arc<str>>, (&'static str, String)> {
    spec.validate()?;
    let m = &spec.matcher;
    keys.owner(
        m.access_key_id.as_deref(),
        m.account_id.as_deref(),
        UnknownKey::OwnAccount,
    )
    .map_err(|(field, msg)| {
        (
            if field == "accountId" {
                "match.accountId"
            } else {
                "match.accessKeyId"
            },
            msg,
        )
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

    fn add(faults: &Faults, spec: FaultSpec, account_id: Option<Arc<str>>) -> Arc<FaultRule> {
        let id = faults.next_id.fetch_add(1, Ordering::Relaxed);
        let rule = FixtureRule {
            id,
            spec,
            account_id,
        };
        faults.insert(&rule, Origin::Admin)
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
        add(
            &faults,
            spec(json!({"match": {"action": "A", "taskId": 7}, "error": "NoPermission"})),
            None,
        );
        add(
            &faults,
            spec(json!({"match": {"accessKeyId": "other"}, "error": "ServerError"})),
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
        add(
            &faults,
            spec(json!({"match": {"action": "*"}, "error": "ServerError", "times": 2})),
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
        add(
            &faults,
            spec(json!({"error": "ServerError"})),
            Some(Arc::from("other")),
        );
        assert_eq!(faults.decide(&target("A", None)), None);
    }

    #[test]
    fn probabilistic_rules_are_reproducible_under_a_seed() {
        let run = |seed| {
            let faults = Faults::new(seed);
            add(
                &faults,
                spec(json!({"error": "ServerError", "probability": 0.5})),
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
        let decision = add(&Faults::new(0), custom, None);
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
        assert!(FaultSpec::default().validate().is_err());
        let unknown_action = spec(json!({"match": {"action": "Nope"}, "error": "ServerError"}));
        assert_eq!(
            unknown_action.validate().map_err(|e| e.0),
            Err("match.action")
        );
    }
}
