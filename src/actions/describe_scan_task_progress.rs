//! `DescribeScanTaskProgress(TaskId)` → `TargetInfo`, `ScanTaskProgress`.

use serde_json::Value;

use super::ActionContext;
use crate::protocol::{ApiError, Reply};
use crate::settings::UnknownTasks;

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    ctx.request
        .non_empty_param("TaskId")
        .ok_or_else(|| ApiError::missing("TaskId"))?;
    let task_id = ctx
        .request
        .task_id()
        .ok_or_else(|| ApiError::invalid_parameter("TaskId"))?;
    let unknown = ctx.state.settings.unknown_tasks;
    let create = unknown == UnknownTasks::Create;
    let seen = (ctx.state.tasks).poll(&ctx.caller.account, task_id, ctx.now, create)?;
    let mut reply = Reply::new();
    match (seen, unknown) {
        (Some(view), _) => {
            reply.insert("TargetInfo".into(), Value::from(view.target_info));
            reply.insert(
                "ScanTaskProgress".into(),
                Value::from(view.progress.as_str()),
            );
        }
        (None, UnknownTasks::Error) => return Err(ApiError::task_not_found()),
        (None, _) => {}
    }
    Ok(reply)
}
