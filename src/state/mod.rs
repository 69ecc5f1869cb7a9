//! Everything a running mock holds, one small store per kind, each scoped by account:
//!
//! | store | holds |
//! |---|---|
//! | [`accounts`] | access keys, callers, and which account owns what |
//! | [`tasks`] | scan tasks: fixture seeds ([`task_seeds`]) and live tasks ([`task_map`]) |
//! | [`faults`] | fault rules in force, and those the fixtures define |
//! | [`stubs`] | fixed answers for catalogued actions |
//! | [`limits`] | flow control: token buckets on the mock's clock |
//! | [`machines`] | machines, and each account's scans and alerts ([`machines::ledger`]) |
//! | [`rules`] | what faults, stubs and limits share: ids, origins, reset |
//! | [`nonces`] | signature nonces seen in the last 15 minutes |
//! | [`journal`] | the last requests answered |
//!
//! [`AppState`] ties them to the settings, the clock and the seeded id streams, and does what
//! touches several stores: loading a fixture document (all or nothing) and resetting.

pub mod accounts;
pub mod faults;
pub mod journal;
pub mod limits;
pub mod machines;
pub mod nonces;
pub mod rules;
pub mod stubs;
pub mod task_map;
pub mod task_seeds;
pub mod tasks;

use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use crate::fixtures::{FaultSpec, FixtureDoc, FixtureError, LimitSpec, StubSpec};
use crate::model::clock::Clock;
use crate::model::rng::Sequence;
use crate::protocol::catalog;
use crate::settings::Settings;
use accounts::{Accounts, UnknownKey};
use faults::{FaultRule, Faults};
use journal::Journal;
use limits::{Limit, Limits};
use machines::Machines;
use nonces::NonceStore;
use stubs::{Stub, Stubs};
use task_map::TaskView;
use tasks::{NewTask, Tasks};

/// Shared server state; every part is safe to use from any request.
#[derive(Debug)]
pub struct AppState {
    pub settings: Settings,
    pub clock: Clock,
    pub accounts: Accounts,
    pub tasks: Tasks,
    pub faults: Faults,
    pub stubs: Stubs,
    pub limits: Limits,
    pub machines: Machines,
    pub nonces: NonceStore,
    pub journal: Journal,
    /// Request ids of RPC answers, reproducible under the seed.
    pub request_ids: Sequence,
    /// Request ids of admin answers: a stream of their own, so admin calls never shift RPC ids.
    pub admin_ids: Sequence,
    /// One fixture load at a time.
    loading: Mutex<()>,
}

/// What a loaded document defined, for messages and the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub accounts: usize,
    pub tasks: usize,
    pub faults: usize,
    pub stubs: usize,
    pub limits: usize,
    pub machines: usize,
}

impl AppState {
    /// A state with the given fixture documents loaded, in order.
    pub fn new(settings: Settings, docs: &[(String, FixtureDoc)]) -> Result<Self, FixtureError> {
        // Parsed now, at startup, rather than by the first request that names an action.
        let _actions = catalog::len();
        let state = AppState {
            clock: Clock::new(settings.clock),
            accounts: Accounts::default(),
            tasks: Tasks::new(settings.seed, settings.max_tasks),
            faults: Faults::new(settings.seed),
            stubs: Stubs::default(),
            limits: Limits::default(),
            machines: Machines::new(settings.seed),
            nonces: NonceStore::new(settings.nonce_capacity, settings.seed),
            journal: Journal::new(settings.journal_size),
            request_ids: Sequence::new(settings.seed, 1),
            admin_ids: Sequence::new(settings.seed, 2),
            loading: Mutex::new(()),
            settings,
        };
        for (source, doc) in docs {
            state.load_fixture(source, doc)?;
        }
        Ok(state)
    }

    /// Loads one more document: its keys are added, its tasks replace tasks with the same id (a
    /// shared task in every account), its faults are added. Nothing changes if it has an error.
    pub fn load_fixture(&self, source: &str, doc: &FixtureDoc) -> Result<Summary, FixtureError> {
        let _one_at_a_time = self.loading.lock().unwrap_or_else(PoisonError::into_inner);
        let keys = self.accounts.keys().merged(source, doc)?;
        let (seeds, touched) = self.tasks.seeds().merged(source, doc, &keys)?;
        let faults = self.faults.stage(source, doc, &keys)?;
        let stubs = self.stubs.stage(source, doc, &keys)?;
        let limits = self.limits.stage(source, doc, &keys)?;
        let machines = self.machines.stage(source, doc, &keys)?;
        self.accounts.install(keys);
        self.tasks.install(seeds, &touched, self.clock.now());
        self.faults.rules.install(faults);
        self.stubs.rules.install(stubs);
        self.limits.rules.install(limits);
        self.machines.rules.install(machines);
        Ok(Summary {
            accounts: doc.accounts.len(),
            tasks: doc.tasks.len(),
            faults: doc.faults.len(),
            stubs: doc.stubs.len(),
            limits: doc.limits.len(),
            machines: doc.machines.len(),
        })
    }

    /// Back to the loaded fixtures, for every account or one: tasks, poll counts, fault rules and
    /// their counters, machines (no scans, no alerts), the journal (and, for all, the nonces). The
    /// clock is left alone.
    pub fn reset(&self, account: Option<&str>) {
        self.tasks.reset(account, self.clock.now());
        self.machines.reset(account);
        self.faults.rules.reset(account);
        self.stubs.rules.reset(account);
        self.limits.rules.reset(account);
        self.journal.clear(account);
        if account.is_none() {
            self.nonces.clear();
        }
    }

    /// Creates (or, for an existing id, replaces) a task; returns it as the admin API shows it.
    /// Without an owner it is shared, like a fixture task: every account gets its own copy.
    pub fn create_task(&self, spec: &NewTask) -> Result<TaskView, String> {
        let owner = (self.accounts.keys())
            .owner(
                spec.access_key_id.as_deref(),
                spec.account_id.as_deref(),
                UnknownKey::OwnAccount,
            )
            .map_err(|(field, msg)| format!("{field}: {msg}"))?;
        let now = self.clock.now();
        match owner {
            Some(account) => self.tasks.create(&account, spec, now),
            None => Ok(self.tasks.create_shared(spec, now)),
        }
    }

    /// Validates and adds a fault rule at runtime.
    pub fn add_fault(&self, spec: FaultSpec) -> Result<Arc<FaultRule>, String> {
        self.faults.add(spec, &self.accounts.keys())
    }

    /// Validates and adds a flow-control limit at runtime.
    pub fn add_limit(&self, spec: LimitSpec) -> Result<Arc<Limit>, String> {
        self.limits.add(spec, &self.accounts.keys())
    }

    /// Validates and adds a stub at runtime.
    pub fn add_stub(&self, spec: StubSpec) -> Result<Arc<Stub>, String> {
        self.stubs.add(spec, &self.accounts.keys())
    }
}
