//! `StartVirusScanTask(TargetInfo)` → `ScanTaskId`: a new task on the default schedule, and a
//! scan of the account's machines it covers (their findings become alerts once it succeeds).

use serde_json::Value;

use super::ActionContext;
use crate::model::target::normalize_target_info;
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let raw = ctx
        .request
        .non_empty_param("TargetInfo")
        .ok_or_else(|| ApiError::illegal_param().because("TargetInfo is missing or empty"))?;
    let target_info =
        normalize_target_info(raw).map_err(|why| ApiError::illegal_param().because(why))?;
    let task_id = (ctx.state.tasks).start(&ctx.caller.account, target_info.clone(), ctx.now)?;
    let (account, tasks) = (&ctx.caller.account, &ctx.state.tasks.live);
    (ctx.state.machines).start_scan(account, tasks, (task_id, &target_info), ctx.now);
    let mut reply = Reply::new();
    reply.insert("ScanTaskId".into(), Value::from(task_id));
    Ok(reply)
}
