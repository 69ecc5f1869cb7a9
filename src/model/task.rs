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

/// One scan task as the store keeps it.
#[derive(Debug, Clone)]
pub struct Task {
    /// `TargetInfo` exactly as the API returns it: a JSON array serialised as a string (or the
    /// empty placeholder marker, shown as the placeholder for the task's id; see
    /// `target::placeholder_marker`).
    pub target_info: Arc<str>,
    pub schedule: Schedule,
    /// The resolved end state (a failure rate is drawn once, at creation).
    pub outcome: Progress,
    /// A fixed progress that never changes, if the task was pinned.
    pub pinned: Option<Progress>,
    pub created_at: Millis,
    /// How many times `DescribeScanTaskProgress` has asked for this task.
    pub polls: u64,
    phase: Progress,
    phase_start: Millis,
    phase_polls: u64,
    last_poll: Millis,
}

impl Task {
    /// A new task starting in `init` at `created_at`. `draw` in `[0, 1)` resolves a failure rate.
    pub fn new(
        target_info: Arc<str>,
        schedule: Schedule,
        pinned: Option<Progress>,
        created_at: Millis,
        draw: f64,
    ) -> Self {
        Task {
            target_info,
            outcome: schedule.outcome.resolve(draw),
            schedule,
            pinned,
            created_at,
            polls: 0,
            phase: Progress::Init,
            phase_start: created_at,
            phase_polls: 0,
            last_poll: created_at,
        }
    }

    /// The progress at `now`; a `poll` counts towards poll-measured phases.
    pub fn observe(&mut self, now: Millis, poll: bool) -> Progress {
        self.advance(now);
        if poll {
            self.polls = self.polls.saturating_add(1);
            self.phase_polls = self.phase_polls.saturating_add(1);
            self.last_poll = now;
        }
        self.pinned.unwrap_or(self.phase)
    }

    /// When the task reached its final state, once it has (a pinned final task: when it was
    /// made). As of its last observation.
    pub fn ended_at(&self) -> Option<Millis> {
        match self.pinned {
            Some(pinned) => pinned.is_final().then_some(self.created_at),
            None => self.phase.is_final().then_some(self.phase_start),
        }
    }

    /// How far through its schedule the task is, in percent, as of its last observation (at
    /// `now`): 0 in `init`, 100 once final, and in `Processing` the part of that phase gone by,
    /// in time or in polls, kept within 1..=99 (50 for a task pinned there).
    pub fn percent(&self, now: Millis) -> u8 {
        match (self.pinned, self.phase) {
            (Some(Progress::Init), _) | (None, Progress::Init) => 0,
            (Some(Progress::Processing), _) => 50,
            (Some(_), _) | (None, Progress::Success | Progress::Failed) => 100,
            (None, Progress::Processing) => {
                let done = match self.schedule.processing {
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
                Phase::Polls(n) => (self.phase_polls >= n).then_some(self.last_poll),
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
            Progress::Init => Some(self.schedule.init),
            Progress::Processing => Some(self.schedule.processing),
            Progress::Success | Progress::Failed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schedule::Outcome;

    fn task(init: Phase, processing: Phase, outcome: Outcome) -> Task {
        let schedule = Schedule {
            init,
            processing,
            outcome,
        };
        Task::new(Arc::from("[]"), schedule, None, 1_000, 0.5)
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
        assert_eq!(t.polls, 6);
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
                Arc::from("[]"),
                Schedule::default(),
                Some(progress),
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
        let mut t = Task::new(
            Arc::from("[]"),
            schedule,
            Some(Progress::Processing),
            0,
            0.0,
        );
        for now in [0, 10_000, 1_000_000] {
            assert_eq!(t.observe(now, true), Progress::Processing);
        }
        assert_eq!(t.polls, 3);
    }
}
