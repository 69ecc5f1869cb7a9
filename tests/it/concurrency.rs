//! A parallel test suite hammering one mock: no lost or duplicated task, no progress going
//! backwards, and `times`-limited faults firing exactly that often.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::http::Method;
use serde_json::json;
use tokio::task::JoinSet;

use crate::support::{settings, Mock};
use sas_mock::fixtures::DEFAULT_FIXTURES;
use sas_mock::Settings;

/// Callers in several accounts: two fixture accounts, an unknown key's own account, and the
/// default account of unsigned requests.
const CALLERS: [Option<&str>; 4] = [Some("testid"), Some("otherid"), Some("stranger"), None];

fn big_journal() -> Arc<Mock> {
    Arc::new(Mock::with(
        Settings {
            journal_size: 100_000,
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    ))
}

fn account_query(mock: &Mock, caller: Option<&str>) -> String {
    format!(
        "accountId={}",
        mock.state.accounts.keys().caller(caller).account
    )
}

fn rank(progress: &str) -> u8 {
    match progress {
        "init" => 0,
        "Processing" => 1,
        "Success" | "Failed" => 2,
        other => panic!("not a progress: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_creators_and_pollers_lose_no_task_and_never_see_progress_regress() {
    const CREATORS: usize = 200;
    const POLLERS: usize = 200;
    const POLLS_EACH: usize = 5;
    let mock = big_journal();
    let mut before = HashMap::new();
    for caller in CALLERS {
        let q = account_query(&mock, caller);
        let listed = mock.admin(Method::GET, &format!("/tasks?{q}"), None).await;
        before.insert(caller, listed.json["tasks"].as_array().map_or(0, Vec::len));
    }

    let mut work = JoinSet::new();
    for i in 0..CREATORS {
        let mock = Arc::clone(&mock);
        let caller = CALLERS[i % CALLERS.len()];
        work.spawn(async move {
            let answer = mock.start(caller).await;
            assert_eq!(answer.status, 200, "{}", answer.text);
            let id = answer.json["ScanTaskId"].as_i64().expect("ScanTaskId");
            (caller, Some(id), Vec::new())
        });
    }
    // Pollers of the poll-scheduled task 282832 (1 poll init, 2 Processing, then Success), each
    // account with its own copy.
    for i in 0..POLLERS {
        let mock = Arc::clone(&mock);
        let caller = CALLERS[i % CALLERS.len()];
        work.spawn(async move {
            let mut seen = Vec::with_capacity(POLLS_EACH);
            for _ in 0..POLLS_EACH {
                let answer = match caller {
                    Some(key) => mock.describe_as(key, 282832).await,
                    None => mock.describe(282832).await,
                };
                assert_eq!(answer.status, 200, "{}", answer.text);
                seen.push(answer.progress().to_owned());
            }
            (caller, None, seen)
        });
    }
    // The clock moves while all of this runs.
    for _ in 0..3 {
        let mock = Arc::clone(&mock);
        work.spawn(async move {
            mock.advance("2s").await;
            (None, None, Vec::new())
        });
    }

    let mut created: HashMap<Option<&str>, Vec<i64>> = HashMap::new();
    let mut answers: HashMap<Option<&str>, HashMap<String, usize>> = HashMap::new();
    while let Some(done) = work.join_next().await {
        let (caller, id, seen) = done.expect("no task panicked");
        if let Some(id) = id {
            created.entry(caller).or_default().push(id);
        }
        for pair in seen.windows(2) {
            assert!(rank(&pair[1]) >= rank(&pair[0]), "{caller:?} saw {seen:?}");
        }
        for progress in seen {
            *answers
                .entry(caller)
                .or_default()
                .entry(progress)
                .or_default() += 1;
        }
    }

    let all: Vec<i64> = created.values().flatten().copied().collect();
    assert_eq!(all.len(), CREATORS);
    assert_eq!(
        all.iter().collect::<HashSet<_>>().len(),
        CREATORS,
        "duplicate ScanTaskId"
    );
    for caller in CALLERS {
        let q = account_query(&mock, caller);
        let listed = mock.admin(Method::GET, &format!("/tasks?{q}"), None).await;
        let tasks = listed.json["tasks"].as_array().expect("tasks");
        let ids: HashSet<i64> = tasks.iter().filter_map(|t| t["taskId"].as_i64()).collect();
        let mine = &created[&caller];
        assert!(
            mine.iter().all(|id| ids.contains(id)),
            "{caller:?} lost a task"
        );
        // Its own new tasks, plus the copy of 282832 its pollers brought into existence.
        assert_eq!(tasks.len(), before[&caller] + mine.len() + 1, "{caller:?}");
        // Every poll was counted once: exactly one saw init and two saw Processing.
        let counts = &answers[&caller];
        assert_eq!(counts.get("init"), Some(&1), "{caller:?}: {counts:?}");
        assert_eq!(counts.get("Processing"), Some(&2), "{caller:?}: {counts:?}");
        let polls: usize = counts.values().sum();
        let task = tasks
            .iter()
            .find(|t| t["taskId"] == 282832)
            .expect("282832");
        assert_eq!(task["polls"].as_u64(), Some(polls as u64), "{caller:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_times_limited_fault_fires_exactly_that_often_under_contention() {
    const REQUESTS: usize = 400;
    const TIMES: usize = 37;
    const SCOPED_TIMES: usize = 11;
    let mock = big_journal();
    let global = mock
        .admin(
            Method::POST,
            "/faults",
            Some(
                json!({"match": {"action": "DescribeScanTaskProgress", "taskId": 100003},
                        "error": "Throttling.User", "times": TIMES}),
            ),
        )
        .await;
    let scoped = mock
        .admin(
            Method::POST,
            "/faults",
            Some(
                json!({"match": {"accessKeyId": "otherid"}, "error": "ServiceUnavailable",
                        "times": SCOPED_TIMES}),
            ),
        )
        .await;
    let (global_id, scoped_id) = (global.json["id"].clone(), scoped.json["id"].clone());

    let mut work = JoinSet::new();
    for i in 0..REQUESTS {
        let mock = Arc::clone(&mock);
        let caller = CALLERS[i % CALLERS.len()];
        work.spawn(async move {
            let answer = match caller {
                Some(key) => mock.describe_as(key, 100003).await,
                None => mock.describe(100003).await,
            };
            (caller, answer.status.as_u16(), answer.code().to_owned())
        });
    }
    let mut codes: HashMap<String, usize> = HashMap::new();
    while let Some(done) = work.join_next().await {
        let (caller, status, code) = done.expect("no task panicked");
        match code.as_str() {
            "" => assert_eq!(status, 200),
            "Throttling.User" => assert_eq!(status, 400),
            "ServiceUnavailable" => assert_eq!((status, caller), (503, Some("otherid"))),
            other => panic!("unexpected {status} {other}"),
        }
        *codes.entry(code).or_default() += 1;
    }
    assert_eq!(codes.get("Throttling.User"), Some(&TIMES), "{codes:?}");
    assert_eq!(
        codes.get("ServiceUnavailable"),
        Some(&SCOPED_TIMES),
        "{codes:?}"
    );
    assert_eq!(codes.get(""), Some(&(REQUESTS - TIMES - SCOPED_TIMES)));

    let faults = mock.admin(Method::GET, "/faults", None).await;
    let fired = |id: &serde_json::Value| {
        faults.json["faults"]
            .as_array()
            .and_then(|all| all.iter().find(|f| f["id"] == *id))
            .and_then(|f| f["fired"].as_u64())
    };
    assert_eq!(fired(&global_id), Some(TIMES as u64));
    assert_eq!(fired(&scoped_id), Some(SCOPED_TIMES as u64));
    let journal = mock.admin(Method::GET, "/requests", None).await;
    let entries = journal.json["requests"].as_array().expect("journal");
    assert_eq!(entries.len(), REQUESTS, "every request journaled once");
    let by_rule = |id: &serde_json::Value| entries.iter().filter(|e| e["faultId"] == *id).count();
    assert_eq!(
        (by_rule(&global_id), by_rule(&scoped_id)),
        (TIMES, SCOPED_TIMES)
    );
}
