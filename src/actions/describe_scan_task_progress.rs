//! `DescribeScanTaskProgress(TaskId)` -> `TargetInfo`, `ScanTaskProgress`.

use super::ActionContext;
use crate::config::UnknownTasks;
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    ctx.request
        .non_empty_param("TaskId")
        .ok_or_else(|| ApiError::missing("TaskId"))?;
    let task_id = ctx
        .request
        .task_id()
        .ok_or_else(|| ApiError::invalid_parameter("TaskId"))?;
    let state = ctx.state;
    let account = &ctx.caller.account;
    let seen = state.store.observe(account, task_id, ctx.now, true, || {
        let registry = ctx.registry;
        match (
            registry.seed_for(account, task_id),
            state.settings.unknown_tasks,
        ) {
            (Some(seed), _) => Some(state.new_task(account, task_id, seed, ctx.now)),
            (None, UnknownTasks::Create) => {
                Some(state.default_task(registry, account, task_id, ctx.now))
            }
            (None, _) => None,
        }
    });
    match (seen, state.settings.unknown_tasks) {
        (Some(view), _) => Ok(Reply::default()
            .str("TargetInfo", view.target_info)
            .str("ScanTaskProgress", view.progress.as_str())),
        (None, UnknownTasks::Error) => Err(ApiError::task_not_found()),
        (None, _) => Ok(Reply::default()),
    }
}
