//! Hostile input against the real router: every case gets a clear Alibaba-shaped answer, never a
//! panic or an uninjected 5xx, and the barrage leaves the mock's state as it was.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use sas_mock::fixtures::DEFAULT_FIXTURES;
use sas_mock::settings::Settings;

use crate::support::{settings, Answer, Mock};

/// One hostile request and what the mock must answer: status and `Code` ("" for a success).
struct Case {
    method: &'static str,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

const D: &str = "Action=DescribeScanTaskProgress&Version=2018-12-03";
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

fn case(method: &'static str, uri: impl Into<String>, status: u16, code: &'static str) -> Case {
    Case {
        method,
        uri: uri.into(),
        headers: Vec::new(),
        body: Vec::new(),
        status,
        code,
    }
}

fn get(query: impl AsRef<str>, status: u16, code: &'static str) -> Case {
    case("GET", format!("/?{}", query.as_ref()), status, code)
}

impl Case {
    fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    fn form(self, body: impl Into<Vec<u8>>) -> Self {
        self.header(FORM.0, FORM.1).body(body)
    }
}

/// `{"tasks":[{"taskId":1,"targetInfo":[[[…]]]}]}`, nested `depth` arrays deep.
fn deeply_nested_fixture(depth: usize) -> String {
    format!(
        r#"{{"tasks":[{{"taskId":1,"targetInfo":{}{}}}]}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// A valid fixture with `n` shared tasks, ids far from the ones the tests poll.
fn huge_fixture(n: i64) -> String {
    let tasks: Vec<Value> = (0..n)
        .map(|i| json!({"taskId": 10_000_000 + i, "progress": "Success"}))
        .collect();
    json!({ "tasks": tasks }).to_string()
}

fn target_info(hosts: usize) -> String {
    let items: Vec<Value> = (0..hosts)
        .map(|i| json!({"type": "uuid", "name": format!("h{i}"), "target": format!("t-{i}")}))
        .collect();
    Value::from(items).to_string()
}

fn pct(text: &str) -> String {
    sas_mock::protocol::encoding::pct_encode(text)
}

#[rustfmt::skip]
fn cases(max_body: usize, max_admin_body: usize) -> Vec<Case> {
    // A URI stays under 64 KiB (the http crate's limit); bigger values travel in form bodies.
    let many_params: String = (0..3_000).map(|i| format!("&junk{i}=v{i}")).collect();
    let many_form_params: String = (0..20_000).map(|i| format!("junk{i}=v{i}&")).collect();
    vec![
        // ---- invalid UTF-8 and broken percent-encoding ------------------------- expected answer
        get(format!("{D}&TaskId=%FF"),                                   400, "InvalidParameter"),      // decodes to U+FFFD
        get("Action=%FF%FE&Version=2018-12-03",                          404, "InvalidAction.NotFound"),
        get(format!("{D}&TaskId=1%"),                                    400, "InvalidParameter"),      // trailing % kept literally
        get(format!("{D}&TaskId=%G1"),                                   400, "InvalidParameter"),      // not hex
        get(format!("{D}&TaskId=%3"),                                    400, "InvalidParameter"),      // truncated escape
        get("Action=DescribeScanTaskProgress%&Version=2018-12-03&TaskId=1", 404, "InvalidAction.NotFound"),
        get(format!("%=%&{D}&TaskId=100003"),                            200, ""),                      // junk pair ignored
        get(format!("{D}&TaskId=100003%00"),                             400, "InvalidParameter"),      // NUL byte
        get(format!("{D}&TaskId=%EF%BC%91%EF%BC%92"),                    400, "InvalidParameter"),      // full-width digits
        get(format!("{D}&TaskId=100003&Format=%FF"),                     400, "InvalidParameter.Format"),
        // ---- duplicate parameters: the first one counts ----------------------------------------
        get(format!("{D}&TaskId=100003&TaskId=abc"),                     200, ""),
        get(format!("{D}&TaskId=abc&TaskId=100003"),                     400, "InvalidParameter"),
        get("Action=StartVirusScanTask&Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=1", 400, "MissingTargetInfo"),
        get(format!("{D}&Version=1999-01-01&TaskId=100003"),             200, ""),
        get(format!("Version=1999-01-01&{D}&TaskId=100003"),             400, "InvalidVersion"),
        // ---- empty and missing Action / Version -------------------------------------------------
        get("Action=&Version=2018-12-03",                                404, "InvalidAction.NotFound"),
        get("Version=2018-12-03&TaskId=1",                               404, "InvalidAction.NotFound"),
        get("Action=DescribeScanTaskProgress&TaskId=1",                  400, "MissingVersion"),
        get("Action=DescribeScanTaskProgress&Version=&TaskId=1",         400, "MissingVersion"),
        case("GET", "/",                                                 404, "InvalidAction.NotFound"),
        get("&&&==&",                                                    404, "InvalidAction.NotFound"),
        get("Action=describescantaskprogress&Version=2018-12-03&TaskId=1", 404, "InvalidAction.NotFound"), // names are case-sensitive
        // ---- TaskId: negative, overflowing, float, hex, padded --------------------------------
        get(format!("{D}&TaskId=-1"),                                    200, ""),                      // a valid long
        get(format!("{D}&TaskId=9223372036854775807"),                   200, ""),                      // i64::MAX
        get(format!("{D}&TaskId=9223372036854775808"),                   400, "InvalidParameter"),      // i64::MAX + 1
        get(format!("{D}&TaskId=-9223372036854775809"),                  400, "InvalidParameter"),
        get(format!("{D}&TaskId=1.5"),                                   400, "InvalidParameter"),
        get(format!("{D}&TaskId=1e5"),                                   400, "InvalidParameter"),
        get(format!("{D}&TaskId=0x1F"),                                  400, "InvalidParameter"),
        get(format!("{D}&TaskId="),                                      400, "MissingTaskId"),
        get(D,                                                           400, "MissingTaskId"),
        get(format!("{D}&TaskId=+100003"),                               200, ""),
        get(format!("{D}&TaskId=%20100003%20"),                          200, ""),                      // padding is trimmed
        get(format!("{D}&TaskId=%20403403"),                             403, "NoPermission"),          // ...and fault rules still match
        case("POST", format!("/?{D}"), 400, "InvalidParameter").form(format!("TaskId={}", "9".repeat(100_000))), // 100k digits
        // ---- Format -------------------------------------------------------------------------
        get(format!("{D}&TaskId=100003&Format=yaml"),                    400, "InvalidParameter.Format"),
        get(format!("{D}&TaskId=100003&Format="),                        200, ""),                      // empty means JSON
        get("Action=Nope&Version=2018-12-03&Format=XML",                 404, "InvalidAction.NotFound"), // error in XML
        // ---- content types and bodies -----------------------------------------------------------
        case("POST", "/", 404, "InvalidAction.NotFound").header("content-type", "application/json")
            .body(r#"{"Action":"DescribeScanTaskProgress","Version":"2018-12-03","TaskId":1}"#),
        case("POST", "/", 404, "InvalidAction.NotFound").header("content-type", "text/plain")
            .body(format!("{D}&TaskId=100003")),
        case("POST", "/", 404, "InvalidAction.NotFound").header("content-type", "multipart/form-data; boundary=x")
            .body(format!("{D}&TaskId=100003")),
        case("POST", "/", 200, "").header("content-type", "APPLICATION/X-WWW-FORM-URLENCODED; charset=latin1")
            .body(format!("{D}&TaskId=100003")),
        case("POST", format!("/?{D}"), 400, "InvalidParameter").form(b"TaskId=\xff\xfe".to_vec()),  // raw bytes
        case("POST", format!("/?{D}&TaskId=100003"), 200, "").form(b"\x00\x01\xff=\xfe&&=".to_vec()),
        case("POST", format!("/?{D}&TaskId=100003"), 200, "").header("content-type", "\u{e9}"),      // unreadable header
        case("POST", "/?Version=2018-12-03", 404, "InvalidAction.NotFound").header("x-acs-action", "\u{e9}"),
        // ---- oversized bodies and huge values ---------------------------------------------------
        case("POST", format!("/?{D}"), 413, "RequestEntityTooLarge").form(vec![b'a'; max_body + 1]),
        case("POST", format!("/?{D}&TaskId=1"), 413, "RequestEntityTooLarge").header("content-length", "99999999999"),
        case("POST", "/?Action=StartVirusScanTask&Version=2018-12-03", 200, "")
            .form(format!("TargetInfo={}", pct(&target_info(5_000)))),                               // 5000 hosts
        get(format!("Action={}&Version=2018-12-03", "A".repeat(60_000)), 404, "InvalidAction.NotFound"),
        get(format!("{D}&TaskId=100003{many_params}"),                   200, ""),                      // 3000 parameters
        case("POST", format!("/?{D}&TaskId=100003"), 200, "").form(many_form_params),                // 20k more in the body
        case("POST", "/?Action=StartVirusScanTask&Version=2018-12-03", 400, "IllegalParam")
            .form(format!("TargetInfo={}{}", "%5B".repeat(100_000), "%5D".repeat(100_000))),         // nested too deep
        // ---- headers ---------------------------------------------------------------------------
        many_headers(get(format!("{D}&TaskId=100003"),                   200, "")),                     // 500 headers
        get(format!("{D}&TaskId=100003"), 400, "IncompleteSignature").header("authorization", "ACS3-HMAC-SHA256 garbage"),
        get(format!("{D}&TaskId=100003"), 400, "InvalidSignatureMethod").header("authorization", "ACS3-HMAC-MD5 Credential=x"),
        get(format!("{D}&TaskId=100003"), 400, "IncompleteSignature")
            .header("authorization", "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=00"), // no x-acs-date
        get(format!("{D}&TaskId=100003"), 200, "")
            .header("authorization", "ACS3-HMAC-SHA256 Credential=nobody,SignedHeaders=host,Signature=00"), // lenient: unknown key
        get(format!("{D}&TaskId=100003&AccessKeyId=testid&Signature=x&SignatureMethod=HMAC-SHA1"), 400, "MissingTimestamp"),
        get(format!("{D}&TaskId=100003&AccessKeyId=testid&Signature=x&SignatureMethod=MD5"),       400, "InvalidSignatureMethod"),
        get(format!("{D}&TaskId=100003&AccessKeyId=testid&Signature=x&SignatureMethod=HMAC-SHA1&Timestamp=yesterday"), 400, "InvalidTimeStamp.Format"),
        get(format!("{D}&TaskId=100003&AccessKeyId=testid&Signature=x&SignatureMethod=HMAC-SHA1&Timestamp=2000-01-01T00:00:00Z"), 400, "InvalidTimeStamp.Expired"),
        get(format!("{D}&TaskId=100003&Signature=x"),                    400, "MissingAccessKeyId"),
        case("POST", "/?TaskId=100003", 200, "")
            .header("x-acs-action", "DescribeScanTaskProgress").header("x-acs-version", "2018-12-03"),
        case("POST", "/?TaskId=100003", 400, "InvalidVersion")
            .header("x-acs-action", "DescribeScanTaskProgress").header("x-acs-version", "1.0"),
        // ---- methods other than GET and POST ----------------------------------------------------
        case("PUT", format!("/?{D}&TaskId=100003"),                      400, "UnsupportedHTTPMethod"),
        case("DELETE", format!("/?{D}&TaskId=100003"),                   400, "UnsupportedHTTPMethod"),
        case("PATCH", format!("/?{D}&TaskId=100003"),                    400, "UnsupportedHTTPMethod"),
        case("OPTIONS", format!("/?{D}&TaskId=100003"),                  400, "UnsupportedHTTPMethod"),
        case("TRACE", format!("/?{D}&TaskId=100003"),                    400, "UnsupportedHTTPMethod"),
        case("BREW", format!("/?{D}&TaskId=100003"),                     400, "UnsupportedHTTPMethod"), // an extension method
        // ---- paths other than / ---------------------------------------------------------------
        case("GET", format!("/foo?{D}&TaskId=100003"),                   404, "InvalidApi.NotFound"),
        case("GET", format!("/index.html?{D}"),                          404, "InvalidApi.NotFound"),
        case("GET", "//",                                                404, "InvalidApi.NotFound"),
        case("GET", "/%FF",                                              404, "InvalidApi.NotFound"),
        case("POST", "/__adminx",                                        404, "InvalidApi.NotFound"),
        case("GET", "/__admin",                                          404, "NotFound"),
        case("GET", "/__admin/nope",                                     404, "NotFound"),
        // ---- garbage to every admin endpoint ----------------------------------------------------
        case("GET", "/__admin/health", 200, "").body(b"\xff\x00garbage".to_vec()),
        case("POST", "/__admin/health",                                  405, "MethodNotAllowed"),
        case("GET", "/__admin/tasks?accountId=a&accessKeyId=b",          400, "InvalidAdminRequest"),
        case("GET", "/__admin/tasks?accountId=%FF%G1",                   200, ""),
        case("POST", "/__admin/tasks", 400, "InvalidAdminRequest").body("not json"),
        case("POST", "/__admin/tasks", 400, "InvalidAdminRequest").body(r#"{"taskId": "x"}"#),
        case("POST", "/__admin/tasks", 400, "InvalidAdminRequest").body(r#"{"taskId": 1, "accountId": "a", "accessKeyId": "b"}"#),
        case("POST", "/__admin/tasks", 400, "InvalidAdminRequest").body(r#"{"targetInfo": "[]"}"#),
        case("POST", "/__admin/tasks", 400, "InvalidAdminRequest").body(b"\xff\xfe".to_vec()),
        case("POST", "/__admin/tasks", 400, "InvalidAdminRequest").body(r#"{"accountId": ""}"#),     // no request could reach it
        case("POST", "/__admin/tasks", 400, "InvalidAdminRequest").body(r#"{"accessKeyId": " "}"#),
        case("GET", "/__admin/tasks/1?accountId=",                       400, "InvalidAdminRequest"),
        case("POST", "/__admin/reset?accountId=",                        400, "InvalidAdminRequest"),   // would reset nothing
        case("DELETE", "/__admin/faults?accountId=",                     400, "InvalidAdminRequest"),
        case("DELETE", "/__admin/requests?accountId=",                   400, "InvalidAdminRequest"),
        case("PUT", "/__admin/tasks",                                    405, "MethodNotAllowed"),
        case("GET", "/__admin/tasks/abc",                                400, "InvalidAdminRequest"),
        case("GET", "/__admin/tasks/%FF",                                400, "InvalidAdminRequest"),   // not UTF-8 in the path
        case("GET", "/__admin/tasks/99999999999999999999",               400, "InvalidAdminRequest"),
        case("DELETE", "/__admin/tasks/424242?accountId=nobody",         404, "NotFound"),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body("{}"),                      // neither error nor delay
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"error": "Nope"}"#),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"error": {"status": 200, "code": "X", "message": ""}}"#),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"error": "ServerError", "probability": -1}"#),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body("[]"),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"error": "ServerError", "match": {"action": "Nope"}}"#),
        case("DELETE", "/__admin/faults/abc",                            400, "InvalidAdminRequest"),
        case("DELETE", "/__admin/faults/%FF",                            400, "InvalidAdminRequest"),
        case("DELETE", "/__admin/faults/999999",                         404, "NotFound"),
        case("POST", "/__admin/fixtures", 400, "InvalidAdminRequest").body(b"\xff\xfe".to_vec()),    // not UTF-8
        case("POST", "/__admin/fixtures", 400, "InvalidFixture").body(deeply_nested_fixture(100_000)),
        case("POST", "/__admin/fixtures", 400, "InvalidFixture").body(r#"{"taks": []}"#),
        case("POST", "/__admin/fixtures", 400, "InvalidFixture").body(""),
        case("POST", "/__admin/fixtures", 400, "InvalidFixture")
            .body(r#"{"accounts": [{"accessKeyId": "testid", "accessKeySecret": "s", "accountId": ""}]}"#),
        case("POST", "/__admin/fixtures", 200, "").body(huge_fixture(20_000)),
        case("POST", "/__admin/fixtures", 413, "RequestEntityTooLarge").body(" ".repeat(max_admin_body + 1)),
        case("POST", "/__admin/faults", 413, "RequestEntityTooLarge").body(" ".repeat(max_admin_body + 1)),
        case("POST", "/__admin/tasks", 413, "RequestEntityTooLarge").body(" ".repeat(max_admin_body + 1)), // past axum's 2 MB default too
        case("POST", "/__admin/clock", 400, "InvalidAdminRequest").body(r#"{"advance": "-1s"}"#),
        case("POST", "/__admin/clock", 400, "InvalidAdminRequest").body(r#"{"advance": "1000000h"}"#),
        case("POST", "/__admin/clock", 400, "InvalidAdminRequest").body(r#"{"advance": "1s", "set": "2026-01-01T00:00:00Z"}"#),
        case("POST", "/__admin/clock", 400, "InvalidAdminRequest").body(r#"{"set": "not a time"}"#),
        case("POST", "/__admin/clock", 400, "InvalidAdminRequest").body("null"),
        case("GET", "/__admin/requests?limit=-5",                        400, "InvalidAdminRequest"),
        case("GET", "/__admin/requests?limit=99999999999999999999999",   400, "InvalidAdminRequest"),
        case("PATCH", "/__admin/requests",                               405, "MethodNotAllowed"),
        case("GET", "/__admin/requests?after=x",                         400, "InvalidAdminRequest"),
        case("GET", "/__admin/requests?taskid=1",                        400, "InvalidAdminRequest"),   // filters are spelled exactly
        case("GET", "/__admin/tasks?limit=-1",                           400, "InvalidAdminRequest"),
        // ---- network faults, stubs, limits, machines: refused, naming the field -------------------
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"network": "tornado"}"#),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"network": "hang", "error": "ServerError"}"#),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"network": "proxyError", "status": 404}"#),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"error": "ServerError", "status": 503}"#),
        case("POST", "/__admin/faults", 400, "InvalidAdminRequest").body(r#"{"network": "hang", "delay": "101d"}"#),
        case("POST", "/__admin/stubs", 400, "InvalidAdminRequest").body(r#"{"action": "Nope", "response": {}}"#),
        case("POST", "/__admin/stubs", 400, "InvalidAdminRequest").body(r#"{"action": "DescribeVersionConfig", "response": null}"#),
        case("POST", "/__admin/stubs", 400, "InvalidAdminRequest").body(r#"{"action": "DescribeVersionConfig", "response": {}, "status": 99}"#),
        case("POST", "/__admin/stubs", 400, "InvalidAdminRequest")
            .body(format!(r#"{{"action": "DescribeVersionConfig", "response": {}}}"#, deeply_nested_fixture(10_000))),
        case("POST", "/__admin/stubs", 400, "InvalidAdminRequest").body(r#"{"action": "DescribeVersionConfig", "response": {}, "match": {"params": {"X": []}}}"#),
        case("DELETE", "/__admin/stubs/abc",                             400, "InvalidAdminRequest"),
        case("DELETE", "/__admin/stubs/424242",                          404, "NotFound"),
        case("POST", "/__admin/limits", 400, "InvalidAdminRequest").body(r#"{"rate": "0/s"}"#),
        case("POST", "/__admin/limits", 400, "InvalidAdminRequest").body(r#"{"rate": "1/year"}"#),
        case("POST", "/__admin/limits", 400, "InvalidAdminRequest").body(r#"{"rate": "99999999999999999999/s"}"#),
        case("POST", "/__admin/limits", 400, "InvalidAdminRequest").body(r#"{"rate": "1/s", "burst": -1}"#),
        case("POST", "/__admin/limits", 400, "InvalidAdminRequest").body(r#"{"rate": "1/s", "retryAfter": "soon"}"#),
        case("DELETE", "/__admin/limits/abc",                            400, "InvalidAdminRequest"),
        case("POST", "/__admin/machines", 400, "InvalidAdminRequest").body(r#"{"instanceName": "no uuid"}"#),
        case("POST", "/__admin/machines", 400, "InvalidAdminRequest").body(r#"{"uuid": "u", "findings": [{"name": "x", "level": "apocalyptic"}]}"#),
        case("GET", "/__admin/alerts?accountId=",                        400, "InvalidAdminRequest"),
        // ---- the newer operations with bad parameters ---------------------------------------------
        get("Action=ListVirusScanMachine&Version=2018-12-03&CurrentPage=x&PageSize=20", 400, "InvalidParameter"),
        get("Action=ListVirusScanMachine&Version=2018-12-03&PageSize=20", 400, "MissingCurrentPage"),
        get("Action=HandleSecurityEvents&Version=2018-12-03&OperationCode=ignore&SecurityEventIds.1=999999999999", 400, "IllegalParam"),
        get("Action=DescribeSuspEvents&Version=2018-12-03&CurrentPage=-3&PageSize=100000", 200, ""),
        get("Action=OperateVirusEvents&Version=2018-12-03&OperationCode=ignore&OperationAll=0&OperationRange=%7Bnot", 400, "IllegalParam"),
    ]
}

fn many_headers(case: Case) -> Case {
    (0..500).fold(case, |case, i| {
        case.header(format!("x-junk-{i}"), "v".repeat(100))
    })
}

/// `Code` and the other error fields, from a JSON or an XML error body.
fn error_fields(answer: &Answer) -> Vec<(&'static str, String)> {
    const FIELDS: [&str; 5] = ["RequestId", "HostId", "Code", "Message", "Recommend"];
    if answer.text.starts_with("<?xml") {
        return FIELDS
            .iter()
            .map(|f| {
                let open = format!("<{f}>");
                let value = answer
                    .text
                    .split_once(&open)
                    .and_then(|(_, rest)| rest.split_once(&format!("</{f}>")))
                    .map(|(v, _)| v.to_owned())
                    .unwrap_or_default();
                (*f, value)
            })
            .collect();
    }
    FIELDS
        .iter()
        .map(|f| (*f, answer.json[*f].as_str().unwrap_or("").to_owned()))
        .collect()
}

async fn send(mock: &Mock, case: &Case) -> Answer {
    let headers: Vec<(&str, &str)> = case
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let method = Method::from_bytes(case.method.as_bytes()).expect("method");
    mock.send(method, &case.uri, &headers, Body::from(case.body.clone()))
        .await
}

#[tokio::test]
async fn hostile_requests_get_clear_alibaba_errors_and_leave_state_consistent() {
    let mock = Mock::with(
        Settings {
            max_admin_body_bytes: 4 << 20,
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    );
    let max_body = mock.state.settings.max_body_bytes;
    let max_admin_body = mock.state.settings.max_admin_body_bytes;
    let started = mock.start(None).await;
    let timed_task = started.json["ScanTaskId"].as_i64().expect("a task id");
    let faults_before = mock.state.faults.rules.list().len();

    let cases = cases(max_body, max_admin_body);
    assert!(cases.len() >= 140, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let answer = send(&mock, case).await;
        let what = format!(
            "case {i}: {} {:.120}",
            case.method,
            case.uri.replace('\n', " ")
        );
        let status = answer.status.as_u16();
        if status != case.status {
            failures.push(format!(
                "{what}: status {status}, expected {}: {:.300}",
                case.status, answer.text
            ));
            continue;
        }
        assert!(status < 500, "{what}: an uninjected {status}");
        if status < 400 {
            continue;
        }
        let fields = error_fields(&answer);
        for (name, value) in &fields {
            if value.is_empty() {
                failures.push(format!("{what}: no {name} in {:.300}", answer.text));
            }
        }
        let code = &fields[2].1;
        if code != case.code {
            failures.push(format!(
                "{what}: Code {code}, expected {}: {:.300}",
                case.code, answer.text
            ));
        }
        if answer.header("x-acs-request-id") != fields[0].1 {
            failures.push(format!("{what}: x-acs-request-id differs from RequestId"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Nothing the barrage did moved the clock, dropped a task or added a rule.
    assert_eq!(mock.state.faults.rules.list().len(), faults_before);
    assert_eq!(mock.describe(timed_task).await.progress(), "init");
    mock.advance("1s").await;
    assert_eq!(mock.describe(timed_task).await.progress(), "Processing");
    mock.advance("5s").await;
    assert_eq!(mock.describe(timed_task).await.progress(), "Success");
    let polled = poll_times(&mock, 282832, 4).await;
    assert_eq!(polled, ["init", "Processing", "Processing", "Success"]);
    assert_eq!(mock.describe(403403).await.code(), "NoPermission");
    let health = mock.admin(Method::GET, "/health", None).await;
    assert_eq!(health.status, StatusCode::OK);
}

async fn poll_times(mock: &Mock, task_id: i64, n: usize) -> Vec<String> {
    let mut seen = Vec::with_capacity(n);
    for _ in 0..n {
        seen.push(mock.describe(task_id).await.progress().to_owned());
    }
    seen
}

#[tokio::test]
async fn the_journal_stays_small_whatever_size_of_action_or_key_a_client_sends() {
    let mock = Mock::new();
    let huge = "A".repeat(mock.state.settings.max_body_bytes / 2 - 64);
    let body = format!("Action={huge}&Version=2018-12-03&AccessKeyId={huge}");
    let answer = mock
        .send(Method::POST, "/", &[FORM], Body::from(body))
        .await;
    assert_eq!(answer.code(), "InvalidAction.NotFound");
    let journal = mock.admin(Method::GET, "/requests", None).await;
    let entry = journal.text.len();
    assert!(entry < 12_288, "one journal entry holds {entry} bytes");
    let value = "v".repeat(90);
    let many: String = (0..5_000)
        .map(|i| format!("P{i}={value}&"))
        .collect::<String>()
        + "Action=X&Version=2018-12-03";
    mock.send(Method::POST, "/", &[FORM], Body::from(many))
        .await;
    let journal = mock.admin(Method::GET, "/requests?limit=1", None).await;
    let entry = journal.text.len();
    assert!(
        entry < 12_288,
        "an entry with many parameters holds {entry} bytes"
    );
    let params = journal.json["requests"][0]["params"].as_array().unwrap();
    assert!(params.last().unwrap()[1]
        .as_str()
        .unwrap()
        .ends_with("more parameters not kept"));
}
