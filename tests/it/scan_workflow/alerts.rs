//! Reading alerts: DescribeSuspEvents' filters and paging, the event's fields, per-account
//! isolation, determinism under the seed, and the pipeline (faults, deny, journal) around it all.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::{call, events, ids, mock_with, scan_web, start, SCAN_TIME, WEB};
use crate::support::{settings, Mock};

#[tokio::test]
async fn describe_susp_events_filters_as_documented() {
    let mock = mock_with("{}").await;
    scan_web(&mock).await;
    let cases: &[(&[(&str, &str)], usize)] = &[
        (&[], 2),
        (&[("Uuids", "a,503201a7-14c6-4280-801b-1169ed420000")], 2),
        (&[("Uuids", "7a8b9c0d-2e3f-4a5b-8c6d-000000000002")], 0),
        (&[("Levels", "serious")], 1),
        (&[("Levels", "suspicious,remind")], 1),
        (&[("Dealed", "N")], 2),
        (&[("Dealed", "Y")], 0),
        (&[("Status", "1")], 2),
        (&[("Status", "0")], 2),
        (&[("Status", "2,32")], 0),
        (&[("Name", "Mirai")], 1),
        (&[("Name", "web-1")], 2),
        (&[("Remark", "172.16.0.5")], 2),
        (&[("Remark", "nothing like it")], 0),
        (
            &[
                ("TimeStart", "2026-01-01 08:00:06"),
                ("TimeEnd", "2026-01-01 08:00:06"),
            ],
            2,
        ),
        (&[("TimeStart", "2026-01-01 08:00:07")], 0),
        (&[("TimeEnd", "2026-01-01 08:00:05")], 0),
        (&[("GroupId", "1001")], 2),
        (&[("GroupId", "7")], 0),
        (&[("ParentEventTypes", "Web shell")], 1),
        (&[("TacticId", "TA0002"), ("Lang", "en")], 2),
    ];
    for (params, expected) in cases {
        let found = events(&mock, params).await;
        assert_eq!(found["TotalCount"], *expected, "{params:?}");
        assert_eq!(found["Count"], *expected, "{params:?}");
    }
    let id = ids(&events(&mock, &[]).await)[1].to_string();
    assert_eq!(
        ids(&events(&mock, &[("Id", &id)]).await),
        [id.parse::<i64>().unwrap()]
    );
    for (name, value) in [
        ("Dealed", "maybe"),
        ("Status", "x"),
        ("Levels", "high"),
        ("TimeStart", "2026-01-01"),
    ] {
        let answer = call(&mock, "DescribeSuspEvents", &[(name, value)]).await;
        assert_eq!(answer.code(), "InvalidParameter", "{name}={value}");
    }
}

#[tokio::test]
async fn pages_hold_at_most_100_events_and_every_page_counts_right() {
    let findings: Vec<Value> = (0..130)
        .map(|i| json!({"name": format!("Trojan.{i:03}"), "level": "remind"}))
        .collect();
    let fixture = json!({"machines": [{"uuid": WEB, "findings": findings}]}).to_string();
    let mock = mock_with(&fixture).await;
    scan_web(&mock).await;
    let pages = [
        (("1", "500"), (1, 100, 100)),
        (("2", "500"), (2, 100, 30)),
        (("3", "50"), (3, 50, 30)),
        (("4", "50"), (4, 50, 0)),
        (("", ""), (1, 20, 20)),
    ];
    let mut seen = Vec::new();
    for ((current, size), (page, page_size, count)) in pages {
        let found = events(&mock, &[("CurrentPage", current), ("PageSize", size)]).await;
        let got = (
            &found["CurrentPage"],
            &found["PageSize"],
            &found["Count"],
            &found["TotalCount"],
        );
        assert_eq!(
            got,
            (&page.into(), &page_size.into(), &count.into(), &130.into()),
            "{current}/{size}"
        );
        if size == "500" {
            seen.extend(ids(&found));
        }
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen.len(),
        130,
        "the two pages of 100 hold every event once"
    );
}

#[tokio::test]
async fn an_event_carries_what_the_mock_knows_about_the_machine_and_the_finding() {
    let mock = mock_with("{}").await;
    scan_web(&mock).await;
    let found = events(&mock, &[("Levels", "serious")]).await;
    let event = &found["SuspEvents"][0];
    let expected = json!({
        "Uuid": WEB, "InstanceId": "i-bp1example0001", "InstanceName": "web-1",
        "InternetIp": "47.0.0.1", "IntranetIp": "172.16.0.5", "Level": "serious",
        "Name": "Trojan:Linux/Mirai.B", "AlarmEventTypeDisplay": "Malicious process (cloud scan)",
        "EventStatus": 1, "OperateTime": 0, "SourceAliUid": 1_234_567_890_123_456_i64, "clusterId": "",
        "OccurrenceTime": "2026-01-01 08:00:06",
    });
    for (name, value) in expected.as_object().unwrap() {
        assert_eq!(&event[name], value, "{name}");
    }
    assert_eq!(
        event["SecurityEventIds"],
        event["Id"].as_i64().unwrap().to_string()
    );
    assert_eq!(
        event["Details"][0],
        json!({"NameDisplay": "File path", "Type": "text",
        "Value": "/tmp/.x/mirai", "ValueDisplay": "/tmp/.x/mirai"})
    );
    assert_eq!(
        event.as_object().unwrap().len(),
        58,
        "every field of the SDK's model"
    );
}

#[tokio::test]
async fn each_account_sees_and_handles_only_its_own_alerts() {
    let mock = Mock::new();
    scan_web(&mock).await;
    let mine = ids(&events(&mock, &[]).await);
    let theirs = call(&mock, "DescribeSuspEvents", &[("AccessKeyId", "otherid")]).await;
    assert_eq!(
        theirs.json["TotalCount"], 0,
        "the shared machine's alerts are per account"
    );
    let id = mine[0].to_string();
    let params = [
        ("AccessKeyId", "otherid"),
        ("OperationCode", "ignore"),
        ("SecurityEventIds.1", &id[..]),
    ];
    assert_eq!(
        call(&mock, "HandleSecurityEvents", &params).await.code(),
        "IllegalParam"
    );
    let operated = call(
        &mock,
        "OperateVirusEvents",
        &[
            ("AccessKeyId", "otherid"),
            ("OperationCode", "ignore"),
            ("OperationAll", "1"),
        ],
    )
    .await;
    assert_eq!(operated.status, StatusCode::OK);
    assert_eq!(
        events(&mock, &[("Dealed", "N")]).await["TotalCount"],
        2,
        "testid's alerts untouched"
    );
    start(&mock, "otherid", &[("uuid", WEB)]).await;
    mock.advance(SCAN_TIME).await;
    let other = call(&mock, "DescribeSuspEvents", &[("AccessKeyId", "otherid")]).await;
    assert_eq!(other.json["TotalCount"], 2);
    assert_eq!(
        ids(&events(&mock, &[]).await),
        mine,
        "testid's alerts are not refreshed by otherid's scan"
    );
}

/// One fixed sequence of calls; what the last DescribeSuspEvents answered.
async fn story(seed: u64) -> Value {
    let mock = Mock::with(
        sas_mock::Settings { seed, ..settings() },
        &[sas_mock::fixtures::DEFAULT_FIXTURES],
    );
    mock.admin(
        Method::POST,
        "/clock",
        Some(json!({"set": "2026-01-01T00:00:00Z"})),
    )
    .await;
    scan_web(&mock).await;
    call(
        &mock,
        "CreateVirusScanOnceTask",
        &[("AccessKeyId", "testid")],
    )
    .await;
    mock.advance(SCAN_TIME).await;
    let id = ids(&events(&mock, &[]).await)[0].to_string();
    call(
        &mock,
        "HandleSecurityEvents",
        &[
            ("AccessKeyId", "testid"),
            ("OperationCode", "ignore"),
            ("SecurityEventIds.1", &id),
        ],
    )
    .await;
    events(&mock, &[]).await
}

#[tokio::test]
async fn alert_ids_times_and_order_are_the_same_under_the_same_seed() {
    let (a, b, c) = (story(7).await, story(7).await, story(8).await);
    assert_eq!(a, b);
    assert_ne!(ids(&a), ids(&c), "ids are drawn from the seed");
    assert_eq!(a["TotalCount"], 2);
}

#[tokio::test]
async fn faults_deny_rules_and_the_journal_apply_to_the_new_operations() {
    let mock = Mock::new();
    let rule =
        json!({"match": {"action": "DescribeSuspEvents"}, "error": "ServerError", "times": 1});
    mock.admin(Method::POST, "/faults", Some(rule)).await;
    assert_eq!(
        call(&mock, "DescribeSuspEvents", &[]).await.code(),
        "ServerError"
    );
    assert_eq!(
        call(&mock, "DescribeSuspEvents", &[]).await.status,
        StatusCode::OK
    );
    let denied = call(
        &mock,
        "OperateVirusEvents",
        &[
            ("AccessKeyId", "denied-id"),
            ("OperationCode", "ignore"),
            ("OperationAll", "1"),
        ],
    )
    .await;
    assert_eq!(
        (denied.status, denied.code()),
        (StatusCode::FORBIDDEN, "NoPermission")
    );
    let missing = call(&mock, "ListVirusScanMachine", &[("PageSize", "10")]).await;
    assert_eq!(missing.code(), "MissingCurrentPage");
    let journal = mock
        .admin(Method::GET, "/requests?action=OperateVirusEvents", None)
        .await;
    let entry = &journal.json["requests"][0];
    assert_eq!(
        (entry["status"].as_u64(), entry["code"].as_str()),
        (Some(403), Some("NoPermission"))
    );
    let stub = json!({"action": "DescribeSuspEvents", "response": {"TotalCount": 99}});
    mock.admin(Method::POST, "/stubs", Some(stub)).await;
    assert_eq!(
        call(&mock, "DescribeSuspEvents", &[]).await.json["TotalCount"],
        99,
        "a stub overrides"
    );
}
