//! Flow control on the mock's clock, and the poll cadence a test can assert its client kept.

use axum::http::{Method, StatusCode};
use sas_mock::fixtures::DEFAULT_FIXTURES;
use serde_json::json;

use crate::support::{settings, Mock};

const LIMIT: &str = r#"{"limits": [{"action": "DescribeScanTaskProgress", "accessKeyId": "testid",
                                    "rate": "2/s", "burst": 2, "retryAfter": "500ms"}]}"#;

fn limited() -> Mock {
    Mock::with(settings(), &[DEFAULT_FIXTURES, LIMIT])
}

#[tokio::test]
async fn a_limit_throttles_past_its_burst_until_the_clock_brings_a_token_back() {
    let mock = limited();
    assert_eq!(
        mock.describe_as("testid", 100003).await.status,
        StatusCode::OK
    );
    assert_eq!(
        mock.describe_as("testid", 100003).await.status,
        StatusCode::OK
    );
    let throttled = mock.describe_as("testid", 100003).await;
    assert_eq!(
        (
            throttled.status.as_u16(),
            throttled.code(),
            throttled.json["Message"].as_str()
        ),
        (
            400,
            "Throttling.User",
            Some("Request was denied due to user flow control.")
        )
    );
    assert_eq!(throttled.header("x-acs-retry-after"), "500");
    mock.advance("499ms").await;
    assert_eq!(
        mock.describe_as("testid", 100003).await.code(),
        "Throttling.User"
    );
    mock.advance("1ms").await;
    assert_eq!(
        mock.describe_as("testid", 100003).await.status,
        StatusCode::OK
    );
    let other_account = mock.describe_as("otherid", 100003).await;
    assert_eq!(
        other_account.status,
        StatusCode::OK,
        "the limit is testid's account's"
    );
    assert_eq!(mock.rpc("Action=StartVirusScanTask&AccessKeyId=testid&TargetInfo=%5B%7B%22type%22%3A%22uuid%22%2C%22target%22%3A%22a%22%7D%5D").await.status, StatusCode::OK, "another action");
    let journal = mock
        .admin(Method::GET, "/requests?code=Throttling.User", None)
        .await;
    let entries = journal.json["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (
            entries[0]["limitId"].as_u64(),
            entries[0]["status"].as_u64()
        ),
        (Some(1), Some(400))
    );
    assert!(entries[0]["reason"]
        .as_str()
        .unwrap()
        .contains("next token comes in"));
}

#[tokio::test]
async fn limits_apply_before_faults_and_can_answer_any_error() {
    let mock = Mock::new();
    mock.admin(
        Method::POST,
        "/faults",
        Some(json!({"error": "ServerError"})),
    )
    .await;
    let added = mock
        .admin(
            Method::POST,
            "/limits",
            Some(json!({"rate": "1/m", "burst": 1, "error": "Throttling.Api"})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(
        mock.describe(100003).await.code(),
        "ServerError",
        "the first request passes the limit"
    );
    assert_eq!(mock.describe(100003).await.code(), "Throttling.Api");
    let faults = mock.admin(Method::GET, "/faults", None).await;
    let fired: u64 = (faults.json["faults"].as_array().unwrap().iter())
        .filter_map(|f| f["fired"].as_u64())
        .sum();
    assert_eq!(
        fired, 1,
        "a throttled request never reaches the fault rules"
    );
    let limits = mock.admin(Method::GET, "/limits", None).await;
    assert_eq!(limits.json["limits"][0]["throttled"], 1);
    assert_eq!(limits.json["limits"][0]["rate"], "1/m");
}

#[tokio::test]
async fn a_reset_refills_the_buckets_and_drops_admin_limits() {
    let mock = limited();
    mock.admin(Method::POST, "/limits", Some(json!({"rate": "1/h"})))
        .await;
    for _ in 0..2 {
        mock.describe_as("testid", 100003).await;
    }
    assert_eq!(
        mock.describe_as("testid", 100003).await.code(),
        "Throttling.User"
    );
    mock.admin(Method::POST, "/reset", None).await;
    assert_eq!(
        mock.describe_as("testid", 100003).await.status,
        StatusCode::OK
    );
    let listed = mock.admin(Method::GET, "/limits", None).await;
    assert_eq!(
        listed.json["limits"].as_array().unwrap().len(),
        1,
        "the fixture's limit only"
    );
}

#[tokio::test]
async fn bad_limits_name_the_field() {
    let mock = Mock::new();
    for (limit, needle) in [
        (json!({"rate": "2 per second"}), "expected a rate such as"),
        (
            json!({"rate": "2/s", "action": "DescribeScanTaskProgres"}),
            "did you mean",
        ),
        (json!({"rate": "2/s", "burst": 0}), "burst"),
        (
            json!({"rate": "2/s", "error": "Nope"}),
            "unknown error code",
        ),
    ] {
        let refused = mock
            .admin(Method::POST, "/limits", Some(limit.clone()))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{limit}");
        assert!(
            refused.json["Message"].as_str().unwrap().contains(needle),
            "{limit}: {}",
            refused.text
        );
    }
}

#[tokio::test]
async fn a_tasks_poll_cadence_is_reported_on_the_mocks_clock() {
    let mock = Mock::new();
    let never = mock
        .admin(Method::GET, "/tasks/282832?accessKeyId=testid", None)
        .await;
    assert_eq!(
        never.status,
        StatusCode::NOT_FOUND,
        "not polled yet, so not held yet"
    );
    mock.describe_as("testid", 282832).await;
    let first = mock.state.clock.now();
    mock.advance("1500ms").await;
    mock.describe_as("testid", 282832).await;
    mock.advance("700ms").await;
    mock.describe_as("testid", 282832).await;
    mock.advance("2s").await;
    mock.describe_as("testid", 282832).await;
    let task = mock
        .admin(Method::GET, "/tasks/282832?accessKeyId=testid", None)
        .await
        .json;
    assert_eq!(task["polls"], 4);
    assert_eq!(task["shortestPollIntervalMillis"], 700);
    assert_eq!(
        task["firstPoll"],
        sas_mock::model::clock::format_rfc3339(first)
    );
    assert_eq!(
        task["lastPoll"],
        sas_mock::model::clock::format_rfc3339(first + 4_200)
    );
    let started = mock.start(Some("testid")).await.json["ScanTaskId"]
        .as_i64()
        .unwrap();
    let fresh = mock
        .admin(Method::GET, &format!("/tasks/{started}"), None)
        .await
        .json;
    assert_eq!(
        (
            fresh["polls"].as_u64(),
            fresh["firstPoll"].is_null(),
            fresh["shortestPollIntervalMillis"].is_null()
        ),
        (Some(0), true, true)
    );
}
