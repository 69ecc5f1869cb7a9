//! `ListVirusScanMachineEvent(CurrentPage, PageSize, Uuid, OperateTaskId)` → virus alerts, newest
//! first, in `Data`, with `PageInfo`: with `OperateTaskId` (a `TaskId` of `OperateVirusEvents` or
//! `HandleSecurityEvents`) the alerts that handling touched, whatever their status now; otherwise
//! the pending ones, of the machine `Uuid` names (or of all). `Lang` is ignored.

use std::cmp::Reverse;

use serde_json::{json, Value};

use super::params::{whole, Page};
use super::workflow::{object, page_info, settled};
use super::ActionContext;
use crate::model::alert::{Alert, Status};
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let page = Page::read(ctx.request)?;
    let uuid = ctx.request.non_empty_param("Uuid");
    let operation = whole(ctx.request, "OperateTaskId")?;
    let selected = |alert: &Alert| match operation {
        Some(task_id) => alert
            .handling
            .as_ref()
            .is_some_and(|h| h.task_id == task_id),
        None => alert.status == Status::Pending,
    };
    let (total, rows) = settled(ctx, |ledger| {
        let mut found: Vec<&Alert> = (ledger.alerts().iter())
            .filter(|a| selected(a) && uuid.is_none_or(|u| *a.machine.uuid == *u))
            .collect();
        found.sort_by_key(|a| (Reverse(a.last_seen), Reverse(a.id)));
        (
            found.len(),
            page.of(found).into_iter().map(row).collect::<Vec<Value>>(),
        )
    });
    Ok(object(
        json!({ "Data": rows, "PageInfo": page_info(page, total) }),
    ))
}

fn row(alert: &Alert) -> Value {
    let details: Vec<Value> = (alert.finding.details.iter())
        .map(|(name, value)| {
            json!({ "InfoType": "detail", "NameDisplay": name, "Type": "text", "ValueDisplay": value })
        })
        .collect();
    json!({
        "Details": details,
        "EventId": alert.id,
        "EventName": alert.finding.name,
        "InstanceName": alert.machine.instance_name,
        "InternetIp": alert.machine.internet_ip,
        "IntranetIp": alert.machine.intranet_ip,
        "LastTimeStamp": alert.last_seen,
        "Level": alert.finding.level.as_str(),
    })
}
