//! The live tasks, keyed by (account, task id). Methods return owned snapshots and never hand out map
//! guards, so no caller can hold a shard lock across an `.await` or while touching the map again.
//!
//! The map has many small shards rather than a few large ones: a shard's table grows all at once,
//! holding its lock while it rehashes, and with a million tasks in eight shards that stalled the
//! requests behind it for tens of milliseconds. The task count is kept beside the map, so that
//! `/__admin/health` does not visit every shard.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use serde::Serialize;

use crate::model::clock::{format_rfc3339, Millis};
use crate::model::schedule::{Progress, Schedule};
use crate::model::target::shown_target_info;
use crate::model::task::Task;

/// A task's place: its account and id.
pub type Key = (Arc<str>, i64);

/// What one read of a task saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    /// `null` for a shared task no account holds a copy of yet (the answer to creating one).
    pub account_id: Option<Arc<str>>,
    pub task_id: i64,
    /// The JSON array `TargetInfo` carries, as a string.
    pub target_info: String,
    pub progress: Progress,
    pub polls: u64,
    /// On the mock's clock; `null` until the first poll.
    #[serde(serialize_with = "rfc3339_or_null")]
    pub first_poll: Option<Millis>,
    #[serde(serialize_with = "rfc3339_or_null")]
    pub last_poll: Option<Millis>,
    /// The shortest time between two consecutive polls, in milliseconds; `null` before the second.
    pub shortest_poll_interval_millis: Option<u64>,
    /// On the mock's clock (RFC 3339 when serialised: only the admin API shows it, so a poll
    /// does not pay for formatting it).
    #[serde(serialize_with = "rfc3339")]
    pub created_at: Millis,
    pub schedule: Schedule,
    /// The end state the schedule leads to (a failure rate already drawn); for a pinned task,
    /// the pinned state if it is final, else `null` (it never ends).
    pub outcome: Option<Progress>,
    pub pinned: bool,
}

fn rfc3339<S: serde::Serializer>(millis: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_rfc3339(*millis))
}

fn rfc3339_or_null<S: serde::Serializer>(millis: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
    match millis {
        Some(millis) => rfc3339(millis, s),
        None => s.serialize_none(),
    }
}

/// What a read of `task` under `key` shows.
pub fn view(key: &Key, task: &Task, progress: Progress) -> TaskView {
    TaskView {
        account_id: Some(Arc::clone(&key.0)),
        task_id: key.1,
        target_info: shown_target_info(&task.seed.target_info, key.1),
        progress,
        polls: task.polls(),
        first_poll: task.first_poll(),
        last_poll: task.last_poll(),
        shortest_poll_interval_millis: task.shortest_interval(),
        created_at: task.created_at,
        schedule: *task.seed.schedule,
        outcome: match task.seed.pinned {
            Some(pinned) => pinned.is_final().then_some(pinned),
            None => Some(task.outcome),
        },
        pinned: task.seed.pinned.is_some(),
    }
}

/// How many shards the map has (a power of two).
const SHARDS: usize = 128;
/// Looked up on every task request: foldhash, not the default SipHash.
type FastHash = foldhash::fast::RandomState;

/// All tasks of all accounts.
#[derive(Debug)]
pub struct TaskMap {
    tasks: DashMap<Key, Task, FastHash>,
    /// The number of tasks, and of each account's, changed only by whoever holds the shard lock
    /// of the task added or removed.
    count: AtomicUsize,
    per_account: DashMap<Arc<str>, usize, FastHash>,
}

impl Default for TaskMap {
    fn default() -> Self {
        TaskMap {
            tasks: DashMap::with_hasher_and_shard_amount(FastHash::default(), SHARDS),
            count: AtomicUsize::new(0),
            per_account: DashMap::with_hasher(FastHash::default()),
        }
    }
}

impl TaskMap {
    /// Reads a task at `now` (counting a poll if `poll`); when it does not exist, `create` may
    /// supply it, and it is inserted atomically.
    pub fn observe(
        &self,
        account: &Arc<str>,
        task_id: i64,
        now: Millis,
        poll: bool,
        create: impl FnOnce() -> Option<Task>,
    ) -> Option<TaskView> {
        let key = (Arc::clone(account), task_id);
        if let Some(mut task) = self.tasks.get_mut(&key) {
            let progress = task.observe(now, poll);
            return Some(view(&key, &task, progress));
        }
        let new_task = create()?;
        let mut task = match self.tasks.entry(key.clone()) {
            dashmap::Entry::Occupied(slot) => slot.into_ref(),
            dashmap::Entry::Vacant(slot) => {
                self.added(account);
                slot.insert(new_task)
            }
        };
        let progress = task.observe(now, poll);
        Some(view(&key, &task, progress))
    }

    /// A task's progress at `now` (a read, not a poll) and, once it is final, when it got there.
    pub fn ended(
        &self,
        account: &Arc<str>,
        task_id: i64,
        now: Millis,
    ) -> Option<(Progress, Option<Millis>)> {
        let mut task = self.tasks.get_mut(&(Arc::clone(account), task_id))?;
        let progress = task.observe(now, false);
        Some((progress, task.ended_at()))
    }

    /// Inserts a task unless the id is taken in that account; returns whether it was inserted.
    pub fn insert_new(&self, account: &Arc<str>, task_id: i64, task: Task) -> bool {
        match self.tasks.entry((Arc::clone(account), task_id)) {
            dashmap::Entry::Occupied(_) => false,
            dashmap::Entry::Vacant(slot) => {
                self.added(account);
                slot.insert(task);
                true
            }
        }
    }

    /// Inserts or replaces a task.
    pub fn put(&self, account: &Arc<str>, task_id: i64, task: Task) {
        match self.tasks.entry((Arc::clone(account), task_id)) {
            dashmap::Entry::Occupied(mut slot) => {
                slot.insert(task);
            }
            dashmap::Entry::Vacant(slot) => {
                self.added(account);
                slot.insert(task);
            }
        }
    }

    pub fn remove(&self, account: &Arc<str>, task_id: i64) -> bool {
        let removed = self
            .tasks
            .remove_if(&(Arc::clone(account), task_id), |_, _| {
                self.removed(account);
                true
            });
        removed.is_some()
    }

    /// The accounts that hold a task with this id.
    pub fn accounts_with(&self, task_id: i64) -> Vec<Arc<str>> {
        let mut accounts: Vec<Arc<str>> = self
            .tasks
            .iter()
            .filter(|e| e.key().1 == task_id)
            .map(|e| Arc::clone(&e.key().0))
            .collect();
        accounts.sort();
        accounts
    }

    /// Every task (of one account, if given) at `now`, ordered by account then id.
    pub fn list(&self, account: Option<&str>, now: Millis) -> Vec<TaskView> {
        self.list_first(account, now, usize::MAX)
    }

    /// The first `limit` tasks of [`TaskMap::list`]; only those are looked at (a dashboard asking
    /// for 200 of a million tasks does not observe them all).
    pub fn list_first(&self, account: Option<&str>, now: Millis, limit: usize) -> Vec<TaskView> {
        let mut keys: Vec<Key> = (self.tasks.iter())
            .filter(|e| account.is_none_or(|a| *e.key().0 == *a))
            .map(|e| e.key().clone())
            .collect();
        keys.sort_unstable();
        keys.truncate(limit);
        (keys.iter())
            .filter_map(|key| {
                let mut task = self.tasks.get_mut(key)?;
                let progress = task.observe(now, false);
                Some(view(key, &task, progress))
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every task, or every task of one account.
    pub fn clear(&self, account: Option<&str>) {
        self.tasks.retain(|key, _| {
            let keep = account.is_some_and(|a| *key.0 != *a);
            if !keep {
                self.removed(&key.0);
            }
            keep
        });
    }

    /// Every account that holds tasks, with how many.
    pub fn accounts(&self) -> Vec<(Arc<str>, usize)> {
        (self.per_account.iter())
            .map(|held| (Arc::clone(held.key()), *held.value()))
            .collect()
    }

    /// How many tasks `account` holds.
    pub fn count_of(&self, account: &str) -> usize {
        self.per_account.get(account).map_or(0, |n| *n)
    }

    fn added(&self, account: &Arc<str>) {
        self.count.fetch_add(1, Ordering::Relaxed);
        *self.per_account.entry(Arc::clone(account)).or_insert(0) += 1;
    }

    fn removed(&self, account: &Arc<str>) {
        self.count.fetch_sub(1, Ordering::Relaxed);
        if let dashmap::Entry::Occupied(mut held) = self.per_account.entry(Arc::clone(account)) {
            *held.get_mut() = held.get().saturating_sub(1);
            if *held.get() == 0 {
                held.remove();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::task::TaskSeed;

    fn task() -> Task {
        Task::new(TaskSeed::new("[]", Schedule::default(), None), 0, 0.0)
    }

    #[test]
    fn the_same_task_id_in_two_accounts_is_two_tasks() {
        let store = TaskMap::default();
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("a"), Arc::from("b"));
        assert!(store.insert_new(&a, 1, task()));
        assert!(!store.insert_new(&a, 1, task()));
        assert!(store.observe(&b, 1, 0, true, || None).is_none());
        let seen = store.observe(&a, 1, 0, true, || None).expect("exists");
        assert_eq!((seen.polls, seen.progress), (1, Progress::Init));
        assert_eq!(store.accounts_with(1), vec![a.clone()]);
    }

    #[test]
    fn observe_creates_missing_tasks_only_when_asked() {
        let store = TaskMap::default();
        let acc: Arc<str> = Arc::from("a");
        assert!(store.observe(&acc, 9, 0, true, || None).is_none());
        assert!(store.observe(&acc, 9, 0, true, || Some(task())).is_some());
        assert_eq!(store.list(Some("a"), 0).len(), 1);
        store.clear(Some("a"));
        assert!(store.is_empty());
    }

    #[test]
    fn the_count_follows_every_way_of_adding_and_removing_tasks() {
        let store = TaskMap::default();
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("a"), Arc::from("b"));
        store.put(&a, 1, task());
        store.put(&a, 1, task());
        assert!(store.insert_new(&a, 2, task()));
        assert!(!store.insert_new(&a, 2, task()));
        store.observe(&b, 3, 0, true, || Some(task()));
        store.observe(&b, 3, 0, true, || Some(task()));
        assert_eq!(store.len(), 3);
        assert!(store.remove(&a, 1) && !store.remove(&a, 1));
        assert_eq!(store.len(), 2);
        store.clear(Some("b"));
        assert_eq!(store.len(), 1);
        store.clear(None);
        assert_eq!(store.len(), 0);
        std::thread::scope(|s| {
            for t in 0..4 {
                let (store, a) = (&store, &a);
                s.spawn(move || {
                    for i in 0..1_000 {
                        store.put(a, t * 1_000 + i, task());
                        store.observe(a, i, 0, true, || Some(task()));
                    }
                });
            }
        });
        assert_eq!(store.len(), 4_000);
        assert_eq!(store.len(), store.list(None, 0).len());
    }
}
