//! A scan task and the rule that turns (schedule, clock, polls) into its progress.
//!
//! Nothing runs in the background: whenever a task is read, [`Task::observe`] moves it through every
//! phase that has ended by `now`. A phase measured in time ends at an exact instant (its start plus
//! its length), so observation times never shift a schedule; a phase measured in polls ends at the
//! poll that completed it. The current phase is stored, so setting the clock backwards can never
//! make a task regress.

use std::sync::Arc;

use super::clock::Millis;
use super::schedule::{Phase, Progress, Schedule};

/// How a task starts: what it scans, its schedule, a pinned progress. Every task made from a seed
/// shares it, and seeds share their schedule (a million fixture tasks on the default schedule keep
/// one schedule, not a million).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSeed {
    /// `TargetInfo` exactly as the API returns it: a JSON array serialised as a string, or empty
    /// for a task nobody described (shown as the placeholder for its id; see
    /// `target::shown_target_info`).
    pub target_info: Box<str>,
    pub schedule: Arc<Schedule>,
    /// A fixed progress that never changes, if the task is pinned.
    pub pinned: Option<Progress>,
}

impl TaskSeed {
    /// A seed of its own (no schedule shared).
    pub fn new(target_info: &str, schedule: Schedule, pinned: Option<Progress>) -> Arc<TaskSeed> {
        Arc::new(TaskSeed {
            target_info: target_info.into(),
            schedule: Arc::new(schedule),
            pinned,
        })
    }
}

/// One scan task as the store keeps it: 56 bytes besides its seed, for a million of them fit in
/// the memory budget (polls and intervals in 32 bits, "not yet" told by the poll count rather than
/// by `Option`s).
#[derive(Debug, Clone)]
pub struct Task {
    pub seed: Arc<TaskSeed>,
    pub created_at: Millis,
    phase_start: Millis,
    first_poll: Millis,
    last_poll: Millis,
    /// How many times `DescribeScanTaskProgress` has asked for this task.
    polls: u32,
    phase_polls: u32,
    /// The shortest time between two consecutive polls (milliseconds, at most `u32::MAX`).
    shortest_interval: u32,
    /// The resolved end state (a failure rate is drawn once, at creation).
    pub outcome: Progress,
    phase: Progress,
}

impl Task {
    /// A new task starting in `init` at `created_at`. `draw` in `[0, 1)` resolves a failure rate.
    pub fn new(seed: Arc<TaskSeed>, created_at: Millis, draw: f64) -> Self {
        Task {
            outcome: seed.schedule.outcome.resolve(draw),
            seed,
            created_at,
            phase_start: created_at,
            first_poll: created_at,
            last_poll: created_at,
            polls: 0,
            phase_polls: 0,
            shortest_interval: u32::MAX,
            phase: Progress::Init,
        }
    }

    pub fn polls(&self) -> u64 {
        u64::from(self.polls)
    }

    /// When it was first polled, if it was.
    pub fn first_poll(&self) -> Option<Millis> {
        (self.polls > 0).then_some(self.first_poll)
    }

    /// When it was last polled, if it was.
    pub fn last_poll(&self) -> Option<Millis> {
        (self.polls > 0).then_some(self.last_poll)
    }

    /// The shortest time between two consecutive polls, once there have been two: how the
    /// client's polling loop behaved, for tests to assert on.
    pub fn shortest_interval(&self) -> Option<u64> {
        (self.polls > 1).then_some(u64::from(self.shortest_interval))
    }

    /// The progress at `now`; a `poll` counts towards poll-measured phases.
    pub fn observe(&mut self, now: Millis, poll: bool) -> Progress {
        self.advance(now);
        if poll {
            if self.polls == 0 {
                self.first_poll = now;
            } else {
                let interval = now.saturating_sub(self.last_poll).unsigned_abs();
                let interval = u32::try_from(interval).unwrap_or(u32::MAX);
                self.shortest_interval = self.shortest_interval.min(interval);
            }
            self.polls = self.polls.saturating_add(1);
            self.phase_polls = self.phase_polls.saturating_add(1);
            self.last_poll = now;
        }
        self.seed.pinned.unwrap_or(self.phase)
    }

    /// When the task reached its final state, once it has (a pinned final task: when it was
    /// made). As of its last observation.
    pub fn ended_at(&self) -> Option<Millis> {
        match self.seed.pinned {
            Some(pinned) => pinned.is_final().then_some(self.created_at),
            None => self.phase.is_final().then_some(self.phase_start),
        }
    }

    /// How far through its schedule the task is, in percent, as of its last observation (at
    /// `now`): 0 in `init`, 100 once final, and in `Processing` the part of that phase gone by,
    /// in time or in polls, kept within 1..=99 (50 for a task pinned there).
    pub fn percent(&self, now: Millis) -> u8 {
        match (self.seed.pinned, self.phase) {
            (Some(Progress::Init), _) | (None, Progress::Init) => 0,
            (Some(Progress::Processing), _) => 50,
            (Some(_), _) | (None, Progress::Success | Progress::Failed) => 100,
            (None, Progress::Processing) => {
                let done = match self.seed.schedule.processing {
                    Phase::Time(length) => (now - self.phase_start) as f64 / length.max(1) as f64,
                    Phase::Polls(n) => self.phase_polls as f64 / n.max(1) as f64,
                };
                (done * 100.0).clamp(1.0, 99.0) as u8
            }
        }
    }

    fn advance(&mut self, now: Millis) {
        while let Some(length) = self.current_phase_length() {
            let ended_at = match length {
                Phase::Time(millis) => {
                    let end = self.phase_start.saturating_add(millis as Millis);
                    (now >= end).then_some(end)
                }
                Phase::Polls(0) => Some(self.phase_start),
                Phase::Polls(n) => (u64::from(self.phase_polls) >= n).then_some(self.last_poll),
            };
            let Some(ended_at) = ended_at else { return };
            self.phase = match self.phase {
                Progress::Init => Progress::Processing,
                _ => self.outcome,
            };
            self.phase_start = ended_at;
            self.phase_polls = 0;
        }
    }

    fn current_phase_length(&self) -> Option<Phase> {
        match self.phase {
            Progress::Init => Some(self.seed.schedule.init),
            Progress::Processing => Some(self.seed.schedule.processing),
            Progress::Success | Progress::Failed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schedule::Outcome;

    pub fn seed(schedule: Schedule, pinned: Option<Progress>) -> Arc<TaskSeed> {
        TaskSeed::new("[]", schedule, pinned)
    }

    fn task(init: Phase, processing: Phase, outcome: Outcome) -> Task {
        let schedule = Schedule {
            init,
            processing,
            outcome,
        };
        Task::new(seed(schedule, None), 1_000, 0.5)
    }

    #[test]
    fn time_phases_end_at_exact_instants_whenever_they_are_observed() {
        let mut t = task(Phase::Time(1_000), Phase::Time(5_000), Outcome::Success);
        let seen: Vec<_> = [1_000, 1_999, 2_000, 6_999, 7_000, 99_000]
            .into_iter()
            .map(|now| t.observe(now, true))
            .collect();
        use Progress::*;
        assert_eq!(seen, [Init, Init, Processing, Processing, Success, Success]);
    }

    #[test]
    fn poll_phases_last_exactly_that_many_polls() {
        let mut t = task(Phase::Polls(1), Phase::Polls(3), Outcome::Failed);
        let seen: Vec<_> = (0..6).map(|_| t.observe(1_000, true)).collect();
        use Progress::*;
        assert_eq!(
            seen,
            [Init, Processing, Processing, Processing, Failed, Failed]
        );
        assert_eq!(t.polls(), 6);
    }

    #[test]
    fn reads_that_are_not_polls_do_not_use_up_poll_phases() {
        let mut t = task(Phase::Polls(1), Phase::Polls(1), Outcome::Success);
        for _ in 0..5 {
            assert_eq!(t.observe(1_000, false), Progress::Init);
        }
        assert_eq!(t.observe(1_000, true), Progress::Init);
        assert_eq!(t.observe(1_000, true), Progress::Processing);
        assert_eq!(t.observe(1_000, true), Progress::Success);
    }

    #[test]
    fn a_time_phase_after_a_poll_phase_starts_at_the_completing_poll() {
        let mut t = task(Phase::Polls(1), Phase::Time(2_000), Outcome::Success);
        assert_eq!(t.observe(5_000, true), Progress::Init);
        assert_eq!(t.observe(6_000, true), Progress::Processing);
        assert_eq!(t.observe(6_999, true), Progress::Processing);
        assert_eq!(t.observe(7_000, true), Progress::Success);
    }

    #[test]
    fn a_poll_phase_after_a_time_phase_counts_polls_from_its_start() {
        let mut t = task(Phase::Time(1_000), Phase::Polls(2), Outcome::Success);
        assert_eq!(t.observe(1_500, true), Progress::Init);
        assert_eq!(t.observe(2_000, true), Progress::Processing);
        assert_eq!(t.observe(2_000, true), Progress::Processing);
        assert_eq!(t.observe(2_000, true), Progress::Success);
    }

    #[test]
    fn zero_length_phases_are_skipped() {
        let mut t = task(Phase::Polls(0), Phase::Time(0), Outcome::Failed);
        assert_eq!(t.observe(1_000, true), Progress::Failed);
    }

    #[test]
    fn moving_the_clock_backwards_never_makes_a_task_regress() {
        let mut t = task(Phase::Time(1_000), Phase::Time(1_000), Outcome::Success);
        assert_eq!(t.observe(2_500, true), Progress::Processing);
        assert_eq!(t.observe(0, true), Progress::Processing);
        assert_eq!(t.observe(3_000, true), Progress::Success);
        assert_eq!(t.observe(-5_000, true), Progress::Success);
    }

    #[test]
    fn a_task_knows_how_far_it_is_and_when_it_ended() {
        let mut t = task(Phase::Time(1_000), Phase::Time(4_000), Outcome::Success);
        let seen: Vec<_> = [1_000, 2_000, 3_000, 5_999, 6_000, 9_000]
            .into_iter()
            .map(|now| {
                t.observe(now, false);
                (t.percent(now), t.ended_at())
            })
            .collect();
        assert_eq!(
            seen,
            [
                (0, None),
                (1, None),
                (25, None),
                (99, None),
                (100, Some(6_000)),
                (100, Some(6_000))
            ]
        );
        let mut polled = task(Phase::Polls(0), Phase::Polls(4), Outcome::Failed);
        polled.observe(7_000, true);
        assert_eq!(polled.percent(7_000), 25);
        for _ in 0..4 {
            polled.observe(8_000, true);
        }
        assert_eq!(
            (polled.percent(8_000), polled.ended_at()),
            (100, Some(8_000))
        );
    }

    #[test]
    fn a_pinned_task_is_half_way_while_processing_and_ended_when_made() {
        let pinned = |progress| {
            Task::new(
                TaskSeed::new("[]", Schedule::default(), Some(progress)),
                500,
                0.0,
            )
        };
        assert_eq!(pinned(Progress::Processing).percent(9_000), 50);
        assert_eq!(pinned(Progress::Init).ended_at(), None);
        assert_eq!(pinned(Progress::Failed).ended_at(), Some(500));
    }

    #[test]
    fn a_pinned_task_never_moves() {
        let schedule = Schedule {
            init: Phase::Polls(0),
            processing: Phase::Polls(0),
            outcome: Outcome::Success,
        };
        let mut t = Task::new(seed(schedule, Some(Progress::Processing)), 0, 0.0);
        for now in [0, 10_000, 1_000_000] {
            assert_eq!(t.observe(now, true), Progress::Processing);
        }
        assert_eq!(t.polls(), 3);
    }

    #[test]
    fn a_task_stays_small_and_reports_its_polling_once_it_has_polls() {
        assert!(
            std::mem::size_of::<Task>() <= 56,
            "{}",
            std::mem::size_of::<Task>()
        );
        let mut t = task(Phase::Polls(5), Phase::Polls(5), Outcome::Success);
        assert_eq!(
            (t.first_poll(), t.last_poll(), t.shortest_interval()),
            (None, None, None)
        );
        t.observe(2_000, true);
        assert_eq!((t.first_poll(), t.shortest_interval()), (Some(2_000), None));
        t.observe(2_500, true);
        t.observe(2_600, true);
        t.observe(9_000_000_000_000, true);
        assert_eq!(
            (t.last_poll(), t.shortest_interval()),
            (Some(9_000_000_000_000), Some(100))
        );
        t.observe(3_000, false);
        assert_eq!(t.polls(), 4, "a read that is not a poll does not count");
    }
}
