//! The newer scan (`CreateVirusScanOnceTask`): a root task with one subtask per machine, each a
//! [`Task`] on the same schedule engine as the older tasks, and how their states roll up into the
//! numbers the newer operations show.
//!
//! The vendor leaves the mappings open; the mock's: a root is `Status` 0 while every subtask is in
//! `init`, 100 once every one is final, 10 in between; a task in a list is 1 (running) in `init`
//! and `Processing`, 2 after `Success`, 3 after `Failed` (a root: 3 only when every subtask
//! failed); 4 (timed out) never happens.

use std::sync::Arc;

use super::clock::Millis;
use super::machine::Machine;
use super::schedule::Progress;
use super::task::Task;

#[derive(Debug, Clone)]
pub struct SubTask {
    /// 32 hex digits.
    pub id: String,
    pub machine: Arc<Machine>,
    pub task: Task,
    /// The alerts this machine's scan raised or refreshed, once its findings were collected.
    pub alerts: Option<Vec<i64>>,
}

#[derive(Debug, Clone)]
pub struct RootTask {
    /// 32 hex digits.
    pub id: String,
    pub created_at: Millis,
    pub scan_type: String,
    pub scan_path: Vec<String>,
    pub subtasks: Vec<SubTask>,
}

impl SubTask {
    /// Its state at `now`, as of its last observation; a `poll` counts towards poll phases.
    pub fn observe(&mut self, now: Millis, poll: bool) -> Progress {
        self.task.observe(now, poll)
    }
}

impl RootTask {
    /// Every subtask's state at `now` (each polled once when `poll`).
    pub fn observe(&mut self, now: Millis, poll: bool) -> Vec<Progress> {
        (self.subtasks.iter_mut())
            .map(|sub| sub.observe(now, poll))
            .collect()
    }

    /// The mean of the subtasks' percentages (100 for a root without machines).
    pub fn percent(&self, now: Millis) -> u8 {
        let count = self.subtasks.len();
        if count == 0 {
            return 100;
        }
        let sum: usize = (self.subtasks.iter())
            .map(|sub| usize::from(sub.task.percent(now)))
            .sum();
        u8::try_from(sum / count).unwrap_or(100)
    }

    /// When the last subtask ended, once all have.
    pub fn ended_at(&self) -> Option<Millis> {
        (self.subtasks.iter()).try_fold(self.created_at, |last, sub| {
            sub.task.ended_at().map(|at| last.max(at))
        })
    }

    /// The alerts of every subtask collected so far.
    pub fn alerts(&self) -> impl Iterator<Item = i64> + '_ {
        (self.subtasks.iter()).flat_map(|sub| sub.alerts.iter().flatten().copied())
    }
}

/// A root's `Status` (GetVirusScanLatestTaskStatistic): 0 pending, 10 running, 100 done.
pub fn root_status(states: &[Progress]) -> i64 {
    if states.iter().all(|p| p.is_final()) {
        100
    } else if states.iter().all(|p| *p == Progress::Init) {
        0
    } else {
        10
    }
}

/// A task's `Status` in ListVirusScanTask, from its subtasks' states (one, for a subtask).
pub fn list_status(states: &[Progress]) -> i64 {
    if !states.iter().all(|p| p.is_final()) {
        1
    } else if !states.is_empty() && states.iter().all(|p| *p == Progress::Failed) {
        3
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schedule::{Outcome, Phase, Schedule};
    use crate::model::task::TaskSeed;
    use Progress::*;

    fn root(outcomes: &[Outcome]) -> RootTask {
        let machine = Arc::new(crate::model::machine::bare("u", Vec::new()));
        let subtasks = (outcomes.iter())
            .map(|outcome| {
                let schedule = Schedule {
                    init: Phase::Time(1_000),
                    processing: Phase::Time(4_000),
                    outcome: *outcome,
                };
                SubTask {
                    id: String::new(),
                    machine: Arc::clone(&machine),
                    task: Task::new(TaskSeed::new("", schedule, None), 0, 0.5),
                    alerts: None,
                }
            })
            .collect();
        RootTask {
            id: String::new(),
            created_at: 0,
            scan_type: "system".to_owned(),
            scan_path: Vec::new(),
            subtasks,
        }
    }

    #[test]
    fn a_root_goes_0_10_100_and_its_progress_follows_the_schedule() {
        let mut r = root(&[Outcome::Success, Outcome::Failed]);
        let seen: Vec<_> = [0, 1_000, 3_000, 5_000]
            .into_iter()
            .map(|now| {
                let states = r.observe(now, false);
                (
                    root_status(&states),
                    r.percent(now),
                    list_status(&states),
                    r.ended_at(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (0, 0, 1, None),
                (10, 1, 1, None),
                (10, 50, 1, None),
                (100, 100, 2, Some(5_000))
            ]
        );
    }

    #[test]
    fn list_statuses_are_running_done_or_failed() {
        for (states, status) in [
            (&[Init][..], 1),
            (&[Processing], 1),
            (&[Success], 2),
            (&[Failed], 3),
            (&[Failed, Success], 2),
            (&[Failed, Processing], 1),
            (&[], 2),
        ] {
            assert_eq!(list_status(states), status, "{states:?}");
        }
        assert_eq!(root_status(&[]), 100);
        assert_eq!(root(&[]).percent(0), 100);
    }
}
