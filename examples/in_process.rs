//! Runs sas-mock inside a test process and drives a task through its life over real HTTP.
//!
//! `cargo run --example in_process`

use std::time::Duration;

use sas_mock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A minimal HTTP/1.1 GET, enough for the example; a real test would use its SDK or HTTP client.
async fn get(server: &MockServer, path_and_query: &str) -> std::io::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(server.address()).await?;
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.endpoint()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await?;
    println!("sas-mock listening on {}", server.uri());

    let target = "%5B%7B%22type%22%3A%22uuid%22%2C%22name%22%3A%22host001%22%2C%22target%22%3A%22abc%22%7D%5D";
    let started = get(
        &server,
        &format!("/?Action=StartVirusScanTask&Version=2018-12-03&TargetInfo={target}"),
    )
    .await?;
    let reply: serde_json::Value = serde_json::from_str(&started)?;
    let task_id = reply["ScanTaskId"].as_i64().ok_or("no ScanTaskId")?;
    println!("started task {task_id}");

    let describe = format!("/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId={task_id}");
    for step in [
        Duration::ZERO,
        Duration::from_secs(1),
        Duration::from_secs(5),
    ] {
        server.advance(step)?;
        let body: serde_json::Value = serde_json::from_str(&get(&server, &describe).await?)?;
        println!("after +{step:?}: {}", body["ScanTaskProgress"]);
    }

    server.add_fault_json(
        r#"{"match": {"action": "DescribeScanTaskProgress"}, "error": "ServerError", "times": 1}"#,
    )?;
    println!("with a fault: {}", get(&server, &describe).await?);
    println!("{} requests journaled", server.requests().len());
    server.shutdown().await;
    Ok(())
}
