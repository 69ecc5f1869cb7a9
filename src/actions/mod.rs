//! The emulated operations, one file each, and the table from action name to handler.
//!
//! Adding an operation is one new file here plus one line in [`EMULATED`]. An action of the
//! catalog without an entry here is answered by a stub, or else by a clear "not emulated" error.

mod create_virus_scan_once_task;
mod describe_latest_scan_task;
mod describe_scan_task_progress;
mod describe_scan_task_statistics;
mod describe_susp_events;
mod get_virus_scan_latest_task_statistic;
mod handle_security_events;
mod list_virus_scan_machine;
mod list_virus_scan_machine_event;
mod list_virus_scan_task;
mod operate_virus_events;
pub mod params;
mod start_virus_scan_task;
mod susp_event;
mod workflow;

use crate::model::clock::Millis;
use crate::protocol::{ApiError, Reply, RpcRequest};
use crate::state::accounts::Caller;
use crate::state::AppState;

/// What an operation gets to work with: the request has been authenticated and checked against
/// the catalog, and no fault or limit stopped it.
pub struct ActionContext<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller,
    pub request: &'a RpcRequest,
    pub now: Millis,
}

/// An operation: reads its parameters, calls the stores, builds its answer.
pub type Handler = fn(&ActionContext<'_>) -> Result<Reply, ApiError>;

/// Every emulated operation.
pub const EMULATED: &[(&str, Handler)] = &[
    (
        "DescribeScanTaskProgress",
        describe_scan_task_progress::handle,
    ),
    ("StartVirusScanTask", start_virus_scan_task::handle),
    ("DescribeLatestScanTask", describe_latest_scan_task::handle),
    (
        "DescribeScanTaskStatistics",
        describe_scan_task_statistics::handle,
    ),
    ("DescribeSuspEvents", describe_susp_events::handle),
    ("HandleSecurityEvents", handle_security_events::handle),
    (
        "CreateVirusScanOnceTask",
        create_virus_scan_once_task::handle,
    ),
    (
        "GetVirusScanLatestTaskStatistic",
        get_virus_scan_latest_task_statistic::handle,
    ),
    ("ListVirusScanTask", list_virus_scan_task::handle),
    ("ListVirusScanMachine", list_virus_scan_machine::handle),
    (
        "ListVirusScanMachineEvent",
        list_virus_scan_machine_event::handle,
    ),
    ("OperateVirusEvents", operate_virus_events::handle),
];

/// The handler of an emulated action.
pub fn handler(action: &str) -> Option<Handler> {
    (EMULATED.iter())
        .find(|(name, _)| *name == action)
        .map(|(_, handler)| *handler)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::catalog;

    #[test]
    fn every_emulated_action_is_in_the_catalog() {
        for (name, _) in EMULATED {
            assert_eq!(catalog::action(name).map(|a| a.name.as_str()), Some(*name));
        }
    }
}
