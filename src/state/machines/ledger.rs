//! One account's record of its scans and their alerts: the older scans still to be settled, the
//! latest older scan, the newer root tasks, the alerts, and the handling operations.
//!
//! Ids are reproducible under the run's seed: each account counts its alerts and handling
//! operations up from a base drawn from the seed and the account, and names its root tasks and
//! subtasks by hashes of the seed, the account and a count.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::alert::{Alert, Handling, Recurrence, Status};
use crate::model::clock::Millis;
use crate::model::machine::Machine;
use crate::model::rng;
use crate::model::root_task::{RootTask, SubTask};
use crate::model::schedule::Progress;
use crate::model::task::{Task, TaskSeed};
use crate::state::task_map::TaskMap;

/// The latest older scan (`StartVirusScanTask`), for `DescribeLatestScanTask`.
#[derive(Debug, Clone)]
pub struct LatestScan {
    pub task_id: i64,
    pub started: Millis,
    pub target_info: Arc<str>,
    /// The machines it covers, and the uuids it names that the account does not have.
    pub uuids: Vec<Arc<str>>,
    /// How many alerts it raised or refreshed (0 until it is settled).
    pub risks: usize,
}

/// An older scan whose machines have findings, waiting for its task to finish.
#[derive(Debug, Clone)]
struct PendingScan {
    task_id: i64,
    machines: Vec<Arc<Machine>>,
}

/// A finished scan whose findings are to be collected.
#[derive(Debug)]
enum Ready {
    Older(PendingScan),
    /// A root task's subtask, by position.
    Newer(usize, usize),
}

/// Below this many pending scans, a scan start never settles them.
const FEW_PENDING: usize = 64;

#[derive(Debug)]
pub struct Ledger {
    alerts: Vec<Alert>,
    next_alert: i64,
    next_operation: i64,
    pending: Vec<PendingScan>,
    latest: Option<LatestScan>,
    roots: Vec<RootTask>,
    /// `ClientToken` → the root task it created.
    tokens: HashMap<String, String>,
    scans_started: usize,
    /// How many pending scans make a scan start settle them first (see [`Ledger::crowded`]).
    settle_at: usize,
    seed: u64,
    account: Arc<str>,
}

impl Ledger {
    pub fn new(run_seed: u64, account: &Arc<str>) -> Self {
        let draw = |what: &str| rng::hash(run_seed, &[what.as_bytes(), account.as_bytes()]);
        Ledger {
            alerts: Vec::new(),
            next_alert: 1_000_000 + (draw("alerts") % 8_000_000) as i64,
            next_operation: 10_000_000 + (draw("operations") % 80_000_000) as i64,
            pending: Vec::new(),
            latest: None,
            roots: Vec::new(),
            tokens: HashMap::new(),
            scans_started: 0,
            settle_at: FEW_PENDING,
            seed: run_seed,
            account: Arc::clone(account),
        }
    }

    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    pub fn latest_scan(&self) -> Option<&LatestScan> {
        self.latest.as_ref()
    }

    pub fn roots(&self) -> &[RootTask] {
        &self.roots
    }

    /// The newer scans, oldest first, to observe.
    pub fn roots_mut(&mut self) -> &mut [RootTask] {
        &mut self.roots
    }

    /// How many scans the account started, older and newer.
    pub fn scans_started(&self) -> usize {
        self.scans_started
    }

    /// Records an older scan started as task `task_id` over `covered` (and `unknown` uuids).
    pub fn start_scan(
        &mut self,
        task_id: i64,
        target_info: Arc<str>,
        covered: Vec<Arc<Machine>>,
        unknown: Vec<Arc<str>>,
        now: Millis,
    ) {
        self.scans_started += 1;
        let uuids = (covered.iter().map(|m| Arc::clone(&m.uuid)))
            .chain(unknown)
            .collect();
        self.latest = Some(LatestScan {
            task_id,
            started: now,
            target_info,
            uuids,
            risks: 0,
        });
        // A scan of clean machines can raise nothing: only the latest's summary is kept.
        if covered.iter().any(|m| !m.findings.is_empty()) {
            let machines = covered;
            self.pending.push(PendingScan { task_id, machines });
        }
    }

    /// Creates a newer scan over `machines` (one subtask each); returns the root task's id. A
    /// `ClientToken` seen before returns the task it created.
    pub fn create_root(
        &mut self,
        machines: Vec<Arc<Machine>>,
        seed: &Arc<TaskSeed>,
        scan: (String, Vec<String>),
        token: Option<&str>,
        now: Millis,
    ) -> String {
        if let Some(id) = token.and_then(|t| self.tokens.get(t)) {
            return id.clone();
        }
        self.scans_started += 1;
        let id = self.hex_id(&[b"root", &self.roots.len().to_le_bytes()]);
        let subtasks = (machines.into_iter())
            .map(|machine| self.new_subtask(&id, machine, seed, now))
            .collect();
        let (scan_type, scan_path) = scan;
        self.roots.push(RootTask {
            id: id.clone(),
            created_at: now,
            scan_type,
            scan_path,
            subtasks,
        });
        if let Some(token) = token {
            self.tokens.insert(token.to_owned(), id.clone());
        }
        id
    }

    fn new_subtask(
        &self,
        root: &str,
        machine: Arc<Machine>,
        seed: &Arc<TaskSeed>,
        now: Millis,
    ) -> SubTask {
        let id = self.hex_id(&[root.as_bytes(), machine.uuid.as_bytes()]);
        let draw = rng::unit(rng::hash(self.seed, &[b"draw", id.as_bytes()]));
        SubTask {
            task: Task::new(Arc::clone(seed), now, draw),
            id,
            machine,
            alerts: None,
        }
    }

    /// 32 hex digits from the seed, the account and `parts`.
    fn hex_id(&self, parts: &[&[u8]]) -> String {
        let mut all: Vec<&[u8]> = vec![self.account.as_bytes()];
        all.extend_from_slice(parts);
        let high = rng::hash(self.seed, &all);
        let low = rng::mix(high ^ self.seed);
        format!("{high:016x}{low:016x}")
    }

    /// Settles every scan that has finished by `now`: a successful one turns its machines'
    /// findings into alerts, stamped with the instant it finished; a failed one (or one whose task
    /// was deleted) raises none. Scans are taken in the order they finished (older before newer
    /// at the same instant, then in the order they were started).
    pub fn settle(&mut self, account: &Arc<str>, tasks: &TaskMap, now: Millis) {
        let mut ready: Vec<(Millis, Ready)> = Vec::new();
        for scan in std::mem::take(&mut self.pending) {
            match tasks.ended(account, scan.task_id, now) {
                Some((Progress::Success, Some(at))) => ready.push((at, Ready::Older(scan))),
                Some((Progress::Init | Progress::Processing, _)) => self.pending.push(scan),
                _ => {}
            }
        }
        for (r, root) in self.roots.iter_mut().enumerate() {
            for (s, sub) in root.subtasks.iter_mut().enumerate() {
                if sub.alerts.is_some() {
                    continue;
                }
                match (sub.observe(now, false), sub.task.ended_at()) {
                    (Progress::Success, Some(at)) => ready.push((at, Ready::Newer(r, s))),
                    (Progress::Failed, _) => sub.alerts = Some(Vec::new()),
                    _ => {}
                }
            }
        }
        ready.sort_by_key(|(at, _)| *at);
        for (at, source) in ready {
            self.collect_from(source, at);
        }
        self.settle_at = (2 * self.pending.len()).max(FEW_PENDING);
    }

    /// Whether the scans waiting to be settled have doubled since they last were: when nothing
    /// reads alerts (a load test starting scan after scan), a start settles them then, so they
    /// stay about as many as are still running, at a cost that is constant per scan on average.
    pub fn crowded(&self) -> bool {
        self.pending.len() >= self.settle_at
    }

    fn collect_from(&mut self, source: Ready, at: Millis) {
        match source {
            Ready::Older(scan) => {
                let touched = self.collect(&scan.machines, at);
                if let Some(latest) = self.latest.as_mut().filter(|l| l.task_id == scan.task_id) {
                    latest.risks = touched.len();
                }
            }
            Ready::Newer(r, s) => {
                let Some(machine) = self.subtask_at(r, s).map(|sub| Arc::clone(&sub.machine))
                else {
                    return;
                };
                let touched = self.collect(std::slice::from_ref(&machine), at);
                if let Some(sub) = self.subtask_at(r, s) {
                    sub.alerts = Some(touched);
                }
            }
        }
    }

    fn subtask_at(&mut self, root: usize, sub: usize) -> Option<&mut SubTask> {
        self.roots.get_mut(root)?.subtasks.get_mut(sub)
    }

    /// Turns the machines' findings into alerts at `at`; returns the alerts raised or refreshed.
    fn collect(&mut self, machines: &[Arc<Machine>], at: Millis) -> Vec<i64> {
        let mut touched = Vec::new();
        for machine in machines {
            for finding in &machine.findings {
                let previous = (self.alerts.iter_mut().rev())
                    .find(|alert| alert.is_about(&machine.uuid, finding));
                match previous.map(|alert| (alert.recurrence(), alert)) {
                    Some((Recurrence::Suppress, _)) => {}
                    Some((Recurrence::Refresh, alert)) => {
                        alert.refresh(at);
                        alert.machine = Arc::clone(machine);
                        touched.push(alert.id);
                    }
                    Some((Recurrence::Raise, _)) | None => {
                        let id = self.next_alert;
                        self.next_alert += 1;
                        let alert = Alert::new(id, Arc::clone(machine), finding.clone(), at);
                        self.alerts.push(alert);
                        touched.push(id);
                    }
                }
            }
        }
        touched
    }

    /// Handles the alerts with these ids as `code` says (`status`: what it leaves them in);
    /// returns the operation's task id. Ids the account does not have are left out.
    pub fn handle(&mut self, ids: &[i64], status: Option<Status>, code: &str, now: Millis) -> i64 {
        let task_id = self.next_operation;
        self.next_operation += 1;
        for alert in self.alerts.iter_mut().filter(|a| ids.contains(&a.id)) {
            let handling = Handling {
                at: now,
                code: code.to_owned(),
                task_id,
            };
            alert.handle(status, handling);
        }
        task_id
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
