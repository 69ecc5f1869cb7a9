//! Forcing errors: the documented ones from fixtures and the admin API, limited, by chance, delayed.

use axum::http::{Method, StatusCode};
use sas_mock::settings::Settings;
use serde_json::json;

use crate::support::{settings, Mock};

#[tokio::test]
async fn the_default_fixtures_force_both_documented_errors_in_exact_form() {
    let mock = Mock::new();
    for (task, status, code, message) in [
        (403403, 403, "NoPermission", "caller has no permission"),
        (500500, 500, "ServerError", "ServerError"),
    ] {
        let answer = mock.describe(task).await;
        assert_eq!(answer.status.as_u16(), status);
        let body = answer.json.as_object().unwrap();
        let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["Code", "HostId", "Message", "Recommend", "RequestId"]
        );
        assert!(
            answer.text.starts_with(r#"{"RequestId":""#),
            "{}",
            answer.text
        );
        assert_eq!(
            (body["Code"].as_str(), body["Message"].as_str()),
            (Some(code), Some(message))
        );
        assert_eq!(
            answer.header("x-acs-request-id"),
            body["RequestId"].as_str().unwrap()
        );
    }
}

#[tokio::test]
async fn an_admin_fault_fires_only_its_times_then_lets_requests_through() {
    let mock = Mock::new();
    let rule =
        json!({"match": {"action": "StartVirusScanTask"}, "error": "ServerError", "times": 2});
    let added = mock.admin(Method::POST, "/faults", Some(rule)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let codes: Vec<u16> = futures_codes(&mock, 4).await;
    assert_eq!(codes, [500, 500, 200, 200]);
    let listed = mock.admin(Method::GET, "/faults", None).await;
    let rule = listed.json["faults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["origin"] == "admin")
        .cloned()
        .unwrap();
    assert_eq!(rule["fired"], 2);
    let journal = mock
        .admin(Method::GET, "/requests?action=StartVirusScanTask", None)
        .await;
    let fault_ids: Vec<&serde_json::Value> = journal.json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["faultId"])
        .collect();
    assert_eq!(fault_ids[0], &rule["id"]);
}

async fn futures_codes(mock: &Mock, n: usize) -> Vec<u16> {
    let mut codes = Vec::new();
    for _ in 0..n {
        codes.push(mock.start(None).await.status.as_u16());
    }
    codes
}

#[tokio::test]
async fn custom_errors_carry_their_own_status_code_and_message() {
    let mock = Mock::new();
    let rule = json!({"match": {"taskId": 100001}, "error": {"status": 429, "code": "Throttling.User", "message": "slow down"}});
    mock.admin(Method::POST, "/faults", Some(rule)).await;
    let answer = mock.describe(100001).await;
    assert_eq!(
        (
            answer.status.as_u16(),
            answer.code(),
            answer.json["Message"].as_str()
        ),
        (429, "Throttling.User", Some("slow down"))
    );
    assert_eq!(
        mock.describe(100002).await.status,
        StatusCode::OK,
        "other tasks are untouched"
    );
}

#[tokio::test]
async fn faults_can_target_one_access_key() {
    let mock = Mock::new();
    mock.admin(
        Method::POST,
        "/faults",
        Some(json!({"match": {"accessKeyId": "testid"}, "error": "NoPermission"})),
    )
    .await;
    assert_eq!(
        mock.describe_as("testid", 100001).await.code(),
        "NoPermission"
    );
    assert_eq!(
        mock.describe_as("otherid", 100001).await.status,
        StatusCode::OK
    );
    assert_eq!(mock.describe(100001).await.status, StatusCode::OK);
}

#[tokio::test]
async fn probabilistic_faults_repeat_under_the_same_seed() {
    let run = |seed| async move {
        let mock = Mock::with(
            Settings { seed, ..settings() },
            &[sas_mock::fixtures::DEFAULT_FIXTURES],
        );
        mock.admin(
            Method::POST,
            "/faults",
            Some(json!({"error": "ServiceUnavailable", "probability": 0.3})),
        )
        .await;
        let mut codes = Vec::new();
        for _ in 0..30 {
            codes.push(mock.describe(100003).await.status.as_u16());
        }
        codes
    };
    let first = run(5).await;
    let failures = first.iter().filter(|c| **c == 503).count();
    assert!((2..=20).contains(&failures), "{failures} of 30");
    assert_eq!(first, run(5).await, "the same seed fires the same requests");
    assert_ne!(first, run(6).await, "another seed fires others");
}

#[tokio::test(start_paused = true)]
async fn a_delay_fault_holds_the_answer_then_answers_normally() {
    let mock = Mock::new();
    mock.admin(
        Method::POST,
        "/faults",
        Some(json!({"match": {"taskId": 100003}, "delay": "2s"})),
    )
    .await;
    let started = tokio::time::Instant::now();
    let answer = mock.describe(100003).await;
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert_eq!(answer.progress(), "Success");
}

#[tokio::test]
async fn clearing_faults_restores_normal_answers_and_bad_rules_are_refused() {
    let mock = Mock::new();
    mock.admin(
        Method::POST,
        "/faults",
        Some(json!({"error": "InternalError"})),
    )
    .await;
    assert_eq!(mock.describe(100003).await.status.as_u16(), 500);
    assert_eq!(
        mock.admin(Method::DELETE, "/faults", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(mock.describe(100003).await.status, StatusCode::OK);
    assert_eq!(
        mock.describe(403403).await.status,
        StatusCode::OK,
        "fixture faults are cleared too"
    );
    for bad in [
        json!({"error": "Nope"}),
        json!({"match": {"action": "Nope"}, "error": "ServerError"}),
        json!({}),
        json!({"error": "ServerError", "delay": "soon"}),
        json!({"error": "ServerError", "probability": 3}),
    ] {
        let answer = mock.admin(Method::POST, "/faults", Some(bad.clone())).await;
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (400, "InvalidAdminRequest"),
            "{bad}: {}",
            answer.text
        );
    }
}

#[tokio::test]
async fn a_fault_rule_for_a_task_also_answers_a_task_id_padded_with_spaces() {
    let mock = Mock::new();
    for task_id in ["403403", "%20403403", "403403+", "%09403403"] {
        let answer = mock
            .rpc(&format!("Action=DescribeScanTaskProgress&TaskId={task_id}"))
            .await;
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (403, "NoPermission"),
            "TaskId={task_id}: {}",
            answer.text
        );
    }
    let journal = mock.admin(Method::GET, "/requests", None).await;
    for entry in journal.json["requests"].as_array().unwrap() {
        assert_eq!(entry["taskId"], 403403, "{entry}");
    }
}

#[tokio::test]
async fn fixture_rules_keep_their_ids_across_resets_and_admin_ids_are_never_reused() {
    let mock = Mock::new();
    let ids = |answer: crate::support::Answer| -> Vec<(u64, String)> {
        (answer.json["faults"].as_array().unwrap().iter())
            .map(|f| {
                (
                    f["id"].as_u64().unwrap(),
                    f["origin"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let fixture_rules = ids(mock.admin(Method::GET, "/faults", None).await);
    assert_eq!(
        fixture_rules,
        [(1, "fixture".to_owned()), (2, "fixture".to_owned())]
    );
    let added = mock
        .admin(
            Method::POST,
            "/faults",
            Some(json!({"error": "ServerError"})),
        )
        .await;
    assert_eq!(added.json["id"], 3);
    mock.admin(Method::POST, "/reset", None).await;
    assert_eq!(
        ids(mock.admin(Method::GET, "/faults", None).await),
        fixture_rules
    );
    let again = mock
        .admin(
            Method::POST,
            "/faults",
            Some(json!({"error": "ServerError"})),
        )
        .await;
    assert_eq!(again.json["id"], 4, "an id is never given twice");
}
