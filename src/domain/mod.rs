//! The model of the emulated service: tasks, schedules, the clock, accounts. No HTTP here.

pub mod account;
pub mod clock;
pub mod duration;
pub mod schedule;
pub mod target;
pub mod task;
