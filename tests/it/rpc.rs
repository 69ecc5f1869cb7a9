//! The RPC endpoint: transports, parameter sources, formats and the catalog errors.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use sas_mock::fixtures::DEFAULT_FIXTURES;
use sas_mock::settings::{Settings, UnknownTasks};

use crate::support::{settings, Mock};

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

fn is_upper_uuid(id: &str) -> bool {
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12]
        && id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('A'..='F').contains(&c))
}

#[tokio::test]
async fn describe_answers_the_documented_fields_with_a_request_id_in_body_and_header() {
    let answer = Mock::new().describe(100003).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header("content-type"),
        "application/json;charset=utf-8"
    );
    let request_id = answer.json["RequestId"].as_str().unwrap();
    assert!(is_upper_uuid(request_id), "{request_id}");
    assert_eq!(answer.header("x-acs-request-id"), request_id);
    assert_eq!(answer.progress(), "Success");
    let targets: serde_json::Value =
        serde_json::from_str(answer.json["TargetInfo"].as_str().unwrap()).unwrap();
    assert_eq!(targets[0]["type"], "uuid");
}

#[tokio::test]
async fn the_vendor_example_task_returns_target_info_as_a_serialised_string() {
    let answer = Mock::new().describe(282832).await;
    assert_eq!(
        answer.json["TargetInfo"],
        r#"[{"type":"uuid","name":"host001","target":"503201a7-14c6-4280-801b-1169ed420000"}]"#
    );
}

#[tokio::test]
async fn post_merges_query_and_form_body_and_decodes_plus_as_space() {
    let mock = Mock::new();
    let body = "Action=StartVirusScanTask&Version=2018-12-03&TargetInfo=%5B%7B%22type%22%3A%22uuid%22%2C%22name%22%3A%22host+001%2B%22%2C%22target%22%3A%22x%22%7D%5D";
    let started = mock
        .send(Method::POST, "/?Format=JSON", &[FORM], body)
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let id = started.json["ScanTaskId"]
        .as_i64()
        .expect("ScanTaskId is a JSON number");
    let described = mock
        .send(
            Method::POST,
            "/",
            &[FORM],
            format!("Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId={id}"),
        )
        .await;
    assert_eq!(
        described.json["TargetInfo"],
        r#"[{"type":"uuid","name":"host 001+","target":"x"}]"#
    );
}

#[tokio::test]
async fn action_and_version_may_come_only_from_the_acs_headers() {
    let headers = [
        ("x-acs-action", "DescribeScanTaskProgress"),
        ("x-acs-version", "2018-12-03"),
    ];
    let answer = Mock::new()
        .send(Method::POST, "/?TaskId=100002", &headers, Body::empty())
        .await;
    assert_eq!(
        (answer.status, answer.progress()),
        (StatusCode::OK, "Processing"),
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn format_xml_renders_the_action_response_element() {
    let mock = Mock::new();
    for format in ["XML", "xml"] {
        let answer = mock
            .rpc(&format!(
                "Action=DescribeScanTaskProgress&TaskId=100001&Format={format}"
            ))
            .await;
        assert_eq!(answer.header("content-type"), "text/xml;charset=utf-8");
        assert!(answer.text.starts_with("<?xml version='1.0' encoding='UTF-8'?><DescribeScanTaskProgressResponse><RequestId>"), "{}", answer.text);
        assert!(answer
            .text
            .contains("<ScanTaskProgress>init</ScanTaskProgress>"));
        assert!(
            answer.text.contains("[{&quot;type&quot;:&quot;uuid&quot;"),
            "TargetInfo is escaped: {}",
            answer.text
        );
    }
    let error = mock.rpc("Action=DescribeScanTaskProgress&Format=XML").await;
    assert!(
        error.text.contains("<Error><RequestId>")
            && error.text.contains("<Code>MissingTaskId</Code>"),
        "{}",
        error.text
    );
}

#[tokio::test]
async fn malformed_requests_get_the_gateways_errors() {
    let cases = [
        (
            "Action=NoSuchThing",
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
        (
            "TaskId=1",
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
        (
            "Action=DescribeScanTaskProgress&TaskId=1&Version=2017-01-01",
            400,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        ),
        (
            "Action=DescribeScanTaskProgress",
            400,
            "MissingTaskId",
            "TaskId is mandatory for this action.",
        ),
        (
            "Action=DescribeScanTaskProgress&TaskId=",
            400,
            "MissingTaskId",
            "TaskId is mandatory for this action.",
        ),
        (
            "Action=DescribeScanTaskProgress&TaskId=abc",
            400,
            "InvalidParameter",
            "Specified parameter TaskId is not valid.",
        ),
        (
            "Action=DescribeScanTaskProgress&TaskId=1.5",
            400,
            "InvalidParameter",
            "Specified parameter TaskId is not valid.",
        ),
        (
            "Action=DescribeScanTaskProgress&TaskId=99999999999999999999",
            400,
            "InvalidParameter",
            "Specified parameter TaskId is not valid.",
        ),
        (
            "Action=StartVirusScanTask",
            400,
            "MissingTargetInfo",
            "TargetInfo is mandatory for this action.",
        ),
        (
            "Action=DescribeScanTaskProgres&TaskId=1",
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
        (
            "Action=DescribeVersionConfig",
            501,
            "NotImplemented",
            "sas-mock does not emulate DescribeVersionConfig (an action of Sas 2018-12-03): give it a stub, {\"action\": \"DescribeVersionConfig\", \"response\": {...}} under \"stubs\" in a fixture file or POSTed to /__admin/stubs (README, section \"Stubs\")",
        ),
        (
            "Action=StartVirusScanTask&TargetInfo=not-json",
            400,
            "IllegalParam",
            "Illegal param",
        ),
        (
            "Action=StartVirusScanTask&TargetInfo=%5B%5D",
            400,
            "IllegalParam",
            "Illegal param",
        ),
        (
            "Action=DescribeScanTaskProgress&TaskId=1&Format=yaml",
            400,
            "InvalidParameter.Format",
            "Specified parameter format is not valid.",
        ),
    ];
    let mock = Mock::new();
    for (query, status, code, message) in cases {
        let answer = mock.rpc(query).await;
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (status, code),
            "{query}: {}",
            answer.text
        );
        assert_eq!(answer.json["Message"], message, "{query}");
        let request_id = answer.json["RequestId"].as_str().unwrap();
        let (host, recommend) = match code {
            "NotImplemented" => ("sas-mock", "sas-mock's own error (not Alibaba's): see the README, section \"Admin API\"".to_owned()),
            _ if query.contains("Progres&") => ("tds.aliyuncs.com", "Did you mean DescribeScanTaskProgress?".to_owned()),
            _ => ("tds.aliyuncs.com", format!("https://api.aliyun.com/troubleshoot?q={code}&product=Sas&requestId={request_id}")),
        };
        assert_eq!(
            (
                answer.json["HostId"].as_str(),
                answer.json["Recommend"].as_str()
            ),
            (Some(host), Some(recommend.as_str())),
            "{query}"
        );
    }
    let missing_version = mock
        .send(
            Method::GET,
            "/?Action=DescribeScanTaskProgress&TaskId=1",
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(missing_version.code(), "MissingVersion");
}

#[tokio::test]
async fn other_methods_paths_and_oversized_bodies_get_alibaba_shaped_errors() {
    let mock = Mock::with(
        Settings {
            max_body_bytes: 64,
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    );
    let put = mock
        .send(
            Method::PUT,
            "/?Action=DescribeScanTaskProgress",
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(
        (put.status.as_u16(), put.code()),
        (400, "UnsupportedHTTPMethod")
    );
    let path = mock
        .send(
            Method::GET,
            "/api/v1?Action=DescribeScanTaskProgress",
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(
        (path.status.as_u16(), path.code()),
        (404, "InvalidApi.NotFound")
    );
    let big = mock
        .send(
            Method::POST,
            "/",
            &[FORM],
            "TargetInfo=".to_owned() + &"x".repeat(100),
        )
        .await;
    assert_eq!(
        (big.status.as_u16(), big.code()),
        (413, "RequestEntityTooLarge"),
        "{}",
        big.text
    );
}

#[tokio::test]
async fn started_tasks_get_unique_ids_that_repeat_under_the_same_seed() {
    let ids = |seed| async move {
        let mock = Mock::with(Settings { seed, ..settings() }, &[DEFAULT_FIXTURES]);
        let mut ids = Vec::new();
        for _ in 0..20 {
            ids.push(mock.start(None).await.json["ScanTaskId"].as_i64().unwrap());
        }
        ids
    };
    let first = ids(11).await;
    let mut unique = first.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), first.len(), "ids are unique");
    assert_eq!(first, ids(11).await, "same seed, same ids");
    assert_ne!(first, ids(12).await, "another seed, other ids");
}

#[tokio::test]
async fn unknown_task_ids_follow_the_unknown_tasks_mode() {
    let created = Mock::with_unknown_tasks(UnknownTasks::Create)
        .describe(777)
        .await;
    assert_eq!(
        (created.status, created.progress()),
        (StatusCode::OK, "init")
    );
    let empty = Mock::with_unknown_tasks(UnknownTasks::Empty)
        .describe(777)
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(
        empty
            .json
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["RequestId".to_owned()])
    );
    let error = Mock::with_unknown_tasks(UnknownTasks::Error)
        .describe(777)
        .await;
    assert_eq!(
        (error.status.as_u16(), error.code()),
        (404, "InvalidTaskId.NotFound")
    );
    let seeded = Mock::with_unknown_tasks(UnknownTasks::Error)
        .describe(100002)
        .await;
    assert_eq!(
        seeded.progress(),
        "Processing",
        "fixture tasks exist whatever the mode"
    );
}
