//! Faults of the network, carried out on real sockets, and what hyper itself refuses answered in
//! Alibaba's shape.

use std::io::{ErrorKind, Read, Write};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::binary::{Server, BIN};

/// Adds a fault rule through the admin API of a running binary.
fn add_fault(server: &Server, rule: Value) {
    let body = rule.to_string();
    let mut stream = server.connect();
    write!(
        stream,
        "POST /__admin/faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// Sends a DescribeScanTaskProgress for `task` and reads until the server closes: the bytes, or
/// the error the client saw.
fn ask(server: &Server, task: i64) -> std::io::Result<Vec<u8>> {
    let mut stream = server.connect();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(stream, "GET /?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId={task} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).map(|_| bytes)
}

fn journal(server: &Server) -> Value {
    let answer = server.get("/__admin/requests?action=DescribeScanTaskProgress");
    serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap()
}

#[test]
fn each_network_fault_breaks_the_connection_its_own_way_and_is_journaled() {
    let server = Server::start(&[]);
    for (task, fault) in [
        (100001, json!({"network": "connectionReset"})),
        (100002, json!({"network": "emptyResponse"})),
        (100003, json!({"network": "randomDataThenClose"})),
        (100004, json!({"network": "malformedChunk"})),
        (282832, json!({"network": "proxyError"})),
        (282833, json!({"network": "proxyError", "status": 503})),
    ] {
        let mut rule = json!({"match": {"taskId": task}, "times": 1});
        rule.as_object_mut()
            .unwrap()
            .extend(fault.as_object().unwrap().clone());
        add_fault(&server, rule);
    }
    let reset = ask(&server, 100001).expect_err("a reset");
    assert_eq!(reset.kind(), ErrorKind::ConnectionReset, "{reset}");
    assert_eq!(ask(&server, 100002).unwrap(), b"", "closed without a byte");
    let garbage = ask(&server, 100003).unwrap();
    assert!(
        !garbage.is_empty() && !garbage.starts_with(b"HTTP/"),
        "{garbage:?}"
    );
    let broken = String::from_utf8_lossy(&ask(&server, 100004).unwrap()).into_owned();
    assert!(
        broken.starts_with("HTTP/1.1 200") && broken.contains("transfer-encoding: chunked"),
        "{broken}"
    );
    assert!(
        !broken.ends_with("0\r\n\r\n"),
        "the closing chunk never comes: {broken}"
    );
    let bad_gateway = String::from_utf8_lossy(&ask(&server, 282832).unwrap()).into_owned();
    assert!(
        bad_gateway.starts_with("HTTP/1.1 502") && bad_gateway.contains("<h1>502 Bad Gateway</h1>"),
        "{bad_gateway}"
    );
    assert!(
        bad_gateway.contains("content-type: text/html"),
        "{bad_gateway}"
    );
    let unavailable = String::from_utf8_lossy(&ask(&server, 282833).unwrap()).into_owned();
    assert!(unavailable.starts_with("HTTP/1.1 503"), "{unavailable}");
    assert!(
        ask(&server, 100001).unwrap().starts_with(b"HTTP/1.1 200"),
        "times: 1 let the next one through"
    );
    let entries = journal(&server)["requests"].as_array().unwrap().clone();
    let seen: Vec<(Value, Value)> = entries
        .iter()
        .map(|e| (e["network"].clone(), e["status"].clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (json!("connectionReset"), json!(0)),
            (json!("emptyResponse"), json!(0)),
            (json!("randomDataThenClose"), json!(0)),
            (json!("malformedChunk"), json!(200)),
            (json!("proxyError"), json!(502)),
            (json!("proxyError"), json!(503)),
            (json!(null), json!(200)),
        ]
    );
}

#[test]
fn a_hang_answers_nothing_until_the_client_gives_up_and_with_a_delay_answers_late() {
    let server = Server::start(&[]);
    add_fault(
        &server,
        json!({"match": {"taskId": 100003}, "network": "hang", "times": 1}),
    );
    let mut stream = server.connect();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    write!(stream, "GET /?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=100003 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut byte = [0u8; 1];
    let waited = stream.read(&mut byte).expect_err("no answer comes");
    assert!(
        matches!(waited.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{waited}"
    );
    drop(stream);
    let entries = journal(&server)["requests"].as_array().unwrap().clone();
    assert_eq!(entries[0]["network"], "hang", "journaled when it began");
    add_fault(
        &server,
        json!({"match": {"taskId": 100002}, "network": "hang", "delay": "50ms"}),
    );
    let late = String::from_utf8_lossy(&ask(&server, 100002).unwrap()).into_owned();
    assert!(
        late.starts_with("HTTP/1.1 200") && late.contains("Processing"),
        "{late}"
    );
    let entries = journal(&server)["requests"].as_array().unwrap().clone();
    let last = entries.last().unwrap();
    assert_eq!(
        (&last["network"], &last["status"]),
        (&json!("hang"), &json!(200)),
        "a hang that ended is journaled as one: {last}"
    );
}

#[test]
fn requests_hyper_cannot_take_get_alibaba_shaped_431_414_and_400_answers() {
    let server = Server::start(&[]);
    let send = |raw: String| {
        let mut stream = server.connect();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    let headers: String = (0..150).map(|i| format!("x-h{i}: v\r\n")).collect();
    let too_many = send(format!("GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n"));
    let long_uri = send(format!(
        "GET /?Action=DescribeScanTaskProgress&TargetInfo={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    ));
    let garbage = send("NOT HTTP AT ALL\r\n\r\n".to_owned());
    for (answer, status, code) in [
        (too_many, 431, "RequestHeaderFieldsTooLarge"),
        (long_uri, 414, "RequestURITooLong"),
        (garbage, 400, "MalformedRequest"),
    ] {
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["Code"], code, "{answer}");
        let request_id = body["RequestId"].as_str().unwrap();
        assert!(
            answer.contains(&format!("x-acs-request-id: {request_id}")),
            "{answer}"
        );
    }
    assert!(
        server.get("/__admin/health").starts_with("HTTP/1.1 200"),
        "still serving"
    );
}

#[test]
fn past_max_tasks_an_account_gets_a_quota_error_for_new_tasks_only() {
    let server = Server::start(&["--max-tasks", "2"]);
    let start = "/?Action=StartVirusScanTask&Version=2018-12-03&TargetInfo=%5B%7B%22type%22%3A%22uuid%22%2C%22target%22%3A%22a%22%7D%5D";
    assert!(server.get(start).starts_with("HTTP/1.1 200"));
    assert!(
        server
            .get("/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=9")
            .starts_with("HTTP/1.1 200"),
        "an unknown id springs into being"
    );
    let refused = server.get(start);
    assert!(
        refused.starts_with("HTTP/1.1 400") && refused.contains(r#""Code":"QuotaExceeded.Tasks""#),
        "{refused}"
    );
    let unknown = server.get("/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=10");
    assert!(unknown.contains("QuotaExceeded.Tasks"), "{unknown}");
    let fixture = server.get("/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=100003");
    assert!(
        fixture.starts_with("HTTP/1.1 200"),
        "a task the fixtures define still comes into being: {fixture}"
    );
    let health = server.get("/__admin/health");
    assert!(
        health.contains(r#""maxTasksPerAccount":2"#) && health.contains(r#""tasks":3"#),
        "{health}"
    );
}

#[test]
fn tls_handshakes_hold_a_connection_slot_and_a_silent_tls_client_is_cut_off() {
    let server = Server::start(&[
        "--tls-self-signed",
        "--max-connections",
        "1",
        "--header-timeout",
        "3s",
    ]);
    let url = format!("https://127.0.0.1:{}/__admin/health", server.port);
    let health = || {
        Command::new(BIN)
            .args(["healthcheck", "--url", &url])
            .status()
            .unwrap()
            .success()
    };
    let silent = server.connect();
    assert!(
        !health(),
        "the only slot is held by a handshake that never starts"
    );
    let mut silent = silent;
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let cut = silent.read_to_end(&mut Vec::new());
    assert!(
        cut.is_ok(),
        "the header timeout ends a handshake that never comes: {cut:?}"
    );
    assert!(health(), "the slot is free again");
}
