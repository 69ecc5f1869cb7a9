//! `OperateVirusEvents(OperationCode, OperationAll, OperationRange)` → `TaskId`: handles the
//! account's pending virus alerts, all of them (`OperationAll=1`) or those of the machines
//! `OperationRange` lists (`[{"type":"machine","list":["<uuid>",…]}]`, with `OperationAll=0`).
//! Codes as for `HandleSecurityEvents` (`default`, deep scan and removal, is handled → 32).
//! `ListVirusScanMachineEvent(OperateTaskId=TaskId)` lists what it touched. A range that is not
//! such JSON, or names another type, is `IllegalParam`.

use serde::Deserialize;
use serde_json::json;

use super::params::whole;
use super::workflow::{object, settled};
use super::ActionContext;
use crate::model::alert::{operation, Status};
use crate::protocol::{ApiError, Reply, RpcRequest};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    list: Vec<String>,
}

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let code = ctx.request.param("OperationCode").unwrap_or_default();
    let status = operation(code).map_err(|why| ApiError::illegal_param().because(why))?;
    let machines = machines(ctx.request)?;
    let task_id = settled(ctx, |ledger| {
        let ids: Vec<i64> = (ledger.alerts().iter())
            .filter(|a| a.status == Status::Pending)
            .filter(|a| {
                machines
                    .as_ref()
                    .is_none_or(|m| m.iter().any(|u| *u == *a.machine.uuid))
            })
            .map(|a| a.id)
            .collect();
        ledger.handle(&ids, status, code, ctx.now)
    });
    Ok(object(json!({ "TaskId": task_id })))
}

/// The machines the operation covers: `None` for all.
fn machines(req: &RpcRequest) -> Result<Option<Vec<String>>, ApiError> {
    let illegal = |why: String| ApiError::illegal_param().because(why);
    match whole(req, "OperationAll")? {
        Some(1) => return Ok(None),
        Some(0) => {}
        other => {
            return Err(illegal(format!(
                "OperationAll must be 1 or 0, found {other:?}"
            )))
        }
    }
    let text = req.non_empty_param("OperationRange").ok_or_else(|| {
        illegal("OperationAll=0 needs an OperationRange naming machines".to_owned())
    })?;
    let ranges: Vec<Range> = serde_json::from_str(text)
        .map_err(|err| illegal(format!("OperationRange is not [{{type, list}}, …]: {err}")))?;
    let mut uuids = Vec::new();
    for range in ranges {
        if range.kind != "machine" {
            return Err(illegal(format!(
                "OperationRange type {:?} is not \"machine\"",
                range.kind
            )));
        }
        uuids.extend(range.list);
    }
    Ok(Some(uuids))
}
