//! Time to ready and resident memory of the real binary, and blocking one-off admin calls.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct StartupArgs {
    /// The sas-mock binary.
    #[arg(long)]
    bin: PathBuf,
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// How long the server sits idle after its first 200 before its RSS is read.
    #[arg(long, default_value_t = 500)]
    settle_ms: u64,
    /// Give up on one start after this long.
    #[arg(long, default_value_t = 120)]
    timeout_secs: u64,
    /// Extra arguments for `sas-mock serve` (after `--`).
    #[arg(last = true)]
    serve_args: Vec<String>,
}

pub fn startup(args: &StartupArgs) -> Result<(), String> {
    let (mut ready_ms, mut rss_kb, mut peak_kb) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.runs.max(1) {
        let (ms, (rss, peak)) = one_start(args)?;
        ready_ms.push(ms);
        rss_kb.push(rss);
        peak_kb.push(peak);
    }
    ready_ms.sort_by(f64::total_cmp);
    rss_kb.sort_unstable();
    peak_kb.sort_unstable();
    let median = |v: &[u64]| v[v.len() / 2];
    println!(
        "runs={} ready_ms_median={:.1} ready_ms_min={:.1} ready_ms_max={:.1} idle_rss_kb_median={} idle_rss_kb_max={} peak_rss_kb_median={}",
        ready_ms.len(),
        ready_ms[ready_ms.len() / 2],
        ready_ms[0],
        ready_ms[ready_ms.len() - 1],
        median(&rss_kb),
        rss_kb[rss_kb.len() - 1],
        median(&peak_kb),
    );
    Ok(())
}

/// One start: milliseconds from spawn to the first 200 on health, then RSS and peak RSS (kB)
/// once settled.
fn one_start(args: &StartupArgs) -> Result<(f64, (u64, u64)), String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    let mut child = Command::new(&args.bin)
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .args(&args.serve_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", args.bin.display()))?;
    let deadline = started + Duration::from_secs(args.timeout_secs);
    let ready = loop {
        if get(addr, "/__admin/health").is_ok_and(|(status, _)| status == 200) {
            break Ok(started.elapsed());
        }
        if Instant::now() > deadline {
            break Err(format!("not ready within {} s", args.timeout_secs));
        }
        if let Ok(Some(status)) = child.try_wait() {
            break Err(format!("the server exited with {status}"));
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    let rss = ready.as_ref().ok().map(|_| {
        std::thread::sleep(Duration::from_millis(args.settle_ms));
        (
            status_kb(child.id(), "VmRSS:"),
            status_kb(child.id(), "VmHWM:"),
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    let ready = ready?;
    let (rss, peak) = rss.unwrap_or((None, None));
    Ok((
        ready.as_secs_f64() * 1000.0,
        (rss.unwrap_or(0), peak.unwrap_or(0)),
    ))
}

/// A kB figure of `/proc/PID/status` (`VmRSS:`, `VmHWM:`).
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A blocking `GET` with `Connection: close`: status and body.
pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The mock's clock if it is manual (signed requests must then carry its time), else `None`.
pub fn manual_clock(addr: SocketAddr) -> Result<Option<i64>, String> {
    let (status, body) = get(addr, "/__admin/clock").map_err(|e| format!("{addr}: {e}"))?;
    if status != 200 {
        return Err(format!("GET /__admin/clock answered {status}: {body}"));
    }
    let clock: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| format!("clock answer: {e}"))?;
    Ok(match clock["mode"].as_str() {
        Some("manual") => clock["epochMillis"].as_i64(),
        _ => None,
    })
}
