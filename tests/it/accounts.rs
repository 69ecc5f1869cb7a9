//! Access keys select accounts; accounts never see each other's tasks; deny lists answer 403.

use axum::http::{Method, StatusCode};
use sas_mock::settings::UnknownTasks;

use crate::support::Mock;

#[tokio::test]
async fn denied_actions_answer_no_permission() {
    let mock = Mock::new();
    let denied = mock.start(Some("readonly-id")).await;
    assert_eq!(
        (
            denied.status.as_u16(),
            denied.code(),
            denied.json["Message"].as_str()
        ),
        (403, "NoPermission", Some("caller has no permission"))
    );
    assert_eq!(
        mock.describe_as("readonly-id", 100003).await.status,
        StatusCode::OK
    );
    assert_eq!(
        mock.describe_as("denied-id", 100003).await.code(),
        "NoPermission"
    );
}

#[tokio::test]
async fn two_accounts_never_see_each_others_tasks() {
    let mock = Mock::with_unknown_tasks(UnknownTasks::Error);
    let id = mock.start(Some("testid")).await.json["ScanTaskId"]
        .as_i64()
        .unwrap();
    assert_eq!(mock.describe_as("testid", id).await.status, StatusCode::OK);
    assert_eq!(
        mock.describe_as("otherid", id).await.code(),
        "InvalidTaskId.NotFound"
    );
    assert_eq!(
        mock.describe(id).await.code(),
        "InvalidTaskId.NotFound",
        "unsigned requests use the default account"
    );
    assert_eq!(
        mock.describe_as("stranger", id).await.code(),
        "InvalidTaskId.NotFound",
        "unknown keys get their own account"
    );
    let mine = mock
        .admin(Method::GET, "/tasks?accessKeyId=testid", None)
        .await;
    let ids: Vec<i64> = mine.json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskId"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id]);
    let theirs = mock
        .admin(Method::GET, "/tasks?accountId=6543210987654321", None)
        .await;
    assert_eq!(theirs.json["tasks"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn shared_fixture_tasks_progress_separately_in_each_account() {
    let mock = Mock::new();
    assert_eq!(mock.describe_as("testid", 282832).await.progress(), "init");
    assert_eq!(
        mock.describe_as("testid", 282832).await.progress(),
        "Processing"
    );
    assert_eq!(
        mock.describe_as("otherid", 282832).await.progress(),
        "init",
        "a fresh copy"
    );
}

#[tokio::test]
async fn resetting_one_account_leaves_the_others_alone() {
    let mock = Mock::with_unknown_tasks(UnknownTasks::Error);
    let mine = mock.start(Some("testid")).await.json["ScanTaskId"]
        .as_i64()
        .unwrap();
    let theirs = mock.start(Some("otherid")).await.json["ScanTaskId"]
        .as_i64()
        .unwrap();
    let reset = mock
        .admin(Method::POST, "/reset?accountId=1234567890123456", None)
        .await;
    assert_eq!(reset.json["reset"], "1234567890123456");
    assert_eq!(
        mock.describe_as("testid", mine).await.code(),
        "InvalidTaskId.NotFound"
    );
    assert_eq!(
        mock.describe_as("otherid", theirs).await.status,
        StatusCode::OK
    );
}
