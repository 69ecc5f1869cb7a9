//! `ListVirusScanTask` → the account's `CreateVirusScanOnceTask` scans, newest first: one row per
//! subtask (per machine), or with `RootTask=true` one per root task, in `List`, with `PageInfo`.
//! `Status` 1 running / 2 done / 3 failed (see `model::root_task`), `Progress` an int percentage,
//! `StartTime` / `EndTime` in ms (0 while running). Reading is not a poll.
//!
//! Honoured filters: `RootTaskId`, `TaskId`, `RootTask`, `ScanType`, `Status`, `StatusList.N`,
//! `StartTime` / `EndTime` (the task's start within them), `MachineName`, `InternetIp`,
//! `IntranetIp` (part of); `Lang` is ignored.

use serde_json::{json, Value};

use super::params::{flag, indexed_list, whole, Page};
use super::workflow::{object, page_info, settled};
use super::ActionContext;
use crate::model::clock::Millis;
use crate::model::root_task::{list_status, RootTask};
use crate::protocol::{ApiError, Reply, RpcRequest};

/// The name the service gives these tasks.
const TASK_NAME: &str = "VIRUS_VUL_SCHEDULE_SCAN";

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let page = Page::read(ctx.request)?;
    let filter = Filter::read(ctx.request)?;
    let rows = settled(ctx, |ledger| {
        let mut rows = Vec::new();
        for root in ledger.roots_mut().iter_mut().rev() {
            if filter.root_task_id.is_none_or(|id| id == root.id) {
                rows.extend(task_rows(root, ctx.now, filter.roots_only));
            }
        }
        rows
    });
    let found: Vec<Value> = rows.into_iter().filter(|row| filter.admits(row)).collect();
    let total = found.len();
    Ok(object(
        json!({ "List": page.of(found), "PageInfo": page_info(page, total) }),
    ))
}

/// The rows of one root task: itself, or its subtasks.
fn task_rows(root: &mut RootTask, now: Millis, roots_only: bool) -> Vec<Value> {
    let states = root.observe(now, false);
    if roots_only {
        let (status, percent) = (list_status(&states), root.percent(now));
        let row = row(root, &root.id, status, percent, root.ended_at());
        return vec![row];
    }
    (root.subtasks.iter().zip(states))
        .map(|(sub, state)| {
            let mut row = row(
                root,
                &sub.id,
                list_status(&[state]),
                sub.task.percent(now),
                sub.task.ended_at(),
            );
            row["InstanceName"] = json!(sub.machine.instance_name);
            row["InternetIp"] = json!(sub.machine.internet_ip);
            row["IntranetIp"] = json!(sub.machine.intranet_ip);
            row["Uuid"] = json!(&*sub.machine.uuid);
            row
        })
        .collect()
}

fn row(root: &RootTask, id: &str, status: i64, percent: u8, ended: Option<Millis>) -> Value {
    json!({
        "EndTime": ended.unwrap_or(0),
        "InstanceName": "",
        "InternetIp": "",
        "IntranetIp": "",
        "Progress": percent,
        "ScanPath": root.scan_path,
        "ScanType": root.scan_type,
        "StartTime": root.created_at,
        "Status": status,
        "TaskId": id,
        "TaskName": TASK_NAME,
        "Uuid": "",
    })
}

struct Filter<'r> {
    root_task_id: Option<&'r str>,
    roots_only: bool,
    task_id: Option<&'r str>,
    scan_type: Option<&'r str>,
    statuses: Vec<i64>,
    started: (Option<i64>, Option<i64>),
    texts: Vec<(&'static str, &'r str)>,
}

impl<'r> Filter<'r> {
    fn read(req: &'r RpcRequest) -> Result<Self, ApiError> {
        let mut statuses: Vec<i64> = whole(req, "Status")?.into_iter().collect();
        for text in indexed_list(req, "StatusList") {
            statuses.extend(text.trim().parse::<i64>().ok());
        }
        let texts = [
            ("InstanceName", "MachineName"),
            ("InternetIp", "InternetIp"),
            ("IntranetIp", "IntranetIp"),
        ]
        .into_iter()
        .filter_map(|(field, name)| Some((field, req.non_empty_param(name)?)))
        .collect();
        Ok(Filter {
            root_task_id: req.non_empty_param("RootTaskId"),
            roots_only: flag(req, "RootTask") == Some(true),
            task_id: req.non_empty_param("TaskId"),
            scan_type: req.non_empty_param("ScanType"),
            statuses,
            started: (whole(req, "StartTime")?, whole(req, "EndTime")?),
            texts,
        })
    }

    fn admits(&self, row: &Value) -> bool {
        let text = |field: &str| row[field].as_str().unwrap_or_default().to_owned();
        let start = row["StartTime"].as_i64().unwrap_or(0);
        self.task_id.is_none_or(|id| text("TaskId") == id)
            && self.scan_type.is_none_or(|t| text("ScanType") == t)
            && (self.statuses.is_empty()
                || (row["Status"].as_i64()).is_some_and(|s| self.statuses.contains(&s)))
            && self.started.0.is_none_or(|from| start >= from)
            && self.started.1.is_none_or(|to| start <= to)
            && (self.texts.iter()).all(|(field, part)| text(field).contains(part))
    }
}
