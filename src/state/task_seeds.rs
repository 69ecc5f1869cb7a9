//! What the loaded fixtures say about tasks: the default schedule and the seeded tasks, shared or
//! owned by one account.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::accounts::{Keys, UnknownKey};
use crate::fixtures::{FixtureDoc, FixtureError, TargetInfo};
use crate::model::schedule::{PartialSchedule, Progress, Schedule};
use crate::model::task::TaskSeed;

/// The tasks fixtures define, merged over every loaded document.
#[derive(Debug, Clone)]
pub struct Seeds {
    /// For this document's tasks and every task created later.
    pub default_schedule: Schedule,
    /// A task nobody described: no target of its own, the default schedule.
    default: Arc<TaskSeed>,
    /// Tasks without an owner: every account gets its own copy the first time it asks.
    shared: HashMap<i64, Arc<TaskSeed>>,
    /// Tasks of one account.
    owned: HashMap<(Arc<str>, i64), Arc<TaskSeed>>,
}

impl Default for Seeds {
    fn default() -> Self {
        Seeds::with_schedule(Schedule::default())
    }
}

/// A task a document defines: its owner (none for a shared task) and id.
pub type Touched = (Option<Arc<str>>, i64);

/// A seeded task: its owner (none for a shared task), id and seed.
pub type Defined<'a> = (Option<&'a Arc<str>>, i64, &'a Arc<TaskSeed>);

impl Seeds {
    fn with_schedule(default_schedule: Schedule) -> Self {
        Seeds {
            default_schedule,
            default: Arc::new(TaskSeed {
                target_info: "".into(),
                schedule: Arc::new(default_schedule),
                pinned: None,
            }),
            shared: HashMap::new(),
            owned: HashMap::new(),
        }
    }

    /// The seed for a task an account does not hold yet: its own, else a shared one.
    pub fn seed_for(&self, account: &Arc<str>, task_id: i64) -> Option<&Arc<TaskSeed>> {
        self.owned_seed(account, task_id)
            .or_else(|| self.shared_seed(task_id))
    }

    /// The account's own seed with this id.
    pub fn owned_seed(&self, account: &Arc<str>, task_id: i64) -> Option<&Arc<TaskSeed>> {
        self.owned.get(&(Arc::clone(account), task_id))
    }

    /// The shared seed with this id.
    pub fn shared_seed(&self, task_id: i64) -> Option<&Arc<TaskSeed>> {
        self.shared.get(&task_id)
    }

    /// Whether `account` has a task of its own with this id.
    pub fn owns(&self, account: &Arc<str>, task_id: i64) -> bool {
        self.owned.contains_key(&(Arc::clone(account), task_id))
    }

    /// The owned seeds (of one account, if given).
    pub fn owned<'a>(
        &'a self,
        account: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Arc<str>, i64, &'a Arc<TaskSeed>)> + 'a {
        (self.owned.iter())
            .filter(move |((owner, _), _)| account.is_none_or(|a| **owner == *a))
            .map(|((owner, id), seed)| (owner, *id, seed))
    }

    pub fn len(&self) -> usize {
        self.owned.len() + self.shared.len()
    }

    /// Every seed: its owner (none for a shared task), id and seed, ordered by owner then id.
    pub fn all(&self) -> Vec<Defined<'_>> {
        let shared = (self.shared.iter()).map(|(id, seed)| (None, *id, seed));
        let owned = (self.owned.iter()).map(|((owner, id), seed)| (Some(owner), *id, seed));
        let mut all: Vec<_> = shared.chain(owned).collect();
        all.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        all
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A seed from its parts: a target (none: the placeholder of the task's id), a partial
    /// schedule over the default one, an optional pinned progress. Seeds that need nothing of
    /// their own share the default one.
    pub fn make_seed(
        &self,
        target_info: Option<&TargetInfo>,
        schedule: Option<PartialSchedule>,
        pinned: Option<Progress>,
    ) -> Arc<TaskSeed> {
        let schedule = schedule.unwrap_or_default().over(self.default_schedule);
        if target_info.is_none() && pinned.is_none() && schedule == self.default_schedule {
            return Arc::clone(&self.default);
        }
        let schedule = if schedule == self.default_schedule {
            Arc::clone(&self.default.schedule)
        } else {
            Arc::new(schedule)
        };
        Arc::new(TaskSeed {
            target_info: target_info.map_or_else(|| "".into(), |t| t.0.clone()),
            schedule,
            pinned,
        })
    }

    /// The seed of a task nobody described.
    pub fn default_seed(&self) -> &Arc<TaskSeed> {
        &self.default
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
            let default = Seeds::with_schedule(partial.over(Schedule::default()));
            (next.default_schedule, next.default) = (default.default_schedule, default.default);
        }
        let mut seen = HashSet::new();
        let mut accounts = HashSet::new();
        let mut touched = Vec::with_capacity(doc.tasks.len());
        for (i, spec) in doc.tasks.iter().enumerate() {
            let at = |field: &str, msg: String| {
                FixtureError::new(source, format!("tasks[{i}].{field}"), msg)
            };
            let named = (spec.access_key_id.as_deref(), spec.account_id.as_deref());
            let owner = (keys.owner(named.0, named.1, UnknownKey::Refuse))
                .map_err(|(field, msg)| at(field, msg))?
                .map(|account| intern(&mut accounts, account));
            if !seen.insert((owner.clone(), spec.task_id)) {
                let msg = format!(
                    "task {} is defined twice for the same account",
                    spec.task_id
                );
                return Err(at("taskId", msg));
            }
            let seed = next.make_seed(spec.target_info.as_ref(), spec.schedule, spec.progress);
            touched.push((owner.clone(), spec.task_id));
            match owner {
                Some(account) => next.owned.insert((account, spec.task_id), seed),
                None => next.shared.insert(spec.task_id, seed),
            };
        }
        Ok((next, touched))
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
    fn tasks_that_need_nothing_of_their_own_share_one_seed() {
        let seeds = merged(
            r#"{"tasks": [{"taskId": 1}, {"taskId": 2}, {"taskId": 3, "progress": "Success"}]}"#,
        )
        .expect("valid");
        let seed = |id| seeds.seed_for(&Arc::from("a"), id).expect("defined");
        assert!(Arc::ptr_eq(seed(1), seed(2)) && Arc::ptr_eq(seed(1), seeds.default_seed()));
        assert!(!Arc::ptr_eq(seed(1), seed(3)));
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
