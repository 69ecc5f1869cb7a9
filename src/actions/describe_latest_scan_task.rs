//! `DescribeLatestScanTask()` → the latest `StartVirusScanTask` scan of the account: when it
//! started (`LastCheckTime`, ms), the machines it covers (`Uuids`, the uuids it named that the
//! account does not have included), its `TargetInfo`, and `RiskNum`, the alerts it raised or
//! refreshed (0 until it is settled). Before any scan: 0, 0, `"[]"`, `[]`.

use serde_json::json;

use super::workflow::{object, settled};
use super::ActionContext;
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let latest = settled(ctx, |ledger| ledger.latest_scan().cloned());
    let answer = match latest {
        Some(scan) => json!({
            "LastCheckTime": scan.started,
            "RiskNum": scan.risks,
            "TargetInfo": &*scan.target_info,
            "Uuids": scan.uuids.iter().map(|u| &**u).collect::<Vec<_>>(),
        }),
        None => json!({ "LastCheckTime": 0, "RiskNum": 0, "TargetInfo": "[]", "Uuids": [] }),
    };
    Ok(object(answer))
}
