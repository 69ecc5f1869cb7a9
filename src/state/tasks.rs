//! Scan tasks: what fixtures seed ([`Seeds`]) and the live tasks ([`TaskMap`]), and the ways a task
//! comes to exist — polled, started, created by the admin API, reset from its seed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use arc_swap::ArcSwap;
use serde::Deserialize;

use super::task_map::{view, TaskMap, TaskView};
use super::task_seeds::{Seeds, Touched};
use crate::fixtures::TargetInfo;
use crate::model::clock::Millis;
use crate::model::rng;
use crate::model::schedule::{PartialSchedule, Progress};
use crate::model::task::{Task, TaskSeed};
use crate::protocol::ApiError;

/// A task to create through the admin API or `MockServer`: a fixture task whose id is optional (a
/// new one is drawn when it is left out).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewTask {
    #[serde(default, deserialize_with = "crate::fixtures::optional_task_id")]
    pub task_id: Option<i64>,
    pub access_key_id: Option<String>,
    pub account_id: Option<String>,
    /// A JSON array of `{type, name, target}`, or that array as a string.
    pub target_info: Option<TargetInfo>,
    pub schedule: Option<PartialSchedule>,
    /// Pins the task at this progress.
    pub progress: Option<Progress>,
}

#[derive(Debug)]
pub struct Tasks {
    pub live: TaskMap,
    seeds: ArcSwap<Seeds>,
    /// Tasks the admin API made without an owner: shared like the fixtures' (every account gets
    /// its own copy the first time it asks), until a full reset.
    shared: RwLock<HashMap<i64, Arc<TaskSeed>>>,
    next_id: AtomicI64,
    /// The run's seed: failure rates and ids are drawn from it.
    run_seed: u64,
    /// The most tasks an account may hold (`--max-tasks`); tasks the fixtures define do not
    /// count against it when they come into being.
    pub max_per_account: usize,
}

impl Tasks {
    pub fn new(run_seed: u64, max_per_account: usize) -> Self {
        Tasks {
            live: TaskMap::default(),
            seeds: ArcSwap::default(),
            shared: RwLock::default(),
            next_id: AtomicI64::new(100_000 + (rng::mix(run_seed) % 900_000) as i64),
            run_seed,
            max_per_account,
        }
    }

    /// Refuses a new task when the account is at `--max-tasks`.
    fn room_for_one(&self, account: &str) -> Result<(), ApiError> {
        let held = self.live.count_of(account);
        if held < self.max_per_account {
            return Ok(());
        }
        Err(ApiError::catalog("QuotaExceeded.Tasks").because(format!(
            "account {account} holds {held} tasks, the most --max-tasks ({}) allows",
            self.max_per_account
        )))
    }

    pub fn seeds(&self) -> Arc<Seeds> {
        self.seeds.load_full()
    }

    /// Puts newly loaded seeds in force; the tasks a document defined are made afresh (a shared
    /// one in every account that holds it, from now on from its new seed).
    pub fn install(&self, seeds: Seeds, touched: &[Touched], now: Millis) {
        let seeds = Arc::new(seeds);
        self.seeds.store(Arc::clone(&seeds));
        for (owner, id) in touched {
            match owner {
                Some(account) => {
                    if let Some(seed) = seeds.seed_for(account, *id) {
                        self.live
                            .put(account, *id, self.task(account, *id, seed, now));
                    }
                }
                None => {
                    for account in self.live.accounts_with(*id) {
                        if !seeds.owns(&account, *id) {
                            self.live.remove(&account, *id);
                        }
                    }
                }
            }
        }
    }

    /// Back to the seeds: every account, or one.
    pub fn reset(&self, account: Option<&str>, now: Millis) {
        let seeds = self.seeds();
        if account.is_none() {
            self.shared
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
        }
        self.live.clear(account);
        for (owner, id, seed) in seeds.owned(account) {
            self.live.put(owner, id, self.task(owner, id, seed, now));
        }
    }

    /// A task as a poll sees it (counting the poll). A task the account does not hold yet is made
    /// from its seed, or from the default seed when `create_unknown` (room permitting); otherwise
    /// `None`.
    pub fn poll(
        &self,
        account: &Arc<str>,
        task_id: i64,
        now: Millis,
        create_unknown: bool,
    ) -> Result<Option<TaskView>, ApiError> {
        let mut refused = None;
        let seen = self.live.observe(account, task_id, now, true, || {
            let seeds = self.seeds();
            match self.seed_for(&seeds, account, task_id) {
                Some(seed) => Some(self.task(account, task_id, &seed, now)),
                None if create_unknown => match self.room_for_one(account) {
                    Ok(()) => Some(self.task(account, task_id, seeds.default_seed(), now)),
                    Err(err) => {
                        refused = Some(err);
                        None
                    }
                },
                None => None,
            }
        });
        match refused {
            Some(err) => Err(err),
            None => Ok(seen),
        }
    }

    /// A task as the admin API shows it (reading is not a poll).
    pub fn peek(&self, account: &Arc<str>, task_id: i64, now: Millis) -> Option<TaskView> {
        self.live.observe(account, task_id, now, false, || None)
    }

    /// Starts a task on the default schedule under a new id; returns the id.
    pub fn start(
        &self,
        account: &Arc<str>,
        target_info: String,
        now: Millis,
    ) -> Result<i64, ApiError> {
        self.room_for_one(account)?;
        let seed = Arc::new(TaskSeed {
            target_info: target_info.into_boxed_str(),
            schedule: Arc::clone(&self.seeds().default_seed().schedule),
            pinned: None,
        });
        Ok(self.insert_new(account, &seed, now))
    }

    /// Creates (or, for an existing id, replaces) a task in `account`.
    pub fn create(
        &self,
        account: &Arc<str>,
        spec: &NewTask,
        now: Millis,
    ) -> Result<TaskView, String> {
        let seed =
            (self.seeds()).make_seed(spec.target_info.as_ref(), spec.schedule, spec.progress);
        let replacing = spec
            .task_id
            .is_some_and(|id| self.peek(account, id, now).is_some());
        if !replacing {
            self.room_for_one(account)
                .map_err(|err| err.message.into_owned())?;
        }
        let id = match spec.task_id {
            Some(id) => {
                self.live
                    .put(account, id, self.task(account, id, &seed, now));
                id
            }
            None => self.insert_new(account, &seed, now),
        };
        self.peek(account, id, now)
            .ok_or_else(|| format!("task {id} vanished while being created"))
    }

    /// The seed of a task an account does not hold yet: its own fixture task, else a shared one
    /// the admin API made, else a shared fixture task.
    fn seed_for(&self, seeds: &Seeds, account: &Arc<str>, task_id: i64) -> Option<Arc<TaskSeed>> {
        let shared = || {
            let made = self.shared.read().unwrap_or_else(PoisonError::into_inner);
            made.get(&task_id)
                .or_else(|| seeds.shared_seed(task_id))
                .cloned()
        };
        seeds.owned_seed(account, task_id).cloned().or_else(shared)
    }

    /// Makes a shared task (every account gets its own copy the first time it asks); an existing
    /// id is replaced: copies accounts hold are dropped and come back from the new seed. The
    /// answer is the task as a new copy would start, under no account.
    pub fn create_shared(&self, spec: &NewTask, now: Millis) -> TaskView {
        let seeds = self.seeds();
        let seed = seeds.make_seed(spec.target_info.as_ref(), spec.schedule, spec.progress);
        let id = spec.task_id.unwrap_or_else(|| loop {
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            let none = Arc::from("");
            if self.seed_for(&seeds, &none, id).is_none() && self.live.accounts_with(id).is_empty()
            {
                break id;
            }
        });
        let mut made = self.shared.write().unwrap_or_else(PoisonError::into_inner);
        made.insert(id, Arc::clone(&seed));
        drop(made);
        for account in self.live.accounts_with(id) {
            if !seeds.owns(&account, id) {
                self.live.remove(&account, id);
            }
        }
        let mut preview = Task::new(seed, now, 0.0);
        let progress = preview.observe(now, false);
        TaskView {
            account_id: None,
            ..view(&(Arc::from(""), id), &preview, progress)
        }
    }

    /// Whether a shared task (the fixtures' or the admin API's) has this id.
    pub fn is_shared(&self, task_id: i64) -> bool {
        let made = self.shared.read().unwrap_or_else(PoisonError::into_inner);
        made.contains_key(&task_id) || self.seeds().shared_seed(task_id).is_some()
    }

    /// Inserts a task under a new id, unique in the account and not seeded for it.
    fn insert_new(&self, account: &Arc<str>, seed: &Arc<TaskSeed>, now: Millis) -> i64 {
        let seeds = self.seeds();
        loop {
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            if self.seed_for(&seeds, account, id).is_none()
                && (self.live).insert_new(account, id, self.task(account, id, seed, now))
            {
                return id;
            }
        }
    }

    /// A fresh task from a seed; a failure rate is drawn from the run's seed, the account and id.
    fn task(&self, account: &str, task_id: i64, seed: &Arc<TaskSeed>, now: Millis) -> Task {
        let draw = rng::unit(rng::hash(
            self.run_seed,
            &[account.as_bytes(), &task_id.to_le_bytes()],
        ));
        Task::new(Arc::clone(seed), now, draw)
    }
}
