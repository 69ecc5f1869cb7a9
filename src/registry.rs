//! What the loaded fixtures define, merged: access keys, seeded tasks, fault rules, the default
//! schedule. Requests read it through an `Arc` snapshot; loading a document swaps in a new one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::actions;
use crate::domain::account::{account_for_unknown_key, AccessKey, DEFAULT_ACCOUNT};
use crate::domain::schedule::{PartialSchedule, Progress, Schedule};
use crate::domain::target::{
    normalize_target_info, normalize_target_value, placeholder_marker, placeholder_target_info,
};
use crate::faults::{FaultMatch, FaultSpec};
use crate::fixtures::{FixtureDoc, FixtureError, TaskSpec};
use crate::protocol::signature::SigningKey;

/// How a seeded task starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSeed {
    /// `TargetInfo`, or the empty placeholder marker (see `domain::target::placeholder_marker`).
    pub target_info: Arc<str>,
    pub schedule: Schedule,
    pub pinned: Option<Progress>,
}

/// Who is calling, as far as state goes. Cheap to make: a known key is shared, not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub access_key_id: Option<Arc<str>>,
    pub account: Arc<str>,
    /// The fixture's definition of the key, when it has one.
    pub key: Option<Arc<AccessKey>>,
}

/// What a loaded document added, for messages and the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub accounts: usize,
    pub tasks: usize,
    pub faults: usize,
    /// The tasks the document defines: (owner account, or none for a shared task; task id).
    #[serde(skip)]
    pub touched: Vec<(Option<Arc<str>>, i64)>,
}

#[derive(Debug, Clone)]
pub struct Registry {
    pub keys: HashMap<Arc<str>, Arc<AccessKey>>,
    pub default_schedule: Schedule,
    /// Tasks without an owner: every account gets its own copy the first time it asks.
    pub shared: HashMap<i64, TaskSeed>,
    /// Tasks that belong to one account.
    pub owned: HashMap<(Arc<str>, i64), TaskSeed>,
    /// Fault rules, with the account each is limited to.
    pub faults: Vec<(FaultSpec, Option<Arc<str>>)>,
    pub default_account: Arc<str>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            keys: HashMap::new(),
            default_schedule: Schedule::default(),
            shared: HashMap::new(),
            owned: HashMap::new(),
            faults: Vec::new(),
            default_account: Arc::from(DEFAULT_ACCOUNT),
        }
    }
}

impl Registry {
    /// A registry holding the embedded default fixtures.
    pub fn with_default_fixtures() -> Result<Registry, FixtureError> {
        let (source, doc) = crate::fixtures::default_document()?;
        let mut registry = Registry::default();
        registry.merge(&source, &doc)?;
        Ok(registry)
    }

    /// Resolves the account of a request from the access key it names.
    pub fn caller(&self, access_key_id: Option<&str>) -> Caller {
        let Some(id) = access_key_id else {
            return Caller {
                access_key_id: None,
                account: Arc::clone(&self.default_account),
                key: None,
            };
        };
        match self.keys.get(id) {
            Some(key) => Self::caller_with_key(key),
            None => Caller {
                access_key_id: Some(Arc::from(id)),
                account: account_for_unknown_key(id),
                key: None,
            },
        }
    }

    /// The caller that signs with `key`.
    pub fn caller_with_key(key: &Arc<AccessKey>) -> Caller {
        Caller {
            access_key_id: Some(Arc::clone(&key.id)),
            account: Arc::clone(&key.account_id),
            key: Some(Arc::clone(key)),
        }
    }

    /// The account a task or fault names with `accessKeyId` / `accountId`.
    fn owner(
        &self,
        access_key_id: Option<&str>,
        account_id: Option<&str>,
    ) -> Result<Option<Arc<str>>, (&'static str, String)> {
        match (access_key_id, account_id) {
            (Some(_), Some(_)) => Err(("accountId", "give accessKeyId or accountId, not both".to_owned())),
            (Some(k), None) => self.keys.get(k).map(|key| Some(Arc::clone(&key.account_id))).ok_or_else(|| {
                ("accessKeyId", format!("access key {k:?} is not defined in \"accounts\" (of this or an earlier file)"))
            }),
            (None, Some(a)) if a.trim().is_empty() => Err(("accountId", "must not be empty".to_owned())),
            (None, Some(a)) => Ok(Some(Arc::from(a))),
            (None, None) => Ok(None),
        }
    }

    /// Merges a document: later definitions replace earlier ones with the same access key id, or
    /// the same task id in the same account. Nothing changes if the document has an error.
    pub fn merge(&mut self, source: &str, doc: &FixtureDoc) -> Result<Summary, FixtureError> {
        let mut next = self.clone();
        next.merge_accounts(source, doc)?;
        if let Some(partial) = doc.schedule {
            next.default_schedule = partial.over(Schedule::default());
        }
        let mut seen = HashSet::new();
        let mut accounts = HashSet::new();
        let mut touched = Vec::with_capacity(doc.tasks.len());
        for (i, spec) in doc.tasks.iter().enumerate() {
            let at = |field: &str, msg: String| {
                FixtureError::new(source, format!("tasks[{i}]{field}"), msg)
            };
            let owner = next
                .owner(spec.access_key_id.as_deref(), spec.account_id.as_deref())
                .map_err(|(field, msg)| at(&format!(".{field}"), msg))?
                .map(|account| intern(&mut accounts, account));
            if !seen.insert((owner.clone(), spec.task_id)) {
                return Err(at(
                    ".taskId",
                    format!(
                        "task {} is defined twice for the same account",
                        spec.task_id
                    ),
                ));
            }
            let seed = next.seed(spec).map_err(|(field, msg)| at(field, msg))?;
            touched.push((owner.clone(), spec.task_id));
            match owner {
                Some(account) => next.owned.insert((account, spec.task_id), seed),
                None => next.shared.insert(spec.task_id, seed),
            };
        }
        for (i, spec) in doc.faults.iter().enumerate() {
            let at = |field: &str, msg: String| {
                FixtureError::new(source, format!("faults[{i}].{field}"), msg)
            };
            spec.validate(actions::is_known)
                .map_err(|(field, msg)| at(field, msg))?;
            let scope = next
                .fault_scope(&spec.matcher)
                .map_err(|msg| at("match.accountId", msg))?;
            next.faults.push((spec.clone(), scope));
        }
        *self = next;
        Ok(Summary {
            accounts: doc.accounts.len(),
            tasks: doc.tasks.len(),
            faults: doc.faults.len(),
            touched,
        })
    }

    fn merge_accounts(&mut self, source: &str, doc: &FixtureDoc) -> Result<(), FixtureError> {
        let mut seen = HashSet::new();
        for (i, spec) in doc.accounts.iter().enumerate() {
            let at = |field: &str, msg: &str| {
                FixtureError::new(source, format!("accounts[{i}].{field}"), msg)
            };
            for (field, value) in [
                ("accessKeyId", &spec.access_key_id),
                ("accessKeySecret", &spec.access_key_secret),
                ("accountId", &spec.account_id),
            ] {
                if value.trim().is_empty() {
                    return Err(at(field, "must not be empty"));
                }
            }
            if !seen.insert(spec.access_key_id.as_str()) {
                return Err(at(
                    "accessKeyId",
                    &format!(
                        "access key {:?} is defined twice in this file",
                        spec.access_key_id
                    ),
                ));
            }
            if let Some((j, bad)) = spec
                .deny
                .iter()
                .enumerate()
                .find(|(_, a)| *a != "*" && !actions::is_known(a))
            {
                let msg = format!(
                    "unknown action {bad:?}; expected one of {} or \"*\"",
                    actions::NAMES.join(", ")
                );
                return Err(at(&format!("deny[{j}]"), &msg));
            }
            let key = AccessKey {
                id: Arc::from(spec.access_key_id.as_str()),
                secret: spec.access_key_secret.clone(),
                signing: SigningKey::new(&spec.access_key_secret),
                account_id: Arc::from(spec.account_id.as_str()),
                deny: spec.deny.clone(),
                active: spec.active,
                security_token: spec.security_token.clone(),
            };
            self.keys.insert(Arc::clone(&key.id), Arc::new(key));
        }
        Ok(())
    }

    /// The account a fault rule is limited to: its `accountId`, else the account of its
    /// `accessKeyId` (an unknown key's own account), else none.
    pub fn fault_scope(&self, m: &FaultMatch) -> Result<Option<Arc<str>>, String> {
        match (&m.account_id, &m.access_key_id) {
            (Some(_), Some(_)) => Err("give accessKeyId or accountId, not both".to_owned()),
            (Some(a), None) if a.trim().is_empty() => Err("must not be empty".to_owned()),
            (Some(a), None) => Ok(Some(Arc::from(a.as_str()))),
            (None, Some(k)) => Ok(Some(self.caller(Some(k)).account)),
            (None, None) => Ok(None),
        }
    }

    /// A fixture task's seed. Without `targetInfo` it keeps the shared placeholder marker rather
    /// than its own copy of the placeholder text (the id is final here).
    fn seed(&self, spec: &TaskSpec) -> Result<TaskSeed, (&'static str, String)> {
        if spec.target_info.is_none() {
            return Ok(TaskSeed {
                target_info: placeholder_marker(),
                schedule: spec
                    .schedule
                    .unwrap_or_default()
                    .over(self.default_schedule),
                pinned: spec.progress,
            });
        }
        self.make_seed(
            spec.task_id,
            spec.target_info.as_ref(),
            spec.schedule,
            spec.progress,
        )
        .map_err(|m| (".targetInfo", m))
    }

    /// A seed from its parts: `targetInfo` (array or string; a placeholder when absent), a partial
    /// schedule over the default one, an optional pinned progress.
    pub fn make_seed(
        &self,
        task_id: i64,
        target_info: Option<&serde_json::Value>,
        schedule: Option<PartialSchedule>,
        pinned: Option<Progress>,
    ) -> Result<TaskSeed, String> {
        let target_info = match target_info {
            None => placeholder_target_info(task_id),
            Some(serde_json::Value::String(text)) => normalize_target_info(text)?,
            Some(value) => normalize_target_value(value)?,
        };
        let schedule = schedule.unwrap_or_default().over(self.default_schedule);
        Ok(TaskSeed {
            target_info: Arc::from(target_info),
            schedule,
            pinned,
        })
    }

    /// The seed for a task an account does not hold yet: its own, else a shared one.
    pub fn seed_for(&self, account: &Arc<str>, task_id: i64) -> Option<&TaskSeed> {
        self.owned
            .get(&(Arc::clone(account), task_id))
            .or_else(|| self.shared.get(&task_id))
    }
}

/// The one `Arc` for an account name that a document names over and over (a task each).
fn intern(accounts: &mut HashSet<Arc<str>>, account: Arc<str>) -> Arc<str> {
    match accounts.get(&account) {
        Some(known) => Arc::clone(known),
        None => {
            accounts.insert(Arc::clone(&account));
            account
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::parse_document;

    fn merged(text: &str) -> Result<Registry, FixtureError> {
        let mut registry = Registry::default();
        registry.merge("f.json", &parse_document("f.json", text)?)?;
        Ok(registry)
    }

    #[test]
    fn access_keys_select_their_account_and_unknown_keys_get_their_own() {
        let r = merged(
            r#"{"accounts": [{"accessKeyId": "k", "accessKeySecret": "s", "accountId": "42"}]}"#,
        )
        .expect("valid");
        assert_eq!(&*r.caller(Some("k")).account, "42");
        assert_eq!(&*r.caller(None).account, DEFAULT_ACCOUNT);
        assert_ne!(r.caller(Some("x")).account, r.caller(Some("y")).account);
    }

    #[test]
    fn tasks_resolve_their_schedule_over_the_files_default() {
        let r = merged(r#"{"schedule": {"init": {"polls": 2}}, "tasks": [{"taskId": 5, "schedule": {"outcome": "Failed"}}]}"#).expect("valid");
        let seed = r.seed_for(&Arc::from("any"), 5).expect("shared task");
        assert_eq!(seed.schedule.init, crate::domain::schedule::Phase::Polls(2));
        assert_eq!(
            seed.schedule.outcome,
            crate::domain::schedule::Outcome::Failed
        );
    }

    #[test]
    fn semantic_errors_name_the_path() {
        let cases = [
            (
                r#"{"tasks": [{"taskId": 1, "accessKeyId": "nobody"}]}"#,
                "tasks[0].accessKeyId",
            ),
            (
                r#"{"tasks": [{"taskId": 1}, {"taskId": 1}]}"#,
                "tasks[1].taskId",
            ),
            (
                r#"{"tasks": [{"taskId": 1, "targetInfo": [{"type": "vm", "target": "x"}]}]}"#,
                "tasks[0].targetInfo",
            ),
            (
                r#"{"accounts": [{"accessKeyId": "k", "accessKeySecret": "s", "accountId": "1", "deny": ["Nope"]}]}"#,
                "accounts[0].deny[0]",
            ),
            (
                r#"{"accounts": [{"accessKeyId": "", "accessKeySecret": "s", "accountId": "1"}]}"#,
                "accounts[0].accessKeyId",
            ),
            (
                r#"{"faults": [{"match": {"action": "Nope"}, "error": "ServerError"}]}"#,
                "faults[0].match.action",
            ),
            (
                r#"{"faults": [{"error": "ServerError", "probability": 2}]}"#,
                "faults[0].probability",
            ),
            (
                r#"{"faults": [{"match": {"accessKeyId": "k", "accountId": "1"}, "error": "ServerError"}]}"#,
                "faults[0].match.accountId",
            ),
        ];
        for (text, path) in cases {
            let err = merged(text).expect_err(text);
            assert_eq!(err.path, path, "{text}: {err}");
        }
    }
}
