//! The admin API: tasks, fixtures, reset, clock, journal, token, and clear errors for bad input.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use sas_mock::fixtures::DEFAULT_FIXTURES;
use sas_mock::settings::Settings;
use serde_json::{json, Value};

use crate::support::{settings, Mock};

#[tokio::test]
async fn tasks_can_be_created_read_listed_and_deleted() {
    let mock = Mock::new();
    let created = mock.admin(Method::POST, "/tasks", Some(json!({"accessKeyId": "testid", "targetInfo": [{"type": "groupId", "name": "g", "target": "8"}], "progress": "Failed"}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["taskId"].as_i64().unwrap();
    assert_eq!(created.json["accountId"], "1234567890123456");
    assert_eq!(mock.describe_as("testid", id).await.progress(), "Failed");
    let read = mock.admin(Method::GET, &format!("/tasks/{id}"), None).await;
    assert_eq!(
        (read.json["polls"].as_u64(), read.json["pinned"].as_bool()),
        (Some(1), Some(true))
    );
    let listed = mock.admin(Method::GET, "/tasks", None).await;
    assert!(listed.json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["taskId"] == id));
    assert_eq!(
        mock.admin(Method::DELETE, &format!("/tasks/{id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        mock.admin(Method::GET, &format!("/tasks/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_task_id_held_by_several_accounts_needs_an_account_to_be_read() {
    let mock = Mock::new();
    mock.describe_as("testid", 100001).await;
    mock.describe_as("otherid", 100001).await;
    let ambiguous = mock.admin(Method::GET, "/tasks/100001", None).await;
    assert_eq!(
        (ambiguous.status.as_u16(), ambiguous.code()),
        (409, "AmbiguousTask")
    );
    let one = mock
        .admin(Method::GET, "/tasks/100001?accessKeyId=otherid", None)
        .await;
    assert_eq!(one.json["accountId"], "6543210987654321");
}

#[tokio::test]
async fn bad_admin_input_gets_a_clear_400() {
    let mock = Mock::new();
    let cases = [
        (Method::POST, "/tasks", "{not json", "invalid JSON body"),
        (
            Method::POST,
            "/tasks",
            r#"{"taskid": 1}"#,
            "unknown field `taskid`",
        ),
        (
            Method::POST,
            "/tasks",
            r#"{"schedule": {"init": "later"}}"#,
            "schedule.init",
        ),
        (
            Method::POST,
            "/tasks",
            r#"{"targetInfo": "[]"}"#,
            "targetInfo",
        ),
        (
            Method::POST,
            "/tasks",
            r#"{"accountId": "1", "accessKeyId": "testid"}"#,
            "not both",
        ),
        (Method::GET, "/tasks/abc", "", "whole number"),
        (
            Method::POST,
            "/clock",
            r#"{"advance": "1s", "set": "2026-01-01T00:00:00Z"}"#,
            "exactly one",
        ),
        (Method::POST, "/clock", r#"{"set": "tomorrow"}"#, "RFC 3339"),
        (
            Method::POST,
            "/clock",
            r#"{"advance": "-1s"}"#,
            "expected a duration",
        ),
        (Method::GET, "/requests?limit=many", "", "limit"),
        (Method::DELETE, "/faults/x", "", "whole number"),
    ];
    for (method, path, body, needle) in cases {
        let answer = mock
            .send(method, &format!("/__admin{path}"), &[], body.to_owned())
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{path} {body}: {}",
            answer.text
        );
        assert!(
            answer.json["Message"].as_str().unwrap().contains(needle),
            "{path} {body}: {}",
            answer.text
        );
    }
    let unknown = mock.admin(Method::GET, "/nothing", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let wrong_method = mock.admin(Method::PUT, "/clock", None).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn fixtures_load_at_runtime_and_bad_ones_name_the_path() {
    let mock = Mock::new();
    let doc = json!({"tasks": [{"taskId": 282832, "progress": "Failed"}], "faults": [{"match": {"taskId": 9}, "error": "Forbidden"}]});
    let loaded = mock.admin(Method::POST, "/fixtures", Some(doc)).await;
    assert_eq!(
        loaded.json["loaded"],
        json!({"accounts": 0, "tasks": 1, "faults": 1, "stubs": 0, "limits": 0, "machines": 0}),
        "{}",
        loaded.text
    );
    assert_eq!(
        mock.describe(282832).await.progress(),
        "Failed",
        "the shared task is replaced"
    );
    assert_eq!(mock.describe(9).await.code(), "Forbidden");
    let bad = mock
        .admin(
            Method::POST,
            "/fixtures",
            Some(json!({"tasks": [{"taskId": 1, "schedule": {"outcome": "Maybe"}}]})),
        )
        .await;
    assert_eq!((bad.status.as_u16(), bad.code()), (400, "InvalidFixture"));
    assert!(
        bad.json["Message"]
            .as_str()
            .unwrap()
            .starts_with("request body: tasks[0].schedule.outcome: expected"),
        "{}",
        bad.text
    );
}

#[tokio::test]
async fn reset_returns_to_the_loaded_fixtures() {
    let mock = Mock::new();
    mock.describe(282832).await;
    mock.describe(282832).await;
    mock.admin(
        Method::POST,
        "/faults",
        Some(json!({"error": "ServerError"})),
    )
    .await;
    let started = mock
        .admin(Method::POST, "/tasks", Some(json!({"taskId": 5})))
        .await;
    assert_eq!(started.status, StatusCode::CREATED);
    assert_eq!(
        mock.admin(Method::POST, "/reset", None).await.json["reset"],
        "all"
    );
    assert_eq!(
        mock.describe(282832).await.progress(),
        "init",
        "polls start over"
    );
    assert_eq!(
        mock.describe(403403).await.code(),
        "NoPermission",
        "fixture faults are back"
    );
    let journal = mock.admin(Method::GET, "/requests", None).await;
    assert_eq!(journal.json["requests"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_journal_records_every_request_and_filters_them() {
    let mock = Mock::new();
    mock.describe_as("testid", 100001).await;
    mock.start(Some("otherid")).await;
    mock.describe(403403).await;
    let all = mock.admin(Method::GET, "/requests", None).await;
    let entries = all.json["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["action"], "DescribeScanTaskProgress");
    assert_eq!(
        (
            entries[0]["accessKeyId"].as_str(),
            entries[0]["taskId"].as_i64(),
            entries[0]["status"].as_u64()
        ),
        (Some("testid"), Some(100001), Some(200))
    );
    assert_eq!(
        (entries[2]["status"].as_u64(), entries[2]["code"].as_str()),
        (Some(403), Some("NoPermission"))
    );
    let by_key = mock
        .admin(Method::GET, "/requests?accessKeyId=otherid", None)
        .await;
    assert_eq!(by_key.json["requests"][0]["action"], "StartVirusScanTask");
    let latest = mock
        .admin(
            Method::GET,
            "/requests?action=DescribeScanTaskProgress&limit=1",
            None,
        )
        .await;
    assert_eq!(latest.json["requests"][0]["taskId"], 403403);
    assert_eq!(
        mock.admin(Method::DELETE, "/requests", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        mock.admin(Method::GET, "/requests", None).await.json["requests"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[tokio::test]
async fn the_journal_is_a_bounded_ring_buffer() {
    let mock = Mock::with(
        Settings {
            journal_size: 3,
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    );
    for id in 1..=5 {
        mock.describe(id).await;
    }
    let entries = mock.admin(Method::GET, "/requests", None).await;
    let ids: Vec<i64> = entries.json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["taskId"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 4, 5]);
}

#[tokio::test]
async fn an_admin_token_guards_every_route_but_health_and_the_dashboard_page() {
    let mock = Mock::with(
        Settings {
            admin_token: Some("s3cret".into()),
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    );
    // Every route but health, each method it takes: refused without the token, and changing
    // nothing (the task count and the clock stay as they were).
    let tasks_before = mock.state.tasks.live.len();
    let clock_before = mock.state.clock.now();
    let routes: [(Method, &str, Option<Value>); 17] = [
        (Method::GET, "/tasks", None),
        (Method::POST, "/tasks", Some(json!({"taskId": 77}))),
        (Method::GET, "/tasks/282832", None),
        (Method::DELETE, "/tasks/282832", None),
        (Method::GET, "/faults", None),
        (
            Method::POST,
            "/faults",
            Some(json!({"error": "ServerError"})),
        ),
        (Method::DELETE, "/faults", None),
        (Method::DELETE, "/faults/1", None),
        (
            Method::POST,
            "/fixtures",
            Some(json!({"tasks": [{"taskId": 78}]})),
        ),
        (Method::POST, "/reset", None),
        (Method::GET, "/clock", None),
        (Method::POST, "/clock", Some(json!({"advance": "1h"}))),
        (Method::GET, "/requests", None),
        (Method::DELETE, "/requests", None),
        (Method::GET, "/tasks?accountId=1", None),
        (Method::POST, "/reset?accountId=1", None),
        (Method::DELETE, "/faults?accountId=1", None),
    ];
    for (method, path, body) in routes {
        let refused = mock.admin(method.clone(), path, body).await;
        assert_eq!(
            (refused.status.as_u16(), refused.code()),
            (401, "InvalidAdminToken"),
            "{method} {path}"
        );
        assert_eq!(
            refused.json["HostId"], "sas-mock",
            "the mock's own error says so"
        );
    }
    assert_eq!(mock.state.tasks.live.len(), tasks_before);
    assert_eq!(mock.state.clock.now(), clock_before);
    assert_eq!(
        mock.state.faults.rules.list().len(),
        2,
        "the fixture rules are untouched"
    );
    let wrong = mock
        .send(
            Method::GET,
            "/__admin/tasks",
            &[("authorization", "Bearer nope")],
            Body::empty(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let allowed = mock
        .send(
            Method::GET,
            "/__admin/tasks",
            &[("authorization", "Bearer s3cret")],
            Body::empty(),
        )
        .await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(
        mock.admin(Method::GET, "/health", None).await.json["status"],
        "ok"
    );
}

#[tokio::test]
async fn an_admin_path_segment_that_is_not_utf8_is_a_400_in_the_usual_error_shape() {
    let mock = Mock::new();
    for (method, path) in [
        (Method::GET, "/tasks/%FF"),
        (Method::DELETE, "/tasks/%C3%28"),
        (Method::DELETE, "/faults/%FF"),
    ] {
        let answer = mock.admin(method, path, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            answer.code(),
            "InvalidAdminRequest",
            "{path}: {}",
            answer.text
        );
        assert!(answer.json["RequestId"].is_string(), "{}", answer.text);
    }
}

#[tokio::test]
async fn admin_bodies_over_the_body_limit_get_413_in_the_usual_error_shape() {
    let small = Mock::with(
        Settings {
            max_admin_body_bytes: 64,
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    );
    let padded = format!(r#"{{"advance": "1s"{}}}"#, " ".repeat(64));
    for path in ["/clock", "/faults", "/tasks", "/fixtures"] {
        let answer = small
            .send(
                Method::POST,
                &format!("/__admin{path}"),
                &[],
                padded.clone(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(
            answer.code(),
            "RequestEntityTooLarge",
            "{path}: {}",
            answer.text
        );
        assert_eq!(
            answer.json["Message"],
            "The request body is larger than 64 bytes."
        );
    }
    // Beyond axum's own 2 MB default, a fixture document still loads under the default limit.
    let mock = Mock::new();
    let huge = format!(r#"{{"tasks": []{}}}"#, " ".repeat(3 << 20));
    let answer = mock
        .send(Method::POST, "/__admin/fixtures", &[], Body::from(huge))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn a_blank_account_or_access_key_is_refused_rather_than_acted_on() {
    let mock = Mock::new();
    let tasks_before = mock.state.tasks.live.len();
    for (method, path, body) in [
        (Method::POST, "/tasks", Some(json!({"accountId": ""}))),
        (Method::POST, "/tasks", Some(json!({"accessKeyId": " "}))),
        (Method::GET, "/tasks?accountId=", None),
        (Method::GET, "/tasks/282832?accessKeyId=", None),
        (Method::POST, "/reset?accountId=", None),
        (Method::DELETE, "/faults?accountId=%20", None),
        (Method::DELETE, "/requests?accountId=", None),
    ] {
        let answer = mock.admin(method.clone(), path, body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{method} {path}");
        assert!(
            answer.json["Message"]
                .as_str()
                .unwrap()
                .ends_with("must not be empty"),
            "{method} {path}: {}",
            answer.text
        );
    }
    assert_eq!(mock.state.tasks.live.len(), tasks_before);
}
