//! `StartVirusScanTask(TargetInfo)` -> `ScanTaskId`: a new task on the default schedule.

use std::sync::Arc;

use super::ActionContext;
use crate::domain::target::normalize_target_info;
use crate::protocol::{ApiError, Reply};
use crate::registry::TaskSeed;

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let raw = ctx
        .request
        .non_empty_param("TargetInfo")
        .ok_or_else(ApiError::illegal_param)?;
    let target_info = normalize_target_info(raw).map_err(|_| ApiError::illegal_param())?;
    let state = ctx.state;
    let seed = TaskSeed {
        target_info: Arc::from(target_info),
        schedule: ctx.registry.default_schedule,
        pinned: None,
    };
    let task_id = state.start_task(ctx.registry, &ctx.caller.account, &seed, ctx.now);
    Ok(Reply::default().int("ScanTaskId", task_id))
}
