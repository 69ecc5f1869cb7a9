//! The virus-scan workflow: a scan observed finished turns the findings of the machines it covers
//! into alerts, which the older operations (StartVirusScanTask → DescribeSuspEvents →
//! HandleSecurityEvents) and the newer ones (CreateVirusScanOnceTask → … → OperateVirusEvents)
//! read and handle.

mod admin;
mod alerts;
mod newer;
mod older;
mod signing;

use axum::http::Method;
use serde_json::{json, Value};

use crate::support::{settings, Answer, Mock};

/// The default fixtures' machine with two findings (serious, suspicious), and the clean one.
pub const WEB: &str = "503201a7-14c6-4280-801b-1169ed420000";
pub const DB: &str = "7a8b9c0d-2e3f-4a5b-8c6d-000000000002";
/// The default schedule: 1 s of init, 5 s of Processing.
pub const SCAN_TIME: &str = "6s";

/// Calls `action` with these parameters (encoded here), as `access_key_id` when given.
pub async fn call(mock: &Mock, action: &str, params: &[(&str, &str)]) -> Answer {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("Action", action);
    for (name, value) in params {
        query.append_pair(name, value);
    }
    mock.rpc(&query.finish()).await
}

/// Starts a scan of `targets` (`[(type, target)]`) as `key`; returns its task id.
pub async fn start(mock: &Mock, key: &str, targets: &[(&str, &str)]) -> i64 {
    let info: Vec<Value> = (targets.iter())
        .map(|(kind, target)| json!({"type": kind, "name": "t", "target": target}))
        .collect();
    let info = Value::from(info).to_string();
    let answer = call(
        mock,
        "StartVirusScanTask",
        &[("TargetInfo", &info), ("AccessKeyId", key)],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json["ScanTaskId"].as_i64().unwrap()
}

/// Starts a scan of web-1 as `testid` and lets the clock run it to its end.
pub async fn scan_web(mock: &Mock) -> i64 {
    let task_id = start(mock, "testid", &[("uuid", WEB)]).await;
    mock.advance(SCAN_TIME).await;
    task_id
}

/// `DescribeSuspEvents` as `testid` with these parameters; asserts it answered 200.
pub async fn events(mock: &Mock, params: &[(&str, &str)]) -> Value {
    let mut all = vec![("AccessKeyId", "testid")];
    all.extend_from_slice(params);
    let answer = call(mock, "DescribeSuspEvents", &all).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json
}

/// The `Id`s of the events in a DescribeSuspEvents answer.
pub fn ids(answer: &Value) -> Vec<i64> {
    (answer["SuspEvents"].as_array().unwrap().iter())
        .map(|e| e["Id"].as_i64().unwrap())
        .collect()
}

/// The default fixtures plus `extra`, with the manual clock at 2026-01-01T00:00:00Z.
pub async fn mock_with(extra: &str) -> Mock {
    let mock = Mock::with(settings(), &[sas_mock::fixtures::DEFAULT_FIXTURES, extra]);
    let set = json!({"set": "2026-01-01T00:00:00Z"});
    let moved = mock.admin(Method::POST, "/clock", Some(set)).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    mock
}
