//! Everything a running mock holds, and the operations that touch more than one part of it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde::Deserialize;
use serde_json::Value;

use crate::actions;
use crate::config::Settings;
use crate::domain::clock::{Clock, Millis};
use crate::domain::schedule::{PartialSchedule, Progress};
use crate::domain::target::placeholder_marker;
use crate::domain::task::Task;
use crate::faults::{FaultRule, FaultSpec};
use crate::faults::{Faults, Origin};
use crate::fixtures::{FixtureDoc, FixtureError};
use crate::journal::Journal;
use crate::nonces::NonceStore;
use crate::registry::{Registry, Summary, TaskSeed};
use crate::rng;
use crate::store::Store;
use crate::store::TaskView;

/// A task to create through the admin API or [`crate::MockServer`]: a fixture task whose id is
/// optional (a new one is drawn when it is left out).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewTask {
    pub task_id: Option<i64>,
    pub access_key_id: Option<String>,
    pub account_id: Option<String>,
    /// A JSON array of `{type, name, target}`, or that array as a string.
    pub target_info: Option<Value>,
    pub schedule: Option<PartialSchedule>,
    /// Pins the task at this progress.
    pub progress: Option<Progress>,
}

/// Shared server state; cheap to read from any request.
#[derive(Debug)]
pub struct AppState {
    pub settings: Settings,
    pub clock: Clock,
    pub store: Store,
    pub faults: Faults,
    pub journal: Journal,
    pub nonces: NonceStore,
    pub request_ids: rng::Sequence,
    /// Request ids for admin answers, a separate stream so admin calls never shift RPC ids.
    pub admin_ids: rng::Sequence,
    registry: RwLock<Arc<Registry>>,
    /// Counts replacements of `registry`; threads keep a copy of the handle until it moves.
    registry_generation: rng::OwnLine<AtomicU64>,
    /// Tells states apart in the per-thread copies.
    id: u64,
    next_task_id: AtomicI64,
}

static NEXT_STATE_ID: AtomicU64 = AtomicU64::new(0);

/// A thread's handle on a state's registry: (state id, generation, handle).
type HeldRegistry = (u64, u64, Arc<Arc<Registry>>);

thread_local! {
    /// This thread's handle on the registry of the state it last served.
    static REGISTRY_HERE: RefCell<Option<HeldRegistry>> = const { RefCell::new(None) };
}

impl AppState {
    /// A state with the given fixture documents loaded, in order.
    pub fn new(settings: Settings, docs: &[(String, FixtureDoc)]) -> Result<Self, FixtureError> {
        let mut registry = Registry::default();
        for (source, doc) in docs {
            registry.merge(source, doc)?;
        }
        let first_id = 100_000 + (rng::mix(settings.seed) % 900_000) as i64;
        let state = AppState {
            clock: Clock::new(settings.clock),
            store: Store::default(),
            faults: Faults::new(settings.seed),
            journal: Journal::new(settings.journal_size),
            nonces: NonceStore::new(settings.nonce_capacity, settings.seed),
            request_ids: rng::Sequence::new(settings.seed, 1),
            admin_ids: rng::Sequence::new(settings.seed, 2),
            registry: RwLock::new(Arc::new(registry)),
            registry_generation: rng::OwnLine(AtomicU64::new(0)),
            id: NEXT_STATE_ID.fetch_add(1, Ordering::Relaxed),
            next_task_id: AtomicI64::new(first_id),
            settings,
        };
        state.reset(None);
        Ok(state)
    }

    /// The current fixture definitions.
    pub fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.registry.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The current fixture definitions, for a request: the same as [`AppState::registry`], but
    /// through a handle this thread keeps. Every request needs the registry, and taking the lock
    /// and the shared reference count each time moved their cache lines between cores.
    pub fn registry_here(&self) -> Arc<Arc<Registry>> {
        // Read before the registry, so that the copy kept is never older than its generation.
        let generation = self.registry_generation.0.load(Ordering::Acquire);
        REGISTRY_HERE
            .try_with(|here| {
                let mut here = here.borrow_mut();
                match &*here {
                    Some((id, seen, handle)) if *id == self.id && *seen == generation => {
                        Arc::clone(handle)
                    }
                    _ => {
                        let handle = Arc::new(self.registry());
                        *here = Some((self.id, generation, Arc::clone(&handle)));
                        handle
                    }
                }
            })
            .unwrap_or_else(|_| Arc::new(self.registry()))
    }

    /// Loads one more document at runtime: its tasks replace tasks with the same id (a shared task
    /// in every account), its faults are added.
    pub fn load_fixture(&self, source: &str, doc: &FixtureDoc) -> Result<Summary, FixtureError> {
        let mut guard = self.registry.write().unwrap_or_else(|p| p.into_inner());
        let mut next = Registry::clone(&guard);
        let summary = next.merge(source, doc)?;
        let added_faults = next.faults[guard.faults.len()..].to_vec();
        *guard = Arc::new(next);
        self.registry_generation.0.fetch_add(1, Ordering::Release);
        drop(guard);
        let registry = self.registry();
        let now = self.clock.now();
        for (owner, id) in &summary.touched {
            match owner {
                Some(account) => {
                    if let Some(seed) = registry.owned.get(&(Arc::clone(account), *id)) {
                        self.store
                            .put(account, *id, self.new_task(account, *id, seed, now));
                    }
                }
                None => {
                    for account in self.store.accounts_with(*id) {
                        if !registry.owned.contains_key(&(Arc::clone(&account), *id)) {
                            self.store.remove(&account, *id);
                        }
                    }
                }
            }
        }
        for (spec, scope) in added_faults {
            self.faults.add(spec, Origin::Fixture, scope);
        }
        Ok(summary)
    }

    /// Back to the loaded fixtures: every account, or one.
    pub fn reset(&self, account: Option<&str>) {
        let registry = self.registry();
        let now = self.clock.now();
        self.store.clear(account);
        for ((owner, id), seed) in &registry.owned {
            if account.is_none_or(|a| **owner == *a) {
                self.store
                    .put(owner, *id, self.new_task(owner, *id, seed, now));
            }
        }
        let in_scope = |scope: &Option<Arc<str>>| match account {
            None => true,
            Some(a) => scope.as_deref() == Some(a),
        };
        self.faults.remove_where(|rule| in_scope(&rule.account_id));
        for (spec, scope) in registry.faults.iter().filter(|(_, scope)| in_scope(scope)) {
            self.faults
                .add(spec.clone(), Origin::Fixture, scope.clone());
        }
        self.journal.clear(account);
        if account.is_none() {
            self.nonces.clear();
        }
    }

    /// A fresh task from a seed, its failure rate drawn from the seed of the run.
    pub fn new_task(&self, account: &str, task_id: i64, seed: &TaskSeed, now: Millis) -> Task {
        let draw = rng::unit(rng::hash(
            self.settings.seed,
            &[account.as_bytes(), &task_id.to_le_bytes()],
        ));
        Task::new(
            Arc::clone(&seed.target_info),
            seed.schedule,
            seed.pinned,
            now,
            draw,
        )
    }

    /// The task an unknown id turns into under `--unknown-tasks create`.
    pub fn default_task(
        &self,
        registry: &Registry,
        account: &str,
        task_id: i64,
        now: Millis,
    ) -> Task {
        let seed = TaskSeed {
            target_info: placeholder_marker(),
            schedule: registry.default_schedule,
            pinned: None,
        };
        self.new_task(account, task_id, &seed, now)
    }

    /// The account named by `accountId` or `accessKeyId` (an unknown key's own account); `None`
    /// when neither is given.
    pub fn account_of(
        &self,
        account_id: Option<&str>,
        access_key_id: Option<&str>,
    ) -> Result<Option<Arc<str>>, String> {
        for (field, value) in [("accountId", account_id), ("accessKeyId", access_key_id)] {
            if value.is_some_and(|v| v.trim().is_empty()) {
                return Err(format!("{field} must not be empty"));
            }
        }
        match (account_id, access_key_id) {
            (Some(_), Some(_)) => Err("give accountId or accessKeyId, not both".to_owned()),
            (Some(a), None) => Ok(Some(Arc::from(a))),
            (None, Some(k)) => Ok(Some(self.registry().caller(Some(k)).account)),
            (None, None) => Ok(None),
        }
    }

    /// Creates (or, for an existing id, replaces) a task; returns it as the admin API shows it.
    pub fn create_task(&self, spec: &NewTask) -> Result<TaskView, String> {
        let registry = self.registry();
        let account = self
            .account_of(spec.account_id.as_deref(), spec.access_key_id.as_deref())?
            .unwrap_or_else(|| Arc::clone(&registry.default_account));
        let now = self.clock.now();
        let seed = registry
            .make_seed(
                spec.task_id.unwrap_or(0),
                spec.target_info.as_ref(),
                spec.schedule,
                spec.progress,
            )
            .map_err(|msg| format!("targetInfo: {msg}"))?;
        let id = match spec.task_id {
            Some(id) => {
                self.store
                    .put(&account, id, self.new_task(&account, id, &seed, now));
                id
            }
            None => self.start_task(&registry, &account, &seed, now),
        };
        self.store
            .observe(&account, id, now, false, || None)
            .ok_or_else(|| format!("task {id} vanished while being created"))
    }

    /// Validates and adds a fault rule at runtime.
    pub fn add_fault(&self, spec: FaultSpec) -> Result<Arc<FaultRule>, String> {
        spec.validate(actions::is_known)
            .map_err(|(field, msg)| format!("{field}: {msg}"))?;
        let scope = self
            .registry()
            .fault_scope(&spec.matcher)
            .map_err(|msg| format!("match: {msg}"))?;
        Ok(self.faults.add(spec, Origin::Admin, scope))
    }

    /// Creates a task under a new id (unique in the account, reproducible under the seed).
    pub fn start_task(
        &self,
        registry: &Registry,
        account: &Arc<str>,
        seed: &TaskSeed,
        now: Millis,
    ) -> i64 {
        loop {
            let id = self.next_task_id.fetch_add(1, Ordering::Relaxed);
            if registry.seed_for(account, id).is_none()
                && self
                    .store
                    .insert_new(account, id, self.new_task(account, id, seed, now))
            {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::parse_document;

    fn doc(key: &str) -> FixtureDoc {
        let text = format!(
            r#"{{"accounts": [{{"accessKeyId": "{key}", "accessKeySecret": "s", "accountId": "1"}}]}}"#
        );
        parse_document("test.json", &text).expect("a valid document")
    }

    #[test]
    fn a_request_sees_the_registry_as_of_the_last_fixture_load() {
        let state =
            AppState::new(Settings::default(), &[("a".into(), doc("first"))]).expect("state");
        let other =
            AppState::new(Settings::default(), &[("b".into(), doc("elsewhere"))]).expect("state");
        assert!(state.registry_here().keys.contains_key("first"));
        assert!(
            other.registry_here().keys.contains_key("elsewhere"),
            "each state has its own registry on the same thread"
        );
        state.load_fixture("c", &doc("second")).expect("loads");
        let here = state.registry_here();
        assert!(here.keys.contains_key("first") && here.keys.contains_key("second"));
        assert!(!here.keys.contains_key("elsewhere"));
    }
}
