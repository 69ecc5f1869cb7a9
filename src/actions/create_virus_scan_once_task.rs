//! `CreateVirusScanOnceTask(ScanType, ScanPath.N, ClientToken, DryRun, …)` → only a `RequestId`,
//! as in the service. It creates a root task (a 32-hex id, shown by
//! `GetVirusScanLatestTaskStatistic`) over every machine the account has, one subtask each, each on
//! the default schedule. `ScanType` is `system` (the default) or `user`; it and `ScanPath` are
//! shown back. A `ClientToken` seen before creates nothing; `DryRun=true` only checks.
//! `SelectionKey` and `Param` are ignored: the scan covers all of the account's machines.

use std::sync::Arc;

use super::params::{flag, indexed_list};
use super::ActionContext;
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let scan_type = ctx.request.non_empty_param("ScanType").unwrap_or("system");
    if scan_type != "system" && scan_type != "user" {
        let why = format!("ScanType must be system or user, found {scan_type:?}");
        return Err(ApiError::illegal_param().because(why));
    }
    if flag(ctx.request, "DryRun") == Some(true) {
        return Ok(Reply::new());
    }
    let scan_path: Vec<String> = (indexed_list(ctx.request, "ScanPath").into_iter())
        .map(str::to_owned)
        .collect();
    let machines = ctx.state.machines.of(&ctx.caller.account);
    let seed = Arc::clone(ctx.state.tasks.seeds().default_seed());
    let token = ctx.request.non_empty_param("ClientToken");
    ctx.state
        .machines
        .with_ledger(&ctx.caller.account, |ledger| {
            let scan = (scan_type.to_owned(), scan_path);
            ledger.create_root(machines, &seed, scan, token, ctx.now);
        });
    Ok(Reply::new())
}
