//! What a new user stumbled on, one test per stumble (the [first-contact] issue's items).

use std::net::TcpListener;
use std::process::{Command, Stdio};

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::binary::{Server, BIN};
use crate::support::Mock;

fn sas_mock(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("SAS_MOCK_FIXTURES")
        .output()
        .unwrap()
}

/// Item 1: `healthcheck --wait` turns the start-then-probe race of a CI recipe into a wait.
#[test]
fn healthcheck_wait_waits_for_a_server_started_in_the_background_and_reports_the_last_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = Command::new(BIN)
        .args(["--listen", &listen])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://{listen}/__admin/health");
    let waited = sas_mock(&["healthcheck", "--url", &url, "--wait", "20s"]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        waited.status.success(),
        "{}",
        String::from_utf8_lossy(&waited.stderr)
    );
    let closed = sas_mock(&["healthcheck", "--url", &url, "--wait", "300ms"]);
    assert_eq!(closed.status.code(), Some(1));
    let said = String::from_utf8_lossy(&closed.stderr);
    assert!(said.starts_with("unhealthy: cannot connect"), "{said}");
}

/// Item 4: the README's `check` example names a file that exists, and shows what check says.
#[test]
fn the_readmes_check_example_exists_and_says_what_the_readme_shows() {
    let out = Command::new(BIN)
        .args(["check", "examples/fixtures/broken.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    let readme = include_str!("../../README.md");
    assert!(readme.contains(&said), "the README shows: {said}");
}

/// Item 6: a task the admin API makes without an owner is shared, like a fixture task.
#[tokio::test]
async fn an_admin_task_without_an_owner_is_shared_and_a_signed_caller_sees_it() {
    let mock = Mock::new();
    let made = mock
        .admin(
            Method::POST,
            "/tasks",
            Some(json!({"taskId": 888, "progress": "Failed"})),
        )
        .await;
    assert_eq!(
        (made.status, &made.json["accountId"]),
        (StatusCode::CREATED, &Value::Null)
    );
    assert_eq!(
        mock.describe_as("testid", 888).await.progress(),
        "Failed",
        "not a fresh task"
    );
    let read = mock.admin(Method::GET, "/tasks/888", None).await;
    assert_eq!(
        (read.status, read.json["accountId"].as_str()),
        (StatusCode::OK, Some("1234567890123456"))
    );
    assert_eq!(
        mock.describe_as("otherid", 888).await.progress(),
        "Failed",
        "every account's copy"
    );
    mock.admin(Method::POST, "/reset", None).await;
    assert_eq!(
        mock.describe_as("testid", 888).await.progress(),
        "init",
        "gone with a reset"
    );
}

/// Item 7: `IllegalParam` keeps the production body; the log and the journal say why.
#[tokio::test]
async fn illegal_param_says_why_in_the_journal() {
    let mock = Mock::new();
    for (target, why) in [
        ("host001", "not valid JSON"),
        ("%5B%5D", "at least one"),
        (
            "%5B%7B%22type%22%3A%22host%22%2C%22target%22%3A%22x%22%7D%5D",
            "type must be \"uuid\" or \"groupId\"",
        ),
    ] {
        let answer = mock
            .rpc(&format!("Action=StartVirusScanTask&TargetInfo={target}"))
            .await;
        assert_eq!(
            (answer.code(), answer.json["Message"].as_str()),
            ("IllegalParam", Some("Illegal param"))
        );
        let last = mock
            .admin(Method::GET, "/requests?limit=1", None)
            .await
            .json;
        let reason = last["requests"][0]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(why), "{target}: {reason}");
    }
}

/// Item 8: the journal can be asserted on.
#[tokio::test]
async fn the_journal_filters_by_task_status_and_code_and_keeps_parameters_and_scheme() {
    let mock = Mock::new();
    mock.describe(403403).await;
    mock.describe(100003).await;
    let by = |query: &'static str| {
        let mock = &mock;
        async move {
            mock.admin(Method::GET, &format!("/requests?{query}"), None)
                .await
        }
    };
    let found =
        |answer: crate::support::Answer| answer.json["requests"].as_array().map_or(0, Vec::len);
    assert_eq!(found(by("taskId=403403").await), 1);
    assert_eq!(found(by("status=403").await), 1);
    assert_eq!(found(by("code=NoPermission").await), 1);
    assert_eq!(found(by("action=describescantaskprogress").await), 2);
    let entry = &by("taskId=100003").await.json["requests"][0];
    assert_eq!(entry["scheme"], "unsigned");
    assert_eq!(
        entry["params"],
        json!([
            ["Action", "DescribeScanTaskProgress"],
            ["TaskId", "100003"],
            ["Version", "2018-12-03"]
        ])
    );
    let unknown = by("taskid=1").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.json["Message"]
        .as_str()
        .unwrap()
        .contains("unknown filter \"taskid\""));
}

/// Item 9: boolean variables take 1/0/yes/no/true/false in any case, under every subcommand.
#[test]
fn boolean_environment_variables_take_one_and_yes() {
    for value in ["1", "YES", "true"] {
        let out = Command::new(BIN)
            .args(["healthcheck", "--url", "http://127.0.0.1:1/__admin/health"])
            .env("SAS_MOCK_TLS_SELF_SIGNED", value)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{value}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let server = Server::start(&["--tls-self-signed=1"]);
    let url = format!("https://127.0.0.1:{}/__admin/health", server.port);
    assert!(sas_mock(&["healthcheck", "--url", &url]).status.success());
}

/// Item 10: `check` reads SAS_MOCK_FIXTURES and prints what the fixtures define.
#[test]
fn check_reads_the_environment_and_prints_what_the_fixtures_define() {
    let out = Command::new(BIN)
        .arg("check")
        .env("SAS_MOCK_FIXTURES", "fixtures/default.json")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    for line in [
        "fixtures/default.json: ok (5 access keys, 8 tasks, 2 fault rules, 1 stub, 0 limits, 2 machines)",
        "  readonly-id -> account 1234567890123456 (denied StartVirusScanTask)",
        "  282832 (shared): init 1 poll, Processing 2 polls, then Success",
        "  #1: DescribeScanTaskProgress taskId=403403 -> NoPermission",
        "  new tasks: init 1s, Processing 5s, then Success",
    ] {
        assert!(said.lines().any(|l| l == line), "no line {line:?} in:\n{said}");
    }
}

/// Item 11: `sign` prints a curl line that trusts the mock's certificate.
#[test]
fn sign_trusts_a_given_certificate() {
    let out = sas_mock(&[
        "sign",
        "--endpoint",
        "https://127.0.0.1:8443",
        "--cacert",
        "/tmp/sas-mock.pem",
        "Action=DescribeScanTaskProgress",
        "TaskId=1",
    ]);
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(
        line.starts_with("curl -sS --cacert '/tmp/sas-mock.pem' -X GET 'https://127.0.0.1:8443/?"),
        "{line}"
    );
}

/// Item 12: ids, placeholders, pinned outcomes, counts and the mock's own errors tell the truth.
#[tokio::test]
async fn views_and_errors_tell_the_truth() {
    let mock = Mock::new();
    let made = mock
        .admin(Method::POST, "/tasks", Some(json!({"accountId": "1"})))
        .await
        .json;
    let id = made["taskId"].as_i64().unwrap();
    assert!(
        made["targetInfo"]
            .as_str()
            .unwrap()
            .contains(&format!("mock-host-{id}")),
        "{made}"
    );
    let pinned = mock
        .admin(
            Method::POST,
            "/tasks",
            Some(json!({"taskId": 5, "accountId": "1", "progress": "Failed"})),
        )
        .await
        .json;
    assert_eq!(
        (&pinned["progress"], &pinned["outcome"]),
        (&json!("Failed"), &json!("Failed"))
    );
    let health = mock.admin(Method::GET, "/health", None).await.json;
    assert_eq!(
        (&health["fixtureTasks"], &health["tasks"]),
        (&json!(8), &json!(2))
    );
    let missing = mock.admin(Method::GET, "/tasks/424242", None).await.json;
    assert_eq!(
        (&missing["Code"], &missing["HostId"]),
        (&json!("NotFound"), &json!("sas-mock"))
    );
}

/// Item 13: fixture values are read as the contract says: numeric strings as task ids, states
/// spelled exactly, zero polls a phase skipped.
#[tokio::test]
async fn fixture_values_are_read_exactly_as_documented() {
    let mock = Mock::new();
    let load = |doc: Value| {
        let mock = &mock;
        async move { mock.admin(Method::POST, "/fixtures", Some(doc)).await }
    };
    assert_eq!(
        load(json!({"tasks": [{"taskId": "282899", "progress": "Success"}]}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(mock.describe(282899).await.progress(), "Success");
    for (doc, needle) in [
        (
            json!({"tasks": [{"taskId": 1, "progress": "success"}]}),
            "did you mean \"Success\"?",
        ),
        (
            json!({"tasks": [{"taskId": 1, "schedule": {"outcome": "failed"}}]}),
            "spelled exactly so",
        ),
    ] {
        let refused = load(doc.clone()).await;
        assert!(
            refused.json["Message"].as_str().unwrap().contains(needle),
            "{doc}: {}",
            refused.text
        );
    }
    load(json!({"tasks": [{"taskId": 9, "schedule": {"init": {"polls": 0}, "processing": {"polls": 1}}}]})).await;
    assert_eq!(
        mock.describe(9).await.progress(),
        "Processing",
        "a phase of zero polls is skipped"
    );
}
