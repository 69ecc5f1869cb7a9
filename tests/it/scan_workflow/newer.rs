//! The newer operations: CreateVirusScanOnceTask, GetVirusScanLatestTaskStatistic,
//! ListVirusScanTask, ListVirusScanMachine[Event] and OperateVirusEvents.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{call, events, mock_with, scan_web, DB, WEB};
use crate::support::Mock;

async fn as_testid(mock: &Mock, action: &str, params: &[(&str, &str)]) -> Value {
    let mut all = vec![("AccessKeyId", "testid")];
    all.extend_from_slice(params);
    let answer = call(mock, action, &all).await;
    assert_eq!(answer.status, StatusCode::OK, "{action}: {}", answer.text);
    answer.json
}

async fn statistic(mock: &Mock) -> Value {
    as_testid(mock, "GetVirusScanLatestTaskStatistic", &[]).await["Data"].clone()
}

const PAGE: [(&str, &str); 2] = [("CurrentPage", "1"), ("PageSize", "20")];

#[tokio::test]
async fn a_once_task_goes_0_10_100_and_what_it_found_can_be_listed_and_operated() {
    let mock = mock_with("{}").await;
    let created = as_testid(
        &mock,
        "CreateVirusScanOnceTask",
        &[("ScanType", "user"), ("ScanPath.1", "/tmp")],
    )
    .await;
    assert_eq!(
        created.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["RequestId"]
    );
    let seen = statistic(&mock).await;
    let root = seen["TaskId"].as_str().unwrap().to_owned();
    assert!(
        root.len() == 32 && root.chars().all(|c| c.is_ascii_hexdigit()),
        "{root}"
    );
    assert_eq!(
        (&seen["Status"], &seen["Progress"], &seen["ScanMachine"]),
        (&json!(0), &json!("0"), &json!(2))
    );
    assert_eq!(
        (&seen["ScanType"], &seen["ScanPath"]),
        (&json!("user"), &json!(["/tmp"]))
    );
    mock.advance("3s").await;
    let running = statistic(&mock).await;
    assert_eq!(
        (&running["Status"], &running["Progress"]),
        (&json!(10), &json!("40"))
    );
    mock.advance("3s").await;
    let done = statistic(&mock).await;
    let got = |k: &str| done[k].clone();
    assert_eq!(
        (
            got("Status"),
            got("Progress"),
            got("CompleteMachine"),
            got("UnCompleteMachine")
        ),
        (json!(100), json!("100"), json!(2), json!(0))
    );
    assert_eq!(
        (
            got("SuspiciousMachine"),
            got("SafeMachine"),
            got("SuspiciousCount"),
            got("RiskLevel")
        ),
        (json!(1), json!(1), json!(2), json!("high"))
    );
    let list = as_testid(
        &mock,
        "ListVirusScanTask",
        &[("RootTaskId", &root), PAGE[0], PAGE[1]],
    )
    .await;
    assert_eq!(
        list["PageInfo"],
        json!({"CurrentPage": 1, "PageSize": 20, "TotalCount": 2})
    );
    let rows: Vec<(&str, i64, i64)> = (list["List"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["Uuid"].as_str().unwrap(),
                r["Status"].as_i64().unwrap(),
                r["Progress"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [(WEB, 2, 100), (DB, 2, 100)]);
    let machines = as_testid(&mock, "ListVirusScanMachine", &PAGE).await;
    assert_eq!(
        machines["Data"],
        json!([{"EventCount": 2, "InstanceId": "i-bp1example0001", "InstanceName": "web-1",
        "InternetIp": "47.0.0.1", "IntranetIp": "172.16.0.5", "Uuid": WEB}])
    );
    let on_web = as_testid(
        &mock,
        "ListVirusScanMachineEvent",
        &[("Uuid", WEB), PAGE[0], PAGE[1]],
    )
    .await;
    assert_eq!(on_web["PageInfo"]["TotalCount"], 2);
    assert_eq!(on_web["Data"][1]["EventName"], "Trojan:Linux/Mirai.B");
    let range = json!([{"type": "machine", "list": [WEB]}]).to_string();
    let operated = as_testid(
        &mock,
        "OperateVirusEvents",
        &[
            ("OperationCode", "ignore"),
            ("OperationAll", "0"),
            ("OperationRange", &range),
        ],
    )
    .await;
    let task_id = operated["TaskId"].as_i64().unwrap().to_string();
    let touched = as_testid(
        &mock,
        "ListVirusScanMachineEvent",
        &[("OperateTaskId", &task_id), PAGE[0], PAGE[1]],
    )
    .await;
    assert_eq!(touched["PageInfo"]["TotalCount"], 2);
    assert_eq!(
        as_testid(&mock, "ListVirusScanMachine", &PAGE).await["PageInfo"]["TotalCount"],
        0
    );
    assert_eq!(
        events(&mock, &[("Status", "2")]).await["TotalCount"],
        2,
        "the older set sees it too"
    );
}

#[tokio::test]
async fn the_statistic_polls_so_a_poll_measured_schedule_moves_with_it() {
    let fixture = r#"{"schedule": {"init": {"polls": 1}, "processing": {"polls": 2}}}"#;
    let mock = mock_with(fixture).await;
    as_testid(&mock, "CreateVirusScanOnceTask", &[]).await;
    let seen: Vec<(Value, Value)> = {
        let mut seen = Vec::new();
        for _ in 0..4 {
            let data = statistic(&mock).await;
            seen.push((data["Status"].clone(), data["Progress"].clone()));
        }
        seen
    };
    let expected = [(0, "0"), (10, "50"), (10, "99"), (100, "100")];
    let expected: Vec<(Value, Value)> =
        expected.iter().map(|(s, p)| (json!(s), json!(p))).collect();
    assert_eq!(seen, expected);
    let listed = as_testid(&mock, "ListVirusScanTask", &PAGE).await;
    assert_eq!(
        listed["PageInfo"]["TotalCount"], 2,
        "reading the list is not a poll"
    );
}

#[tokio::test]
async fn list_virus_scan_task_filters_roots_subtasks_and_statuses() {
    let mock = mock_with(r#"{"schedule": {"outcome": "Failed"}}"#).await;
    as_testid(&mock, "CreateVirusScanOnceTask", &[]).await;
    mock.advance("6s").await;
    as_testid(&mock, "CreateVirusScanOnceTask", &[("ClientToken", "t-1")]).await;
    as_testid(&mock, "CreateVirusScanOnceTask", &[("ClientToken", "t-1")]).await;
    as_testid(&mock, "CreateVirusScanOnceTask", &[("DryRun", "true")]).await;
    let cases: &[(&[(&str, &str)], usize)] = &[
        (&[], 4),
        (&[("RootTask", "true")], 2),
        (&[("RootTask", "true"), ("Status", "3")], 1),
        (&[("Status", "1")], 2),
        (&[("StatusList.1", "2"), ("StatusList.2", "3")], 2),
        (&[("MachineName", "db-")], 2),
        (&[("IntranetIp", "172.16.0.5")], 2),
        (&[("ScanType", "user")], 0),
    ];
    for (params, total) in cases {
        let mut all = params.to_vec();
        all.extend_from_slice(&PAGE);
        let listed = as_testid(&mock, "ListVirusScanTask", &all).await;
        assert_eq!(
            listed["PageInfo"]["TotalCount"], *total,
            "{params:?}: {listed}"
        );
    }
    assert_eq!(
        events(&mock, &[]).await["TotalCount"],
        0,
        "failed scans raise nothing"
    );
}

#[tokio::test]
async fn operate_virus_events_handles_all_pending_alerts_or_refuses_a_bad_range() {
    let mock = Mock::new();
    scan_web(&mock).await;
    for (all, range) in [
        ("0", ""),
        ("0", "{}"),
        ("0", r#"[{"type":"group","list":["1"]}]"#),
        ("2", ""),
    ] {
        let params = [
            ("OperationCode", "default"),
            ("OperationAll", all),
            ("OperationRange", range),
        ];
        let answer = call(&mock, "OperateVirusEvents", &params).await;
        assert_eq!(answer.code(), "IllegalParam", "{all} {range}");
    }
    let handled = as_testid(
        &mock,
        "OperateVirusEvents",
        &[("OperationCode", "default"), ("OperationAll", "1")],
    )
    .await;
    assert!(handled["TaskId"].is_i64());
    assert_eq!(events(&mock, &[("Status", "32")]).await["TotalCount"], 2);
    let none = statistic(&mock).await;
    assert_eq!(
        (&none["TaskId"], &none["Status"]),
        (&json!(""), &json!(0)),
        "no newer scan yet"
    );
}
