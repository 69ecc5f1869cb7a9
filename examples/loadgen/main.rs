//! A purpose-built load client for `bench/load.sh` and `bench/memory.sh`.
//!
//! General-purpose generators (wrk, oha) cannot sign each request with a fresh nonce, which the
//! signed scenarios need so that every request is valid and the nonce store is exercised. This
//! client signs with the crate's own client-side helpers (the ones `sas-mock sign` uses).
//!
//! ```text
//! loadgen run --addr 127.0.0.1:PORT --scenario v3 --connections 32 --seconds 10
//! loadgen startup --bin target/release/sas-mock --runs 20 [-- SERVE ARGS]
//! loadgen fixture --tasks 1000000 --out /tmp/tasks.json
//! ```
//!
//! Loopback only: `--addr` must be a loopback address, and every run is bounded in time and count.

mod client;
mod requests;
mod startup;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

use client::{Limits, Outcome};
use requests::{Builder, Scenario};

#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Drive a running mock and print requests/s and latency percentiles.
    Run(RunArgs),
    /// Start the binary repeatedly; print the time to the first 200 on health, and idle RSS.
    Startup(startup::StartupArgs),
    /// Write a fixture file with N tasks owned by one account, each with its own targetInfo.
    Fixture {
        #[arg(long)]
        tasks: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    #[arg(long)]
    addr: SocketAddr,
    #[arg(long, value_enum)]
    scenario: Scenario,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Stop after this many requests in all (warm-up included), whichever comes first.
    #[arg(long)]
    max_requests: Option<u64>,
    /// Client worker threads (1 = a single-threaded event loop, like `wrk -t1`).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    #[arg(long, default_value_t = 100_002)]
    task_id: i64,
    #[arg(long, default_value = "testid")]
    access_key_id: String,
    #[arg(long, default_value = "testsecret")]
    secret: String,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Run(args) => run(&args),
        Command::Startup(args) => startup::startup(&args),
        Command::Fixture { tasks, out } => fixture(tasks, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("loadgen: {why}");
            ExitCode::FAILURE
        }
    }
}

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder.enable_all().build().map_err(|e| e.to_string())
}

fn run(args: &RunArgs) -> Result<(), String> {
    if !args.addr.ip().is_loopback() {
        return Err(format!("{} is not a loopback address", args.addr));
    }
    let builder = Arc::new(Builder {
        scenario: args.scenario,
        host: args.addr.to_string(),
        task_id: args.task_id,
        access_key_id: args.access_key_id.clone(),
        secret: args.secret.clone(),
        run_id: rand::random(),
        manual_now: startup::manual_clock(args.addr)?,
    });
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let limits = Arc::new(Limits {
        measure_from,
        deadline: measure_from + Duration::from_secs_f64(args.seconds),
        remaining: AtomicU64::new(args.max_requests.unwrap_or(u64::MAX)),
    });
    let outcomes = runtime(args.threads)?.block_on(async {
        let tasks: Vec<_> = (0..args.connections)
            .map(|conn| {
                let (b, l) = (Arc::clone(&builder), Arc::clone(&limits));
                tokio::spawn(client::connection(args.addr, b, conn, l))
            })
            .collect();
        let mut outcomes = Vec::with_capacity(tasks.len());
        for task in tasks {
            outcomes.push(task.await.map_err(|e| e.to_string())?);
        }
        Ok::<_, String>(outcomes)
    })?;
    let elapsed = Instant::now().saturating_duration_since(measure_from);
    let mut merged = Outcome::default();
    for outcome in outcomes {
        let outcome = outcome.map_err(|e| format!("connection failed: {e}"))?;
        merged.micros.extend(outcome.micros);
        merged.errors += outcome.errors;
        merged.first_error = merged.first_error.or(outcome.first_error);
    }
    report(args, &mut merged, elapsed);
    Ok(())
}

fn report(args: &RunArgs, outcome: &mut Outcome, elapsed: Duration) {
    let micros = &mut outcome.micros;
    micros.sort_unstable();
    let pct = |p: f64| -> f64 {
        if micros.is_empty() {
            return 0.0;
        }
        let index = ((micros.len() as f64 * p).ceil() as usize).clamp(1, micros.len()) - 1;
        f64::from(micros[index]) / 1000.0
    };
    let rps = micros.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    println!(
        "scenario={:?} connections={} seconds={:.1} requests={} errors={} rps={:.0} p50_ms={:.3} p99_ms={:.3} p999_ms={:.3} max_ms={:.3}",
        args.scenario,
        args.connections,
        elapsed.as_secs_f64(),
        micros.len(),
        outcome.errors,
        rps,
        pct(0.50),
        pct(0.99),
        pct(0.999),
        pct(1.0),
    );
    if let Some(first) = &outcome.first_error {
        eprintln!("first error answer: {first}");
    }
}

fn fixture(tasks: u64, out: &PathBuf) -> Result<(), String> {
    let file = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(
            w,
            "{{\"description\":\"{tasks} generated tasks\",\"tasks\":["
        )?;
        for i in 0..tasks {
            let comma = if i + 1 < tasks { "," } else { "" };
            let id = 1_000_000 + i;
            // Each task its own one-element targetInfo, as real scenarios have.
            writeln!(
                w,
                "{{\"taskId\":{id},\"accountId\":\"bench\",\"targetInfo\":[{{\"type\":\"uuid\",\"name\":\"host-{i}\",\"target\":\"00000000-0000-4000-8000-{i:012x}\"}}]}}{comma}"
            )?;
        }
        writeln!(w, "]}}")?;
        w.flush()
    };
    write().map_err(|e| format!("{}: {e}", out.display()))
}
