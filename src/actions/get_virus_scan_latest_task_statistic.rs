//! `GetVirusScanLatestTaskStatistic()` → `Data`: the account's latest `CreateVirusScanOnceTask`
//! scan. Finished scans are settled, then the call polls each subtask (so poll-measured schedules
//! move on) and shows what that poll saw. `Status` 0 / 10 / 100 and `Progress` (a string percentage, the mean of the subtasks'
//! positions in their schedules): see `model::root_task`. `ScanMachine` counts subtasks,
//! `CompleteMachine` those that succeeded, `UnCompleteMachine` the rest (running or failed),
//! `SuspiciousMachine` / `SafeMachine` the succeeded ones with / without an alert,
//! `SuspiciousCount` the alerts it raised or refreshed, `RiskLevel` the worst of them (serious →
//! high, suspicious → medium, remind → low; "" for none), `MachineName` the first machine's name.
//! Before any such scan: `TaskId` "", everything 0 or empty.

use serde_json::{json, Value};

use super::workflow::object;
use super::ActionContext;
use crate::model::clock::Millis;
use crate::model::root_task::root_status;
use crate::model::schedule::Progress;
use crate::protocol::{ApiError, Reply};
use crate::state::machines::Ledger;

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let account = &ctx.caller.account;
    let data = (ctx.state.machines).settled(account, &ctx.state.tasks.live, ctx.now, |ledger| {
        statistic(ledger, ctx.now)
    });
    Ok(object(json!({ "Data": data })))
}

fn statistic(ledger: &mut Ledger, now: Millis) -> Value {
    let Some(root) = ledger.roots_mut().last_mut() else {
        return no_scan_yet();
    };
    // The answer shows what this poll saw, as DescribeScanTaskProgress does: a poll that
    // completes a poll-measured phase still shows that phase.
    let states = root.observe(now, true);
    let succeeded = |found: bool| {
        (root.subtasks.iter().zip(&states))
            .filter(|(_, state)| **state == Progress::Success)
            .filter(|(sub, _)| sub.alerts.as_ref().is_some_and(|a| a.is_empty() != found))
            .count()
    };
    let complete = states.iter().filter(|s| **s == Progress::Success).count();
    let ids: Vec<i64> = root.alerts().collect();
    let mut data = json!({
        "CompleteMachine": complete,
        "MachineName": root.subtasks.first().map_or("", |s| s.machine.instance_name.as_str()),
        "Progress": root.percent(now).to_string(),
        "SafeMachine": succeeded(false),
        "ScanMachine": root.subtasks.len(),
        "ScanPath": root.scan_path,
        "ScanTime": root.created_at,
        "ScanType": root.scan_type,
        "Status": root_status(&states),
        "SuspiciousCount": ids.len(),
        "SuspiciousMachine": succeeded(true),
        "TaskId": root.id,
        "UnCompleteMachine": root.subtasks.len() - complete,
    });
    data["RiskLevel"] = Value::from(risk_level(ledger, &ids));
    data
}

/// The worst level among these alerts, as `RiskLevel` says it ("" for none).
fn risk_level(ledger: &Ledger, ids: &[i64]) -> &'static str {
    let worst = (ledger.alerts().iter())
        .filter(|a| ids.contains(&a.id))
        .map(|a| a.finding.level)
        .min();
    worst.map_or("", |level| level.risk_level())
}

fn no_scan_yet() -> Value {
    json!({
        "CompleteMachine": 0, "MachineName": "", "Progress": "0", "RiskLevel": "",
        "SafeMachine": 0, "ScanMachine": 0, "ScanPath": [], "ScanTime": 0, "ScanType": "",
        "Status": 0, "SuspiciousCount": 0, "SuspiciousMachine": 0, "TaskId": "",
        "UnCompleteMachine": 0,
    })
}
