//! The dashboard's server side: the account list it offers.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::Mock;

#[tokio::test]
async fn accounts_lists_those_seen_in_tasks_the_journal_and_rules_with_their_keys() {
    let mock = Mock::new();
    mock.describe_as("testid", 100001).await;
    mock.describe_as("readonly-id", 100002).await;
    mock.describe_as("otherid", 100001).await;
    let fault = json!({"match": {"accountId": "fault-only"}, "error": "ServerError"});
    let added = mock.admin(Method::POST, "/faults", Some(fault)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);

    let answer = mock.admin(Method::GET, "/accounts", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let accounts = answer.json["accounts"].as_array().unwrap();
    let ids: Vec<&str> = accounts
        .iter()
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1234567890123456", "6543210987654321", "fault-only"]);
    assert_eq!(
        accounts[0],
        json!({"accountId": "1234567890123456", "accessKeyIds": ["readonly-id", "testid"],
               "tasks": 2, "requests": 2})
    );
    assert_eq!(accounts[2]["accessKeyIds"], json!([]));
}

#[tokio::test]
async fn accounts_forget_what_a_reset_forgets() {
    let mock = Mock::new();
    mock.describe_as("otherid", 100001).await;
    assert_eq!(account_ids(&mock).await, ["6543210987654321"]);
    assert_eq!(
        mock.admin(Method::POST, "/reset", None).await.status,
        StatusCode::OK
    );
    assert!(account_ids(&mock).await.is_empty());
}

async fn account_ids(mock: &Mock) -> Vec<String> {
    let answer = mock.admin(Method::GET, "/accounts", None).await;
    (answer.json["accounts"].as_array().unwrap().iter())
        .map(|a| a["accountId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_journal_gives_the_detail_view_the_rule_parameters_and_answer_of_an_error() {
    let mock = Mock::new();
    let answer = mock.describe(403403).await;
    assert_eq!(answer.code(), "NoPermission");
    let journal = mock
        .admin(Method::GET, "/requests?code=NoPermission", None)
        .await;
    let entry: &Value = &journal.json["requests"][0];
    assert_eq!(entry["status"], 403);
    assert!(entry["faultId"].as_u64().is_some(), "{entry}");
    assert!(
        (entry["params"].as_array().unwrap().iter()).any(|p| p == &json!(["TaskId", "403403"])),
        "{entry}"
    );
    let body: Value = serde_json::from_str(entry["response"].as_str().unwrap()).unwrap();
    assert_eq!(body["Code"], "NoPermission");
}
