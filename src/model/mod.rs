//! Pure values and rules of the emulated service: the clock, durations, seeded randomness,
//! schedules, tasks and their targets; machines, their findings, the alerts those raise and the
//! newer scans' root tasks. No protocol, no HTTP, no I/O.

pub mod alert;
pub mod bucket;
pub mod clock;
pub mod duration;
pub mod finding;
pub mod local_time;
pub mod machine;
pub mod rng;
pub mod root_task;
pub mod schedule;
pub mod target;
pub mod task;
