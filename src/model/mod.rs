//! Pure values and rules of the emulated service: the clock, durations, seeded randomness,
//! schedules, tasks and their targets. No protocol, no HTTP, no I/O.

pub mod bucket;
pub mod clock;
pub mod duration;
pub mod rng;
pub mod schedule;
pub mod target;
pub mod task;
