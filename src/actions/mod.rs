//! The API operations, one file each, and the table that dispatches to them.
//!
//! Adding an operation is one new file here plus one line in [`ACTIONS`].

mod describe_scan_task_progress;
mod start_virus_scan_task;

use crate::domain::clock::Millis;
use crate::protocol::{ApiError, Reply, RpcRequest};
use crate::registry::{Caller, Registry};
use crate::state::AppState;

/// The API version every operation here belongs to.
pub const VERSION: &str = "2018-12-03";

/// What an operation gets to work with.
pub struct ActionContext<'a> {
    pub state: &'a AppState,
    /// The fixture definitions this request was authenticated against.
    pub registry: &'a Registry,
    pub caller: &'a Caller,
    pub request: &'a RpcRequest,
    pub now: Millis,
}

/// An operation: reads its parameters, calls the domain, builds its answer.
pub type Handler = fn(&ActionContext<'_>) -> Result<Reply, ApiError>;

/// Every operation the mock serves.
pub const ACTIONS: &[(&str, Handler)] = &[
    (
        "DescribeScanTaskProgress",
        describe_scan_task_progress::handle,
    ),
    ("StartVirusScanTask", start_virus_scan_task::handle),
];

/// The names in [`ACTIONS`], for messages.
pub const NAMES: &[&str] = &["DescribeScanTaskProgress", "StartVirusScanTask"];

pub fn lookup(action: &str) -> Option<Handler> {
    ACTIONS
        .iter()
        .find(|(name, _)| *name == action)
        .map(|(_, handler)| *handler)
}

pub fn is_known(action: &str) -> bool {
    lookup(action).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_list_matches_the_dispatch_table() {
        let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, NAMES);
    }
}
