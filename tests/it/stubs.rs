//! Stubs: any catalogued action answered with a fixed body inside the real envelope, through the
//! same pipeline as an emulated one.

use axum::http::{Method, StatusCode};
use sas_mock::settings::{AuthMode, Settings};
use serde_json::{json, Value};

use crate::support::{settings, Mock};

const LIST: &str = "Action=DescribeCloudCenterInstances";

async fn add(mock: &Mock, stub: Value) -> u64 {
    let added = mock.admin(Method::POST, "/stubs", Some(stub)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    added.json["id"].as_u64().unwrap()
}

#[tokio::test]
async fn a_stub_answers_its_action_in_the_real_envelope_as_json_and_xml() {
    let mock = Mock::new();
    let answer = mock.rpc(LIST).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "the default fixtures stub it: {}",
        answer.text
    );
    assert_eq!(answer.json["Instances"][0]["InstanceName"], "web-1");
    assert_eq!(answer.json["PageInfo"]["TotalCount"], 2);
    let request_id = answer.json["RequestId"].as_str().unwrap();
    assert_eq!(
        answer.header("x-acs-request-id"),
        request_id,
        "RequestId is added"
    );
    let xml = mock.rpc(&format!("{LIST}&Format=XML")).await;
    assert!(
        xml.text
            .contains("<DescribeCloudCenterInstancesResponse><RequestId>"),
        "{}",
        xml.text
    );
    assert!(
        xml.text
            .contains("<Instances><Uuid>503201a7-14c6-4280-801b-1169ed420000</Uuid>"),
        "{}",
        xml.text
    );
    let journal = mock
        .admin(
            Method::GET,
            "/requests?action=DescribeCloudCenterInstances",
            None,
        )
        .await;
    assert_eq!(journal.json["requests"][0]["stubId"], 1);
}

#[tokio::test]
async fn a_stubs_own_request_id_is_the_answers_id_in_body_header_and_journal() {
    let mock = Mock::new();
    let id = "STUB-0000-REQUEST-ID";
    add(
        &mock,
        json!({"action": "DescribeCloudCenterInstances", "status": 500,
               "response": {"RequestId": id, "Code": "ServerError", "Message": "stubbed"}}),
    )
    .await;
    let answer = mock.rpc(LIST).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.json["RequestId"], id);
    assert_eq!(answer.header("x-acs-request-id"), id);
    let journal = mock
        .admin(Method::GET, "/requests?code=ServerError", None)
        .await;
    assert_eq!(journal.json["requests"][0]["requestId"], id);
    // Without one of its own, the stub's answer carries the generated id everywhere.
    let plain = Mock::new();
    let answer = plain.rpc(LIST).await;
    let generated = answer.json["RequestId"].as_str().unwrap();
    assert_eq!(generated.len(), 36);
    let journal = plain.admin(Method::GET, "/requests", None).await;
    assert_eq!(journal.json["requests"][0]["requestId"], generated);
}

#[tokio::test]
async fn the_most_recent_matching_stub_answers_and_times_retires_it() {
    let mock = Mock::new();
    mock.admin(Method::DELETE, "/stubs", None).await;
    let answer = mock.rpc(LIST).await;
    assert_eq!(
        (answer.status.as_u16(), answer.code()),
        (501, "NotImplemented")
    );
    assert!(answer.json["Message"]
        .as_str()
        .unwrap()
        .contains("/__admin/stubs"));
    add(
        &mock,
        json!({"action": "DescribeCloudCenterInstances", "response": {"TotalCount": 1}}),
    )
    .await;
    let criteria = r#"[{"name":"vulStatus","value":"YES"}]"#;
    add(&mock, json!({"action": "DescribeCloudCenterInstances", "match": {"params": {"Criteria": criteria}},
                      "response": {"TotalCount": 7}, "times": 1}))
    .await;
    let matching = format!(
        "{LIST}&Criteria=%5B%7B%22name%22%3A%22vulStatus%22%2C%22value%22%3A%22YES%22%7D%5D"
    );
    assert_eq!(
        mock.rpc(&matching).await.json["TotalCount"],
        7,
        "the newer, matching stub"
    );
    assert_eq!(
        mock.rpc(&matching).await.json["TotalCount"],
        1,
        "times: 1 retired it"
    );
    assert_eq!(
        mock.rpc(&format!("{LIST}&Criteria=%5B%5D")).await.json["TotalCount"],
        1
    );
    let listed = mock.admin(Method::GET, "/stubs", None).await;
    let used: Vec<&Value> = listed.json["stubs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["used"])
        .collect();
    assert_eq!(used, [&json!(2), &json!(1)]);
}

#[tokio::test]
async fn a_stub_overrides_an_emulated_action_and_may_answer_an_error_status() {
    let mock = Mock::new();
    add(
        &mock,
        json!({"action": "DescribeScanTaskProgress", "match": {"params": {"TaskId": 100001}},
                      "response": {"ScanTaskProgress": "Success", "TargetInfo": "[]"}}),
    )
    .await;
    assert_eq!(mock.describe(100001).await.progress(), "Success");
    assert_eq!(
        mock.describe(100002).await.progress(),
        "Processing",
        "other tasks are emulated"
    );
    add(&mock, json!({"action": "DescribeLatestScanTask", "status": 503,
                      "response": {"Code": "ServiceUnavailable", "Message": "down for maintenance"}}))
    .await;
    let down = mock.rpc("Action=DescribeLatestScanTask").await;
    assert_eq!(
        (down.status.as_u16(), down.code()),
        (503, "ServiceUnavailable")
    );
    assert!(down.json["RequestId"].is_string());
    let journal = mock
        .admin(Method::GET, "/requests?action=DescribeLatestScanTask", None)
        .await;
    let entry = &journal.json["requests"][0];
    assert_eq!(
        (&entry["status"], &entry["code"]),
        (&json!(503), &json!("ServiceUnavailable")),
        "a stubbed error is journaled with its code, as the mock's own errors are"
    );
    assert_eq!(
        entry["requestId"], down.json["RequestId"],
        "the journal and the body agree on the request id"
    );
}

#[tokio::test]
async fn stubs_go_through_validation_faults_permissions_and_account_scopes() {
    let mock = Mock::new();
    add(
        &mock,
        json!({"action": "ListObjectScanEvent", "accessKeyId": "testid", "response": {"Data": []}}),
    )
    .await;
    let missing = mock
        .rpc("Action=ListObjectScanEvent&AccessKeyId=testid")
        .await;
    assert_eq!(
        missing.code(),
        "MissingCurrentPage",
        "required parameters are checked first"
    );
    let query = "Action=ListObjectScanEvent&CurrentPage=1&PageSize=20";
    assert_eq!(
        mock.rpc(&format!("{query}&AccessKeyId=testid"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        mock.rpc(&format!("{query}&AccessKeyId=otherid"))
            .await
            .code(),
        "NotImplemented",
        "another account"
    );
    assert_eq!(
        mock.rpc(&format!("{query}&AccessKeyId=denied-id"))
            .await
            .code(),
        "NoPermission"
    );
    mock.admin(
        Method::POST,
        "/faults",
        Some(
            json!({"match": {"action": "ListObjectScanEvent"}, "error": "ServerError", "times": 1}),
        ),
    )
    .await;
    assert_eq!(
        mock.rpc(&format!("{query}&AccessKeyId=testid"))
            .await
            .code(),
        "ServerError"
    );
    assert_eq!(
        mock.rpc(&format!("{query}&AccessKeyId=testid"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_reset_restores_the_fixtures_stubs_and_drops_the_rest() {
    let mock = Mock::new();
    mock.admin(Method::DELETE, "/stubs/1", None).await;
    add(
        &mock,
        json!({"action": "DescribeLatestScanTask", "response": {}}),
    )
    .await;
    mock.admin(Method::POST, "/reset", None).await;
    let stubs = mock.admin(Method::GET, "/stubs", None).await.json;
    let ids: Vec<(u64, &str)> = (stubs["stubs"].as_array().unwrap().iter())
        .map(|s| (s["id"].as_u64().unwrap(), s["origin"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, [(1, "fixture")]);
}

#[tokio::test]
async fn bad_stubs_are_refused_naming_the_field_or_the_json_path() {
    let mock = Mock::new();
    for (stub, needle) in [
        (
            json!({"action": "DescribeCloudCenterInstance", "response": {}}),
            "did you mean \"DescribeCloudCenterInstances\"?",
        ),
        (
            json!({"action": "DescribeCloudCenterInstances", "match": {"params": {"Nope": "1"}}, "response": {}}),
            "match.params",
        ),
        (
            json!({"action": "DescribeCloudCenterInstances", "response": "text"}),
            "response",
        ),
        (
            json!({"action": "DescribeCloudCenterInstances"}),
            "response",
        ),
        (
            json!({"action": "DescribeCloudCenterInstances", "response": {}, "accessKeyId": "a", "accountId": "b"}),
            "accountId",
        ),
        (
            json!({"action": "DescribeCloudCenterInstances", "response": {"RequestId": 7}}),
            "response.RequestId",
        ),
        (
            json!({"action": "DescribeCloudCenterInstances", "response": {"RequestId": "has space"}}),
            "visible ASCII",
        ),
    ] {
        let refused = mock.admin(Method::POST, "/stubs", Some(stub.clone())).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{stub}");
        assert!(
            refused.json["Message"].as_str().unwrap().contains(needle),
            "{stub}: {}",
            refused.text
        );
    }
    let fixture = json!({"stubs": [{"action": "DescribeCloudCenterInstances", "response": {}},
                                   {"action": "Nope", "response": {}}]});
    let refused = mock.admin(Method::POST, "/fixtures", Some(fixture)).await;
    assert!(
        refused.json["Message"]
            .as_str()
            .unwrap()
            .contains("stubs[1].action"),
        "{}",
        refused.text
    );
}

#[tokio::test]
async fn a_stubbed_action_still_needs_a_valid_signature_in_strict_mode() {
    let mock = Mock::with(
        Settings {
            auth: AuthMode::Strict,
            ..settings()
        },
        &[sas_mock::fixtures::DEFAULT_FIXTURES],
    );
    assert_eq!(mock.rpc(LIST).await.code(), "MissingAccessKeyId");
}
