//! The ledger's bookkeeping that its operations do not show: how many scans wait to be settled.

use std::sync::Arc;

use super::*;
use crate::model::finding::{Finding, Level};
use crate::model::schedule::Schedule;
use crate::model::task::TaskSeed;

fn infected() -> Arc<Machine> {
    let finding = Finding {
        name: "Trojan".to_owned(),
        level: Level::Serious,
        kind: "Malicious process (cloud scan)".to_owned(),
        details: Vec::new(),
    };
    Arc::new(crate::model::machine::bare("u-1", vec![finding]))
}

#[test]
fn scans_started_with_nobody_reading_alerts_are_settled_as_they_pile_up() {
    let account: Arc<str> = Arc::from("a");
    let tasks = TaskMap::default();
    let mut ledger = Ledger::new(1, &account);
    let mut most = 0;
    for id in 0..1_000_i64 {
        let now = id * 100;
        let task = Task::new(TaskSeed::new("", Schedule::default(), None), now, 0.0);
        tasks.put(&account, id, task);
        if ledger.crowded() {
            ledger.settle(&account, &tasks, now);
        }
        ledger.start_scan(id, Arc::from("[]"), vec![infected()], Vec::new(), now);
        most = most.max(ledger.pending.len());
    }
    // 60 scans run at any time (6 s each, one started every 100 ms).
    assert!(most <= 2 * 61 + 1, "at most {most} pending");
    ledger.settle(&account, &tasks, 200_000);
    assert!(ledger.pending.is_empty());
    assert_eq!(
        ledger.alerts().len(),
        1,
        "one alert, refreshed by every scan"
    );
    assert_eq!(
        ledger.alerts()[0].last_seen,
        99_900 + 6_000,
        "by the last one last"
    );
}
