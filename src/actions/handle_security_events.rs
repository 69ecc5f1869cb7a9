//! `HandleSecurityEvents(SecurityEventIds.N, OperationCode)` → `HandleSecurityEventsResponse.TaskId`:
//! handles the account's alerts with those ids, whatever their status (the last handling wins):
//! `ignore` → 2, `advance_mark_mis_info` / `mark_mis_info` → 8, `manual_handled`, `deal` and the
//! other remedies → 32. An unknown code, an id that is not a number, or an id of no alert of the
//! account is `IllegalParam` (the log and the journal say which). `OperationParams`, `Remark`,
//! `MarkMissParam`, `MarkBatch`, `SourceIp` and `ResourceDirectoryAccountId` are ignored.

use serde_json::json;

use super::params::indexed_list;
use super::workflow::{object, settled};
use super::ActionContext;
use crate::model::alert::operation;
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let code = ctx.request.param("OperationCode").unwrap_or_default();
    let status = operation(code).map_err(|why| ApiError::illegal_param().because(why))?;
    let ids = (indexed_list(ctx.request, "SecurityEventIds").into_iter())
        .map(|text| {
            text.trim().parse::<i64>().map_err(|_| {
                let why = format!("SecurityEventIds: {text:?} is not an alert id");
                ApiError::illegal_param().because(why)
            })
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let task_id = settled(ctx, |ledger| {
        let unknown = (ids.iter()).find(|id| !ledger.alerts().iter().any(|a| a.id == **id));
        if let Some(id) = unknown {
            let why = format!("SecurityEventIds: this account has no alert {id}");
            return Err(ApiError::illegal_param().because(why));
        }
        Ok(ledger.handle(&ids, status, code, ctx.now))
    })?;
    Ok(object(
        json!({ "HandleSecurityEventsResponse": { "TaskId": task_id } }),
    ))
}
