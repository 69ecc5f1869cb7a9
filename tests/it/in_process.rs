//! The in-process `MockServer` over real TCP.

use std::time::Duration;

use sas_mock::settings::AuthMode;
use sas_mock::{MockServer, NewTask};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(server: &MockServer, path: &str) -> (u16, serde_json::Value) {
    let mut stream = tokio::net::TcpStream::connect(server.address())
        .await
        .unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.endpoint()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    (status, serde_json::from_str(body).unwrap())
}

#[tokio::test]
async fn a_mock_server_serves_on_a_loopback_port_and_is_steered_by_its_helpers() {
    let server = MockServer::start().await.unwrap();
    assert!(server.uri().starts_with("http://127.0.0.1:"));
    let task = server
        .create_task(&NewTask {
            task_id: Some(77),
            ..NewTask::default()
        })
        .unwrap();
    assert_eq!(task.progress.as_str(), "init");
    let describe = "/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=77";
    assert_eq!(get(&server, describe).await.1["ScanTaskProgress"], "init");
    server.advance(Duration::from_secs(1)).unwrap();
    assert_eq!(
        get(&server, describe).await.1["ScanTaskProgress"],
        "Processing"
    );
    let fault = server
        .add_fault_json(r#"{"match": {"taskId": 77}, "error": "NoPermission", "times": 1}"#)
        .unwrap();
    assert!(fault > 0);
    let (status, body) = get(&server, describe).await;
    assert_eq!((status, body["Code"].as_str()), (403, Some("NoPermission")));
    assert_eq!(server.requests_for("DescribeScanTaskProgress").len(), 3);
    let stub = r#"{"action": "DescribeLatestScanTask", "response": {"RiskNum": 4}}"#;
    assert!(server.add_stub_json(stub).unwrap() > 0);
    let latest = get(
        &server,
        "/?Action=DescribeLatestScanTask&Version=2018-12-03",
    )
    .await;
    assert_eq!(latest.1["RiskNum"], 4);
    server.reset();
    assert!(server.requests().is_empty());
    assert!(
        server.tasks().iter().all(|t| t.task_id != 77),
        "admin-made tasks go on reset"
    );
}

#[tokio::test]
async fn a_builder_takes_its_own_fixtures_and_shutdown_closes_the_port() {
    let fixture = r#"{"accounts": [{"accessKeyId": "mine", "accessKeySecret": "s", "accountId": "9"}],
                      "tasks": [{"taskId": 1, "progress": "Failed"}]}"#;
    let server = MockServer::builder()
        .fixtures(fixture)
        .auth(AuthMode::Off)
        .seed(3)
        .start()
        .await
        .unwrap();
    let (status, body) = get(
        &server,
        "/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=1&AccessKeyId=mine",
    )
    .await;
    assert_eq!(
        (status, body["ScanTaskProgress"].as_str()),
        (200, Some("Failed")),
        "the builder's own fixture task, pinned at Failed"
    );
    let tasks = server.tasks();
    assert_eq!(
        tasks
            .iter()
            .map(|t| (t.account_id.as_deref(), t.task_id))
            .collect::<Vec<_>>(),
        [(Some("9"), 1)],
        "the key's account from the builder's fixture, and none of the default fixtures"
    );
    let strict = MockServer::builder()
        .fixtures(fixture)
        .auth(AuthMode::Strict)
        .start()
        .await
        .unwrap();
    let (status, body) = get(
        &strict,
        "/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=1",
    )
    .await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("MissingAccessKeyId")),
        "the builder's auth mode holds"
    );
    let address = server.address();
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
    assert!(MockServer::builder().fixtures("{").start().await.is_err());
}

/// Sends a request for task 5 from a task of its own; returns once a fault rule has started
/// delaying it (the rule's `fired` counter moved), so the request is known to be in flight.
async fn request_in_flight(
    server: &MockServer,
) -> tokio::task::JoinHandle<std::io::Result<String>> {
    let mut stream = tokio::net::TcpStream::connect(server.address())
        .await
        .unwrap();
    let client = tokio::spawn(async move {
        let request = "GET /?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        Ok(response)
    });
    while server.state().faults.rules.list()[0]
        .live
        .fired
        .load(std::sync::atomic::Ordering::Relaxed)
        == 0
    {
        tokio::task::yield_now().await;
    }
    client
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish_before_it_returns() {
    let fixture = r#"{"tasks": [{"taskId": 5, "progress": "Success"}],
                      "faults": [{"match": {"taskId": 5}, "delay": "200ms"}]}"#;
    let server = MockServer::builder()
        .fixtures(fixture)
        .start()
        .await
        .unwrap();
    let client = request_in_flight(&server).await;
    let (address, state) = (server.address(), std::sync::Arc::clone(server.state()));
    server.shutdown().await;
    let journal = state.journal.entries(&Default::default());
    assert_eq!(
        journal
            .iter()
            .map(|e| (e.task_id, e.status))
            .collect::<Vec<_>>(),
        [(Some(5), 200)],
        "shutdown returned only once the request had been answered"
    );
    let answer = client.await.unwrap().unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains(r#""ScanTaskProgress":"Success""#),
        "{answer}"
    );
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

#[tokio::test]
async fn shutdown_gives_up_on_a_request_slower_than_the_drain_timeout() {
    let fixture = r#"{"tasks": [{"taskId": 5, "progress": "Success"}],
                      "faults": [{"match": {"taskId": 5}, "delay": "1h"}]}"#;
    let server = MockServer::builder()
        .fixtures(fixture)
        .drain_timeout(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let client = request_in_flight(&server).await;
    // Bounded only as a guard: the drain timeout ends it long before.
    tokio::time::timeout(Duration::from_secs(30), server.shutdown())
        .await
        .expect("shutdown ends at the drain timeout, not when the hour-long delay does");
    let answer = tokio::time::timeout(Duration::from_secs(30), client)
        .await
        .expect("the connection is closed")
        .unwrap();
    assert!(
        answer.map_or(true, |text| text.is_empty()),
        "no answer was written"
    );
}
