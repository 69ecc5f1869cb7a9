//! What fault rules, stubs and limits have in common: rules that fixtures define or the admin API
//! adds, each limited to an account or to none, each with an id it keeps for good. A reset puts the
//! fixtures' rules back under their ids (with fresh counters) and drops the admin-added ones.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use arc_swap::ArcSwap;
use serde::Serialize;

use crate::fixtures::FixtureError;

/// Checks one rule as written; returns the account it is limited to, or the field at fault
/// (relative to the rule) and what is wrong.
pub type Check<'a, S> = &'a dyn Fn(&S) -> Result<Option<Arc<str>>, (&'static str, String)>;

/// Where a rule came from: fixtures survive a reset, admin-added rules do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Fixture,
    Admin,
}

/// A rule as defined, before it is put in force.
#[derive(Debug, Clone)]
pub struct Defined<S> {
    pub id: u64,
    pub spec: S,
    /// The account the rule is limited to (its `accountId`, or the account of its `accessKeyId`).
    pub account_id: Option<Arc<str>>,
}

/// A rule in force, with the state it keeps while in force (counters, buckets).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule<S, L> {
    pub id: u64,
    pub origin: Origin,
    pub account_id: Option<Arc<str>>,
    #[serde(flatten)]
    pub spec: S,
    #[serde(flatten)]
    pub live: L,
}

/// The rules of one kind: those in force, in the order they were added, and the fixtures'.
#[derive(Debug)]
pub struct Rules<S, L> {
    in_force: RwLock<Vec<Arc<Rule<S, L>>>>,
    fixture: ArcSwap<Vec<Defined<S>>>,
    next_id: AtomicU64,
}

impl<S, L> Default for Rules<S, L> {
    fn default() -> Self {
        Rules {
            in_force: RwLock::default(),
            fixture: ArcSwap::default(),
            next_id: AtomicU64::new(1),
        }
    }
}

impl<S: Clone, L: Default> Rules<S, L> {
    /// Gives a rule its id.
    pub fn define(&self, spec: S, account_id: Option<Arc<str>>) -> Defined<S> {
        Defined {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            spec,
            account_id,
        }
    }

    /// A document's rules of this kind (under `key`, e.g. `faults`), checked, with their ids; the
    /// first problem is reported with its JSON path.
    pub fn stage(
        &self,
        source: &str,
        key: &str,
        specs: &[S],
        check: Check<'_, S>,
    ) -> Result<Vec<Defined<S>>, FixtureError> {
        let mut checked = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            let account_id = check(spec).map_err(|(field, msg)| {
                FixtureError::new(source, format!("{key}[{i}].{field}"), msg)
            })?;
            checked.push((spec.clone(), account_id));
        }
        Ok(checked
            .into_iter()
            .map(|(spec, account_id)| self.define(spec, account_id))
            .collect())
    }

    /// Puts a loaded document's rules in force, after those already defined.
    pub fn install(&self, added: Vec<Defined<S>>) {
        let mut all = Vec::clone(&self.fixture.load());
        for rule in &added {
            self.insert(rule, Origin::Fixture);
        }
        all.extend(added);
        self.fixture.store(Arc::new(all));
    }

    /// Adds a rule at runtime (admin API).
    pub fn add(&self, spec: S, account_id: Option<Arc<str>>) -> Arc<Rule<S, L>> {
        let rule = self.define(spec, account_id);
        self.insert(&rule, Origin::Admin)
    }

    /// Back to the fixtures' rules, for every account or one.
    pub fn reset(&self, account: Option<&str>) {
        let in_scope = |scope: Option<&str>| account.is_none_or(|a| scope == Some(a));
        self.remove_where(|rule| in_scope(rule.account_id.as_deref()));
        for rule in self.fixture.load().iter() {
            if in_scope(rule.account_id.as_deref()) {
                self.insert(rule, Origin::Fixture);
            }
        }
    }

    /// A live copy of `rule`, placed in id order (the order of addition).
    fn insert(&self, rule: &Defined<S>, origin: Origin) -> Arc<Rule<S, L>> {
        let live = Arc::new(Rule {
            id: rule.id,
            origin,
            account_id: rule.account_id.clone(),
            spec: rule.spec.clone(),
            live: L::default(),
        });
        let mut rules = self
            .in_force
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let at = rules.partition_point(|r| r.id < rule.id);
        rules.insert(at, Arc::clone(&live));
        live
    }
}

impl<S, L> Rules<S, L> {
    /// The rules in force, oldest first.
    pub fn list(&self) -> Vec<Arc<Rule<S, L>>> {
        self.read().clone()
    }

    /// The rules in force that apply to `account` (those limited to it, and those limited to none),
    /// oldest first, copied out so that no lock is held while they are used.
    pub fn for_account(&self, account: &str) -> Vec<Arc<Rule<S, L>>> {
        (self.read().iter())
            .filter(|r| r.account_id.as_deref().is_none_or(|a| a == account))
            .cloned()
            .collect()
    }

    /// The first rule in force for `account` that `pick` accepts, oldest first or newest first.
    /// `pick` runs under the read lock (no copy of the list per request): it must be quick and
    /// must not change these rules.
    pub fn find_for_account(
        &self,
        account: &str,
        newest_first: bool,
        mut pick: impl FnMut(&Rule<S, L>) -> bool,
    ) -> Option<Arc<Rule<S, L>>> {
        let rules = self.read();
        let applies = |r: &&Arc<Rule<S, L>>| r.account_id.as_deref().is_none_or(|a| a == account);
        let found = if newest_first {
            rules.iter().rev().filter(applies).find(|r| pick(r))
        } else {
            rules.iter().filter(applies).find(|r| pick(r))
        };
        found.cloned()
    }

    pub fn remove(&self, id: u64) -> bool {
        self.remove_where(|r| r.id == id) > 0
    }

    /// Removes the rules `drop` selects; returns how many went.
    pub fn remove_where(&self, drop: impl Fn(&Rule<S, L>) -> bool) -> usize {
        let mut rules = self
            .in_force
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let before = rules.len();
        rules.retain(|r| !drop(r));
        before - rules.len()
    }

    fn read(&self) -> RwLockReadGuard<'_, Vec<Arc<Rule<S, L>>>> {
        self.in_force.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Claims one use of a rule limited to `times` uses (exact under concurrency): whether it may
/// still answer.
pub fn claim(used: &AtomicU64, times: Option<u64>) -> bool {
    let limit = times.unwrap_or(u64::MAX);
    used.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
        (n < limit).then_some(n + 1)
    })
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Counted = Rules<&'static str, ()>;

    #[test]
    fn fixture_rules_come_back_from_a_reset_under_their_ids_and_admin_ones_go() {
        let rules = Counted::default();
        let defined = vec![
            rules.define("a", None),
            rules.define("b", Some(Arc::from("x"))),
        ];
        rules.install(defined);
        let added = rules.add("c", None);
        assert_eq!(added.id, 3);
        let ids = |rules: &Counted| {
            rules
                .list()
                .iter()
                .map(|r| (r.id, r.spec))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&rules), [(1, "a"), (2, "b"), (3, "c")]);
        rules.remove(1);
        rules.reset(Some("x"));
        assert_eq!(
            ids(&rules),
            [(2, "b"), (3, "c")],
            "a reset of one account touches only its rules"
        );
        rules.reset(None);
        assert_eq!(ids(&rules), [(1, "a"), (2, "b")]);
        assert_eq!(rules.add("d", None).id, 4, "an id is never given twice");
        assert_eq!(
            rules.for_account("y").len(),
            2,
            "rules of no account, and none of x's"
        );
    }

    #[test]
    fn a_rule_limited_to_times_uses_is_claimed_exactly_that_often_under_contention() {
        let used = AtomicU64::new(0);
        let claimed = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1_000 {
                        if claim(&used, Some(10)) {
                            claimed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(claimed.into_inner(), 10);
        assert!(claim(&AtomicU64::new(5), None));
    }
}
