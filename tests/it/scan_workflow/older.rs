//! The older operations: a scan started with StartVirusScanTask, its alerts read with
//! DescribeSuspEvents and handled with HandleSecurityEvents; DescribeLatestScanTask and
//! DescribeScanTaskStatistics summarise.

use axum::http::StatusCode;
use sas_mock::fixtures::DEFAULT_FIXTURES;

use super::{call, events, ids, mock_with, scan_web, start, DB, SCAN_TIME, WEB};
use crate::support::Mock;

/// The parameters of one call.
type Params<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn a_successful_scan_raises_the_findings_as_pending_alerts_and_ignoring_one_deals_it() {
    let mock = Mock::new();
    let task_id = start(&mock, "testid", &[("uuid", WEB)]).await;
    let pending = [("Uuids", WEB), ("Dealed", "N")];
    assert_eq!(
        events(&mock, &pending).await["TotalCount"],
        0,
        "nothing before the scan ends"
    );
    mock.advance(SCAN_TIME).await;
    let polled = mock.describe_as("testid", task_id).await;
    assert_eq!(polled.progress(), "Success");
    let found = events(&mock, &pending).await;
    assert_eq!(
        (found["TotalCount"].as_i64(), found["Count"].as_i64()),
        (Some(2), Some(2))
    );
    let first = &found["SuspEvents"][0];
    assert_eq!(
        (first["Uuid"].as_str(), first["EventStatus"].as_i64()),
        (Some(WEB), Some(1))
    );
    let levels: Vec<&str> = (found["SuspEvents"].as_array().unwrap().iter())
        .map(|e| e["Level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["suspicious", "serious"],
        "newest first, then by id"
    );
    let id = first["SecurityEventIds"].as_str().unwrap().to_owned();
    let handled = call(
        &mock,
        "HandleSecurityEvents",
        &[
            ("AccessKeyId", "testid"),
            ("OperationCode", "ignore"),
            ("SecurityEventIds.1", &id),
        ],
    )
    .await;
    assert_eq!(handled.status, StatusCode::OK, "{}", handled.text);
    assert!(handled.json["HandleSecurityEventsResponse"]["TaskId"].is_i64());
    let left = events(&mock, &pending).await;
    assert_eq!(left["TotalCount"], 1);
    assert!(
        !ids(&left).contains(&id.parse().unwrap()),
        "the ignored alert is no longer pending"
    );
    let dealt = events(&mock, &[("Uuids", WEB), ("Dealed", "Y")]).await;
    assert_eq!(ids(&dealt), [id.parse::<i64>().unwrap()]);
    assert_eq!(dealt["SuspEvents"][0]["EventStatus"], 2);
}

#[tokio::test]
async fn alert_times_are_the_instant_the_scan_ended_whoever_looks_and_whenever() {
    let mock = mock_with("{}").await;
    scan_web(&mock).await;
    mock.advance("1h").await;
    let found = events(&mock, &[]).await;
    let event = &found["SuspEvents"][0];
    let ended = 1_767_225_600_000_i64 + 6_000;
    assert_eq!(event["LastTimeStamp"], ended);
    assert_eq!(event["OccurrenceTimeStamp"], ended);
    assert_eq!(
        event["LastTime"], "2026-01-01 08:00:06",
        "UTC+8, as the service writes it"
    );
}

#[tokio::test]
async fn a_failed_scan_raises_nothing_and_a_clean_or_unknown_machine_nothing_either() {
    let failing = mock_with(r#"{"schedule": {"outcome": "Failed"}}"#).await;
    let task_id = scan_web(&failing).await;
    assert_eq!(
        failing.describe_as("testid", task_id).await.progress(),
        "Failed"
    );
    assert_eq!(events(&failing, &[]).await["TotalCount"], 0);
    let mock = Mock::new();
    start(
        &mock,
        "testid",
        &[("uuid", DB), ("uuid", "not-a-machine-of-ours")],
    )
    .await;
    mock.advance(SCAN_TIME).await;
    assert_eq!(events(&mock, &[]).await["TotalCount"], 0);
    let latest = call(
        &mock,
        "DescribeLatestScanTask",
        &[("AccessKeyId", "testid")],
    )
    .await;
    assert_eq!(
        latest.json["Uuids"],
        serde_json::json!([DB, "not-a-machine-of-ours"])
    );
    assert_eq!(latest.json["RiskNum"], 0);
}

#[tokio::test]
async fn a_group_target_covers_every_machine_of_the_group() {
    let mock = Mock::new();
    start(&mock, "testid", &[("groupId", "1001")]).await;
    let before = call(
        &mock,
        "DescribeLatestScanTask",
        &[("AccessKeyId", "testid")],
    )
    .await;
    assert_eq!(before.json["Uuids"], serde_json::json!([WEB, DB]));
    assert_eq!(before.json["RiskNum"], 0, "not settled before it ends");
    mock.advance(SCAN_TIME).await;
    let after = call(
        &mock,
        "DescribeLatestScanTask",
        &[("AccessKeyId", "testid")],
    )
    .await;
    assert_eq!(after.json["RiskNum"], 2);
    assert!(after.json["TargetInfo"]
        .as_str()
        .unwrap()
        .contains("\"groupId\""));
    assert_eq!(events(&mock, &[]).await["TotalCount"], 2);
}

#[tokio::test]
async fn a_later_scan_refreshes_an_open_alert_and_a_dealt_one_is_raised_anew_unless_whitelisted() {
    let mock = Mock::new();
    scan_web(&mock).await;
    let first = events(&mock, &[]).await;
    let [newer, older] = ids(&first)[..] else {
        panic!("two alerts: {first}")
    };
    scan_web(&mock).await;
    let again = events(&mock, &[]).await;
    assert_eq!(ids(&again), [newer, older], "refreshed, not duplicated");
    let bumped = |a: &serde_json::Value, b: &serde_json::Value| {
        b["SuspEvents"][0]["LastTimeStamp"].as_i64().unwrap()
            - a["SuspEvents"][0]["LastTimeStamp"].as_i64().unwrap()
    };
    assert_eq!(bumped(&first, &again), 6_000);
    assert_eq!(
        again["SuspEvents"][0]["OccurrenceTimeStamp"],
        first["SuspEvents"][0]["OccurrenceTimeStamp"]
    );
    for (id, code) in [(newer, "manual_handled"), (older, "advance_mark_mis_info")] {
        let id = id.to_string();
        let params = [
            ("AccessKeyId", "testid"),
            ("OperationCode", code),
            ("SecurityEventIds.1", &id[..]),
        ];
        assert_eq!(
            call(&mock, "HandleSecurityEvents", &params).await.status,
            StatusCode::OK
        );
    }
    scan_web(&mock).await;
    let third = events(&mock, &[("Dealed", "N")]).await;
    assert_eq!(
        third["TotalCount"], 1,
        "the whitelisted finding stays quiet: {third}"
    );
    assert!(
        ids(&third)[0] > older.max(newer),
        "a new alert for the handled finding"
    );
    let statuses = events(&mock, &[("Dealed", "Y")]).await;
    let codes: Vec<i64> = (statuses["SuspEvents"].as_array().unwrap().iter())
        .map(|e| e["EventStatus"].as_i64().unwrap())
        .collect();
    assert_eq!(codes.len(), 2);
    assert!(codes.contains(&32) && codes.contains(&8), "{codes:?}");
}

#[tokio::test]
async fn handle_security_events_refuses_what_it_cannot_handle() {
    let mock = Mock::new();
    scan_web(&mock).await;
    let id = ids(&events(&mock, &[]).await)[0].to_string();
    let cases: [(Params, &str); 5] = [
        (&[("OperationCode", "ignore")], "MissingSecurityEventIds"),
        (&[("SecurityEventIds.1", &id)], "MissingOperationCode"),
        (
            &[("OperationCode", "shrug"), ("SecurityEventIds.1", &id)],
            "IllegalParam",
        ),
        (
            &[("OperationCode", "ignore"), ("SecurityEventIds.1", "x")],
            "IllegalParam",
        ),
        (
            &[("OperationCode", "ignore"), ("SecurityEventIds.1", "12")],
            "IllegalParam",
        ),
    ];
    for (params, code) in cases {
        let mut all = vec![("AccessKeyId", "testid")];
        all.extend_from_slice(params);
        let answer = call(&mock, "HandleSecurityEvents", &all).await;
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (400, code),
            "{params:?}"
        );
    }
    assert_eq!(
        events(&mock, &[("Dealed", "N")]).await["TotalCount"],
        2,
        "nothing was handled"
    );
}

#[tokio::test]
async fn scan_statistics_count_alerts_by_level_and_the_scans_started() {
    let mock = Mock::new();
    scan_web(&mock).await;
    let id = ids(&events(&mock, &[("Levels", "serious")]).await)[0].to_string();
    let params = [
        ("AccessKeyId", "testid"),
        ("OperationCode", "deal"),
        ("SecurityEventIds.1", &id[..]),
    ];
    call(&mock, "HandleSecurityEvents", &params).await;
    start(&mock, "testid", &[("uuid", DB)]).await;
    let cases = [("", 2, 1), ("serious", 1, 1), ("suspicious,remind", 1, 0)];
    for (levels, found, dealt) in cases {
        let answer = call(
            &mock,
            "DescribeScanTaskStatistics",
            &[("AccessKeyId", "testid"), ("Levels", levels)],
        )
        .await;
        let got = (
            &answer.json["UserNum"],
            &answer.json["DealedRiskNum"],
            &answer.json["TotalTaskNum"],
        );
        assert_eq!(
            got,
            (&found.into(), &dealt.into(), &2.into()),
            "{levels}: {}",
            answer.text
        );
    }
    let bad = call(&mock, "DescribeScanTaskStatistics", &[("Levels", "high")]).await;
    assert_eq!(bad.code(), "InvalidParameter");
}

#[tokio::test]
async fn a_reset_forgets_scans_and_alerts_of_every_account_or_of_one() {
    let mock = Mock::with(crate::support::settings(), &[DEFAULT_FIXTURES]);
    scan_web(&mock).await;
    start(&mock, "otherid", &[("uuid", WEB)]).await;
    mock.advance(SCAN_TIME).await;
    let count = |key: &'static str| {
        let mock = &mock;
        async move {
            call(mock, "DescribeSuspEvents", &[("AccessKeyId", key)])
                .await
                .json["TotalCount"]
                .clone()
        }
    };
    assert_eq!(
        (count("testid").await, count("otherid").await),
        (2.into(), 2.into())
    );
    mock.admin(
        axum::http::Method::POST,
        "/reset?accountId=6543210987654321",
        None,
    )
    .await;
    assert_eq!(
        (count("testid").await, count("otherid").await),
        (2.into(), 0.into())
    );
    mock.admin(axum::http::Method::POST, "/reset", None).await;
    assert_eq!(count("testid").await, 0);
    let latest = call(
        &mock,
        "DescribeLatestScanTask",
        &[("AccessKeyId", "testid")],
    )
    .await;
    assert_eq!(
        (
            latest.json["LastCheckTime"].as_i64(),
            latest.json["TargetInfo"].as_str()
        ),
        (Some(0), Some("[]"))
    );
}
