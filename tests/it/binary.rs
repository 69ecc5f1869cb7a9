//! The real binary: check, a bad fixture at startup, serving, healthcheck, and SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_sas-mock");

pub fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sas-mock-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_accepts_the_shipped_fixtures_and_names_the_problem_in_a_bad_one() {
    let ok = Command::new(BIN)
        .args(["check", "fixtures"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("fixtures/default.json: ok"));
    let bad = temp_file(
        "bad.json",
        r#"{"tasks": [{"taskId": 1, "schedule": {"processing": {"polls": "three"}}}]}"#,
    );
    let out = Command::new(BIN).arg("check").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: tasks[0].schedule.processing: expected a duration",
            bad.display()
        )),
        "{stderr}"
    );
}

#[test]
fn check_lists_each_limit_with_its_retry_after() {
    let limits = temp_file(
        "limits.json",
        r#"{"limits": [{"action": "DescribeScanTaskProgress", "rate": "2/s", "retryAfter": "auto"},
                       {"rate": "30/m", "burst": 5, "retryAfter": "1.5s", "accountId": "1"}]}"#,
    );
    let out = Command::new(BIN)
        .arg("check")
        .arg(&limits)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    for line in [
        "  #1: DescribeScanTaskProgress at 2/s, burst 2, retry after the next token",
        "  #2: * at 30/m, burst 5, retry after 1500ms (account 1 only)",
    ] {
        assert!(
            said.lines().any(|l| l == line),
            "no line {line:?} in:\n{said}"
        );
    }
}

#[test]
fn a_bad_fixture_stops_the_server_with_the_same_message_and_no_panic() {
    let bad = temp_file(
        "dangling.json",
        r#"{"tasks": [{"taskId": 1, "accessKeyId": "ghost"}]}"#,
    );
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--fixtures"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tasks[0].accessKeyId: access key \"ghost\" is not defined"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

pub struct Server {
    pub child: Child,
    pub port: u16,
    logs: Receiver<String>,
}

impl Server {
    pub fn start(args: &[&str]) -> Server {
        let listen: &[&str] = if args.contains(&"--listen") {
            &[]
        } else {
            &["--listen", "127.0.0.1:0"]
        };
        let mut child = Command::new(BIN)
            .args(listen)
            .args(["--log-format", "json", "--clock", "manual"])
            .args(args)
            .env("RUST_LOG", "sas_mock=debug")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, logs) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            logs,
        };
        let ready = server.wait_for(|json| json["message"] == "sas-mock ready");
        server.port = ready["listen"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        server
    }

    /// The next log line (JSON) that satisfies `want`; fails after 10 s without one.
    pub fn wait_for(&self, want: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        loop {
            let line = self
                .logs
                .recv_timeout(Duration::from_secs(10))
                .expect("the awaited log line");
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(&line) {
                if want(&json) {
                    return json;
                }
            }
        }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }

    pub fn get(&self, path: &str) -> String {
        let mut stream = self.connect();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    }

    pub fn terminate(&self) {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn the_server_answers_over_tcp_passes_its_healthcheck_and_exits_cleanly_on_sigterm() {
    let mut server = Server::start(&[]);
    let answer = server.get("/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=100003");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(r#""ScanTaskProgress":"Success""#),
        "{answer}"
    );
    let url = format!("http://127.0.0.1:{}/__admin/health", server.port);
    assert!(Command::new(BIN)
        .args(["healthcheck", "--url", &url])
        .status()
        .unwrap()
        .success());
    server.terminate();
    assert_eq!(
        server.child.wait().unwrap().code(),
        Some(0),
        "graceful exit"
    );
    let down = Command::new(BIN)
        .args(["healthcheck", "--url", &url])
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
}

#[test]
fn sigterm_during_a_request_lets_it_finish_before_exiting() {
    let fixture = temp_file(
        "slow.json",
        r#"{"tasks": [{"taskId": 5, "progress": "Success"}], "faults": [{"match": {"taskId": 5}, "delay": "1s"}]}"#,
    );
    let mut server = Server::start(&["--fixtures", fixture.to_str().unwrap()]);
    let mut stream = server.connect();
    write!(stream, "GET /?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    server.wait_for(|json| json["message"] == "a fault rule delays the answer");
    server.terminate();
    // The drain is proven by the order of the log: shutdown began, then the request was answered.
    server.wait_for(|json| json["message"] == "SIGTERM received, shutting down");
    let answered = server.wait_for(|json| json["message"] == "rpc");
    assert_eq!(answered["status"], 200);
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains(r#""ScanTaskProgress":"Success""#),
        "{answer}"
    );
    assert_eq!(server.child.wait().unwrap().code(), Some(0));
}

#[test]
fn tls_serves_https_with_a_generated_certificate_and_rejects_bad_pem_files() {
    let cert = std::env::temp_dir().join(format!("sas-mock-it-{}-cert.pem", std::process::id()));
    let server = Server::start(&[
        "--tls-self-signed",
        "--tls-cert-out",
        cert.to_str().unwrap(),
    ]);
    assert!(std::fs::read_to_string(&cert)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let url = format!("https://127.0.0.1:{}/__admin/health", server.port);
    assert!(Command::new(BIN)
        .args(["healthcheck", "--url", &url])
        .status()
        .unwrap()
        .success());
    let plain = format!("http://127.0.0.1:{}/__admin/health", server.port);
    assert_eq!(
        Command::new(BIN)
            .args(["healthcheck", "--url", &plain])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
    // A handshake that fails (garbage where a ClientHello belongs) leaves the server serving.
    let mut broken = server.connect();
    broken
        .write_all(b"\x16\x03\x01\x00\x05garbage that is no ClientHello")
        .unwrap();
    let _ = broken.read_to_end(&mut Vec::new());
    assert!(
        Command::new(BIN)
            .args(["healthcheck", "--url", &url])
            .status()
            .unwrap()
            .success(),
        "still serving HTTPS after a failed handshake"
    );
    let garbage = temp_file("garbage.pem", "not a certificate");
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&garbage)
        .arg("--tls-key")
        .arg(&garbage)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("garbage.pem"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_client_speaking_tls_to_the_plain_port_is_told_once_per_source() {
    let server = Server::start(&[]);
    for _ in 0..2 {
        let mut tls = server.connect();
        tls.write_all(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
            .unwrap();
        let _ = tls.read_to_end(&mut Vec::new());
    }
    let warning = server.wait_for(|json| json["level"] == "WARN");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("speaks TLS")
            && message.contains("protocol='http'")
            && message.contains("--tls-self-signed"),
        "{message}"
    );
    // A plain request after the second attempt: its line comes with no second warning before it.
    let mut plain = server.connect();
    write!(plain, "GET /?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let _ = plain.read_to_end(&mut Vec::new());
    let next = server.wait_for(|json| json["level"] == "WARN" || json["message"] == "rpc");
    assert_eq!(next["message"], "rpc", "one warning per source: {next}");
}

#[test]
fn slow_clients_are_cut_off_by_the_header_and_body_timeouts() {
    let server = Server::start(&["--header-timeout", "300ms", "--body-timeout", "300ms"]);
    let mut slow_headers = server.connect();
    write!(
        slow_headers,
        "GET /?Action=DescribeScanTaskProgress HTTP/1.1\r\nHost: x\r\n"
    )
    .unwrap();
    let mut rest = Vec::new();
    let closed = slow_headers.read_to_end(&mut rest);
    assert!(
        closed.is_ok(),
        "the server closes the connection: {closed:?}"
    );
    let mut slow_body = server.connect();
    write!(slow_body, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\n\r\nTaskI").unwrap();
    let mut answer = String::new();
    slow_body.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""Code":"RequestTimeout""#), "{answer}");
}

#[test]
fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let server = Server::start(&["--max-connections", "1"]);
    let request = "GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut first = server.connect();
    first.write_all(request.as_bytes()).unwrap();
    let mut buffer = [0u8; 512];
    assert!(
        first.read(&mut buffer).unwrap() > 0,
        "the first connection is served and kept alive"
    );
    let mut second = server.connect();
    second.write_all(request.as_bytes()).unwrap();
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let waiting = second.read(&mut buffer);
    assert!(
        waiting.is_err(),
        "no answer while the only slot is taken: {waiting:?}"
    );
    drop(first);
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let n = second.read(&mut buffer).unwrap();
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
}

#[test]
fn an_unguarded_admin_api_on_a_public_address_is_announced_loudly() {
    let server = Server::start(&["--listen", "0.0.0.0:0"]);
    let warning = server.wait_for(|json| json["level"] == "WARN");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("without --admin-token"),
        "{warning}"
    );
}
