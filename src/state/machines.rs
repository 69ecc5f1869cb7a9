//! Machines, and what scans of them leave behind in each account: alerts, the scans themselves.
//!
//! Machines are rules (see [`rules`](super::rules)): fixtures define them, the admin API adds
//! them, a reset puts the fixtures' back. A machine without an owner is shared: every account
//! sees it. Everything a scan produces lives in the account's [`Ledger`], made on first use and
//! dropped by a reset.
//!
//! Findings become alerts when a scan is *observed* finished: whenever an operation reads or
//! changes alerts (or the admin API lists them), the account's pending scans are settled first
//! (see [`Ledger::settle`]). The `DescribeScanTaskProgress` poll path is untouched.

pub mod ledger;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use dashmap::DashMap;

use super::accounts::{Keys, UnknownKey};
use super::rules::{Defined, Rule, Rules};
use super::task_map::TaskMap;
use crate::fixtures::{FixtureDoc, FixtureError, MachineSpec};
use crate::model::clock::Millis;
use crate::model::machine::{coverage, Machine};
use crate::model::target::Target;
pub use ledger::Ledger;

/// A machine in force, with its id, origin and owner.
pub type MachineRule = Rule<Arc<Machine>, ()>;

#[derive(Debug)]
pub struct Machines {
    pub rules: Rules<Arc<Machine>, ()>,
    ledgers: DashMap<Arc<str>, Ledger>,
    run_seed: u64,
}

impl Machines {
    pub fn new(run_seed: u64) -> Self {
        Machines {
            rules: Rules::default(),
            ledgers: DashMap::new(),
            run_seed,
        }
    }

    /// A document's machines, checked (owners must be keys the fixtures define).
    pub fn stage(
        &self,
        source: &str,
        doc: &FixtureDoc,
        keys: &Keys,
    ) -> Result<Vec<Defined<Arc<Machine>>>, FixtureError> {
        let mut seen = HashSet::new();
        let mut checked = Vec::with_capacity(doc.machines.len());
        for (i, spec) in doc.machines.iter().enumerate() {
            let at = |field: &str, msg: String| {
                FixtureError::new(source, format!("machines[{i}].{field}"), msg)
            };
            let owner = check(spec, keys, UnknownKey::Refuse).map_err(|(f, msg)| at(&f, msg))?;
            if !seen.insert((owner.clone(), spec.uuid.as_str())) {
                let msg = format!(
                    "machine {} is defined twice for the same account",
                    spec.uuid
                );
                return Err(at("uuid", msg));
            }
            checked.push((Arc::new(spec.machine()), owner));
        }
        Ok((checked.into_iter())
            .map(|(machine, owner)| self.rules.define(machine, owner))
            .collect())
    }

    /// Adds a machine at runtime (admin API); an access key the fixtures do not define names its
    /// own account, as requests do.
    pub fn add(&self, spec: &MachineSpec, keys: &Keys) -> Result<Arc<MachineRule>, String> {
        let owner = check(spec, keys, UnknownKey::OwnAccount)
            .map_err(|(field, msg)| format!("{field}: {msg}"))?;
        Ok(self.rules.add(Arc::new(spec.machine()), owner))
    }

    /// The machines an account has, in the order they were defined: for each uuid its own
    /// definition over a shared one, and the latest of those.
    pub fn of(&self, account: &str) -> Vec<Arc<Machine>> {
        (self.rules_of(account).iter())
            .map(|rule| Arc::clone(&rule.spec))
            .collect()
    }

    /// [`Machines::of`], as the rules that define them.
    pub fn rules_of(&self, account: &str) -> Vec<Arc<MachineRule>> {
        let rules = self.rules.for_account(account);
        let mut chosen: HashMap<&str, &Arc<MachineRule>> = HashMap::new();
        for rule in &rules {
            let slot = chosen.entry(&*rule.spec.uuid).or_insert(rule);
            if rule.account_id.is_some() || slot.account_id.is_none() {
                *slot = rule;
            }
        }
        let mut winners: Vec<Arc<MachineRule>> = chosen.into_values().cloned().collect();
        winners.sort_by_key(|rule| rule.id);
        winners
    }

    /// Records a scan `StartVirusScanTask` started as task `task_id`, over what its `TargetInfo`
    /// (already checked) covers among the account's machines now.
    pub fn start_scan(
        &self,
        account: &Arc<str>,
        tasks: &TaskMap,
        started: (i64, &str),
        now: Millis,
    ) {
        let (task_id, target_info) = started;
        let targets: Vec<Target> = serde_json::from_str(target_info).unwrap_or_default();
        let (covered, unknown) = coverage(&self.of(account), &targets);
        let shown = Arc::from(target_info);
        self.with_ledger(account, |ledger| {
            if ledger.crowded() {
                ledger.settle(account, tasks, now);
            }
            ledger.start_scan(task_id, shown, covered, unknown, now);
        });
    }

    /// Runs `f` on the account's ledger (made on first use), holding it for the call only.
    pub fn with_ledger<R>(&self, account: &Arc<str>, f: impl FnOnce(&mut Ledger) -> R) -> R {
        let mut ledger = (self.ledgers.entry(Arc::clone(account)))
            .or_insert_with(|| Ledger::new(self.run_seed, account));
        f(&mut ledger)
    }

    /// Runs `f` on the account's ledger once every scan that has finished by `now` is settled.
    pub fn settled<R>(
        &self,
        account: &Arc<str>,
        tasks: &TaskMap,
        now: Millis,
        f: impl FnOnce(&mut Ledger) -> R,
    ) -> R {
        self.with_ledger(account, |ledger| {
            ledger.settle(account, tasks, now);
            f(ledger)
        })
    }

    /// The accounts with a ledger, sorted.
    pub fn accounts(&self) -> Vec<Arc<str>> {
        let mut accounts: Vec<Arc<str>> =
            self.ledgers.iter().map(|e| Arc::clone(e.key())).collect();
        accounts.sort();
        accounts
    }

    /// Back to the fixtures' machines, and no scans or alerts: every account, or one.
    pub fn reset(&self, account: Option<&str>) {
        self.rules.reset(account);
        self.ledgers
            .retain(|owner, _| account.is_some_and(|a| **owner != *a));
    }
}

fn check(
    spec: &MachineSpec,
    keys: &Keys,
    unknown: UnknownKey,
) -> Result<Option<Arc<str>>, (String, String)> {
    spec.validate()?;
    let named = (spec.access_key_id.as_deref(), spec.account_id.as_deref());
    keys.owner(named.0, named.1, unknown)
        .map_err(|(field, msg)| (field.to_owned(), msg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::parse_document;

    fn uuids_of(machines: &Machines, account: &str) -> Vec<String> {
        let list = machines.of(account);
        list.iter()
            .map(|m| format!("{}:{}", m.uuid, m.instance_name))
            .collect()
    }

    #[test]
    fn an_account_sees_its_own_machines_over_shared_ones_and_the_latest_of_each() {
        let doc = parse_document(
            "f.json",
            r#"{"machines": [
                {"uuid": "a", "instanceName": "shared"},
                {"uuid": "b", "instanceName": "own", "accountId": "1"},
                {"uuid": "b", "instanceName": "shared"},
                {"uuid": "c", "instanceName": "other", "accountId": "2"}]}"#,
        )
        .expect("parses");
        let machines = Machines::new(1);
        let staged = machines
            .stage("f.json", &doc, &Keys::default())
            .expect("valid");
        machines.rules.install(staged);
        assert_eq!(uuids_of(&machines, "1"), ["a:shared", "b:own"]);
        assert_eq!(
            uuids_of(&machines, "2"),
            ["a:shared", "b:shared", "c:other"]
        );
        let spec: MachineSpec =
            serde_json::from_str(r#"{"uuid": "a", "instanceName": "again"}"#).expect("parses");
        machines.add(&spec, &Keys::default()).expect("valid");
        assert_eq!(uuids_of(&machines, "1"), ["b:own", "a:again"]);
        machines.reset(None);
        assert_eq!(uuids_of(&machines, "1"), ["a:shared", "b:own"]);
    }

    #[test]
    fn fixture_machines_name_the_path_of_what_is_wrong() {
        let cases = [
            (
                r#"{"machines": [{"uuid": "a"}, {"uuid": "a"}]}"#,
                "machines[1].uuid",
            ),
            (
                r#"{"machines": [{"uuid": "a", "accessKeyId": "nobody"}]}"#,
                "machines[0].accessKeyId",
            ),
            (
                r#"{"machines": [{"uuid": "a", "findings": [{"name": " ", "level": "remind"}]}]}"#,
                "machines[0].findings[0].name",
            ),
        ];
        for (text, path) in cases {
            let doc = parse_document("f.json", text).expect("parses");
            let err = Machines::new(1)
                .stage("f.json", &doc, &Keys::default())
                .expect_err(text);
            assert_eq!(err.path, path, "{text}: {err}");
        }
        let err = parse_document(
            "f.json",
            r#"{"machines": [{"uuid": "a", "findings": [{"name": "x", "level": "high"}]}]}"#,
        )
        .expect_err("a bad level");
        assert_eq!(err.path, "machines[0].findings[0].level", "{err}");
    }
}
