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
    server.reset();
    assert!(server.requests().is_empty());
    assert!(
        server.tasks().iter().all(|t| t.task_id != 77),
        "admin-made tasks go on reset"
    );
}

#[tokio::test]
async fn a_builder_takes_its_own_fixtures_and_shutdown_closes_the_port() {
    let fixture = r#"{"tasks": [{"taskId": 1, "progress": "Failed"}]}"#;
    let server = MockServer::builder()
        .fixtures(fixture)
        .auth(AuthMode::Strict)
        .seed(3)
        .start()
        .await
        .unwrap();
    let (status, body) = get(
        &server,
        "/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=1",
    )
    .await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("MissingAccessKeyId")),
        "strict mode needs a signature"
    );
    let address = server.address();
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
    assert!(MockServer::builder().fixtures("{").start().await.is_err());
}
