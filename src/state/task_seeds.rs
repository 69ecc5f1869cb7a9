//! What the loaded fixtures say about tasks: the default schedule and the seeded tasks, shared or
//! owned by one account.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::accounts::{Keys, UnknownKey};
use crate::fixtures::{FixtureDoc, FixtureError, TaskSpec};
use crate::model::schedule::{PartialSchedule, Progress, Schedule};
use crate::model::target::{
    normalize_target_info, normalize_target_value, placeholder_marker, placeholder_target_info,
};

/// How a task starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSeed {
    /// `TargetInfo`, or the empty placeholder marker (see `model::target::placeholder_marker`).
    pub target_info: Arc<str>,
    pub schedule: Schedule,
    pub pinned: Option<Progress>,
}

/// The tasks fixtures define, merged over every loaded document.
#[derive(Debug, Clone, Default)]
pub struct Seeds {
    /// For this document's tasks and every task created later.
    pub default_schedule: Schedule,
    /// Tasks without an owner: every account gets its own copy the first time it asks.
    shared: HashMap<i64, TaskSeed>,
    /// Tasks of one account.
    owned: HashMap<(Arc<str>, i64), TaskSeed>,
}

/// A task a document defines: its owner (none for a shared task) and id.
pub type Touched = (Option<Arc<str>>, i64);

impl Seeds {
    /// The seed for a task an account does not hold yet: its own, else a shared one.
    pub fn seed_for(&self, account: &Arc<str>, task_id: i64) -> Option<&TaskSeed> {
        self.owned
            .get(&(Arc::clone(account), task_id))
            .or_else(|| self.shared.get(&task_id))
    }

    /// Whether `account` has a task of its own with this id.
    pub fn owns(&self, account: &Arc<str>, task_id: i64) -> bool {
        self.owned.contains_key(&(Arc::clone(account), task_id))
    }

    /// The owned seeds (of one account, if given).
    pub fn owned<'a>(
        &'a self,
        account: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Arc<str>, i64, &'a TaskSeed)> + 'a {
        (self.owned.iter())
            .filter(move |((owner, _), _)| account.is_none_or(|a| **owner == *a))
            .map(|((owner, id), seed)| (owner, *id, seed))
    }

    pub fn len(&self) -> usize {
        self.owned.len() + self.shared.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A seed from its parts: `targetInfo` (array or string; a placeholder when absent), a partial
    /// schedule over the default one, an optional pinned progress.
    pub fn make_seed(
        &self,
        task_id: i64,
        target_info: Option<&Value>,
        schedule: Option<PartialSchedule>,
        pinned: Option<Progress>,
    ) -> Result<TaskSeed, String> {
        let target_info = match target_info {
            None => placeholder_target_info(task_id),
            Some(Value::String(text)) => normalize_target_info(text)?,
            Some(value) => normalize_target_value(value)?,
        };
        Ok(TaskSeed {
            target_info: Arc::from(target_info),
            schedule: schedule.unwrap_or_default().over(self.default_schedule),
            pinned,
        })
    }

    /// The seed of a task nobody described: a placeholder target on the default schedule.
    pub fn default_seed(&self) -> TaskSeed {
        TaskSeed {
            target_info: placeholder_marker(),
            schedule: self.default_schedule,
            pinned: None,
        }
    }

    /// These seeds with a document's merged in: a later task replaces one with the same id in the
    /// same account. Owners are resolved with `keys` (the keys in force after this document).
    pub fn merged(
        &self,
        source: &str,
        doc: &FixtureDoc,
        keys: &Keys,
    ) -> Result<(Seeds, Vec<Touched>), FixtureError> {
        let mut next = self.clone();
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
            let owner = keys
                .owner(
                    spec.access_key_id.as_deref(),
                    spec.account_id.as_deref(),
                    UnknownKey::Refuse,
                )
                .map_err(|(field, msg)| at(&format!(".{field}"), msg))?
                .map(|account| intern(&mut accounts, account));
            if !seen.insert((owner.clone(), spec.task_id)) {
                let msg = format!(
                    "task {} is defined twice for the same account",
                    spec.task_id
                );
                return Err(at(".taskId", msg));
            }
            let seed = next.seed(spec).map_err(|msg| at(".targetInfo", msg))?;
            touched.push((owner.clone(), spec.task_id));
            match owner {
                Some(account) => next.owned.insert((account, spec.task_id), seed),
                None => next.shared.insert(spec.task_id, seed),
            };
        }
        Ok((next, touched))
    }

    /// A fixture task's seed. Without `targetInfo` it keeps the shared placeholder marker rather
    /// than its own copy of the placeholder text (a million-task fixture stays small).
    fn seed(&self, spec: &TaskSpec) -> Result<TaskSeed, String> {
        match spec.target_info {
            None => Ok(TaskSeed {
                pinned: spec.progress,
                schedule: spec
                    .schedule
                    .unwrap_or_default()
                    .over(self.default_schedule),
                ..self.default_seed()
            }),
            Some(_) => self.make_seed(
                spec.task_id,
                spec.target_info.as_ref(),
                spec.schedule,
                spec.progress,
            ),
        }
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
    use crate::model::schedule::{Outcome, Phase};

    fn merged(text: &str) -> Result<Seeds, FixtureError> {
        let doc = parse_document("f.json", text)?;
        let keys = Keys::default().merged("f.json", &doc)?;
        Seeds::default()
            .merged("f.json", &doc, &keys)
            .map(|(s, _)| s)
    }

    #[test]
    fn tasks_resolve_their_schedule_over_the_files_default() {
        let seeds = merged(r#"{"schedule": {"init": {"polls": 2}}, "tasks": [{"taskId": 5, "schedule": {"outcome": "Failed"}}]}"#)
            .expect("valid");
        let seed = seeds.seed_for(&Arc::from("any"), 5).expect("shared task");
        assert_eq!(seed.schedule.init, Phase::Polls(2));
        assert_eq!(seed.schedule.outcome, Outcome::Failed);
    }

    #[test]
    fn an_accounts_own_task_wins_over_a_shared_one_with_the_same_id() {
        let seeds = merged(
            r#"{"tasks": [{"taskId": 5, "progress": "Success"}, {"taskId": 5, "accountId": "a", "progress": "Failed"}]}"#,
        )
        .expect("valid");
        let pinned = |account: &str| {
            seeds
                .seed_for(&Arc::from(account), 5)
                .and_then(|s| s.pinned)
        };
        assert_eq!(pinned("a"), Some(Progress::Failed));
        assert_eq!(pinned("b"), Some(Progress::Success));
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
                r#"{"tasks": [{"taskId": 1, "accessKeyId": "k", "accountId": "1"}]}"#,
                "tasks[0].accountId",
            ),
        ];
        for (text, path) in cases {
            let err = merged(text).expect_err(text);
            assert_eq!(err.path, path, "{text}: {err}");
        }
    }
}
