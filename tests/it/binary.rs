//! The real binary: check, a bad fixture at startup, serving, healthcheck, and SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_sas-mock");

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
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

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(BIN)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "json",
                "--clock",
                "manual",
            ])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let ready = lines.find_map(|line| {
            let line = line.ok()?;
            let json: serde_json::Value = serde_json::from_str(&line).ok()?;
            (json["message"] == "sas-mock ready")
                .then(|| json["listen"].as_str().unwrap().to_owned())
        });
        let port = ready
            .expect("ready line")
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, port }
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn the_server_answers_over_tcp_passes_its_healthcheck_and_exits_cleanly_on_sigterm() {
    let mut server = Server::start();
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
    let term = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "graceful exit");
    let down = Command::new(BIN)
        .args(["healthcheck", "--url", &url])
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
}
