//! `sas-mock check [PATH...]`: loads fixture files exactly as the server would and prints what the
//! merged fixtures define, or the first problem with its file and JSON path.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::serve::startup_fixtures;
use crate::fixtures::limits::RetryAfter;
use crate::fixtures::FaultSpec;
use crate::model::duration::format_duration;
use crate::settings::Settings;
use crate::state::AppState;

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Fixture files or directories (a directory contributes its *.json files). Without any, the
    /// paths in SAS_MOCK_FIXTURES, else the embedded default fixtures.
    #[arg(value_name = "PATH", env = "SAS_MOCK_FIXTURES", value_delimiter = ',')]
    pub paths: Vec<PathBuf>,
}

/// How many tasks are listed one by one; a larger fixture is summed up after them.
const TASKS_SHOWN: usize = 20;

pub fn run(args: &CheckArgs) -> ExitCode {
    let docs = match startup_fixtures(&args.paths) {
        Ok(docs) => docs,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let state = match AppState::new(Settings::default(), &[]) {
        Ok(state) => state,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    for (source, doc) in &docs {
        match state.load_fixture(source, doc) {
            Ok(s) => println!(
                "{source}: ok ({}, {}, {}, {}, {}, {})",
                counted(s.accounts, "access key"),
                counted(s.tasks, "task"),
                counted(s.faults, "fault rule"),
                counted(s.stubs, "stub"),
                counted(s.limits, "limit"),
                counted(s.machines, "machine")
            ),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    print!("{}", defined(&state));
    println!("{} file(s) valid", docs.len());
    ExitCode::SUCCESS
}

/// `1 stub`, `2 stubs`.
fn counted(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// What the loaded fixtures define, section by section.
fn defined(state: &AppState) -> String {
    let mut out = String::new();
    let keys = state.accounts.keys();
    let mut keys: Vec<_> = keys.iter().collect();
    keys.sort_by(|a, b| (&a.account_id, &a.id).cmp(&(&b.account_id, &b.id)));
    section(&mut out, "access keys", keys.len());
    for key in keys {
        let mut notes = Vec::new();
        if !key.deny.is_empty() {
            notes.push(format!("denied {}", key.deny.join(", ")));
        }
        if key.security_token.is_some() {
            notes.push("STS: needs its token".to_owned());
        }
        if !key.active {
            notes.push("disabled".to_owned());
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        let _ = writeln!(out, "  {} -> account {}{notes}", key.id, key.account_id);
    }
    let seeds = state.tasks.seeds();
    let all = seeds.all();
    section(&mut out, "tasks", all.len());
    for (owner, id, seed) in all.iter().take(TASKS_SHOWN) {
        let owner = owner.map_or_else(|| "shared".to_owned(), |a| format!("account {a}"));
        let life = match seed.pinned {
            Some(progress) => format!("pinned at {progress}"),
            None => seed.schedule.to_string(),
        };
        let _ = writeln!(out, "  {id} ({owner}): {life}");
    }
    if all.len() > TASKS_SHOWN {
        let _ = writeln!(out, "  … and {} more", all.len() - TASKS_SHOWN);
    }
    let _ = writeln!(out, "  new tasks: {}", seeds.default_schedule);
    let faults = state.faults.rules.list();
    section(&mut out, "fault rules", faults.len());
    for rule in faults {
        let _ = writeln!(out, "  #{}: {}", rule.id, fault(&rule.spec));
    }
    let stubs = state.stubs.rules.list();
    section(&mut out, "stubs", stubs.len());
    for stub in stubs {
        let _ = writeln!(
            out,
            "  #{}: {}{}",
            stub.id,
            stub.spec.action,
            scope(stub.account_id.as_deref())
        );
    }
    let limits = state.limits.rules.list();
    section(&mut out, "limits", limits.len());
    for limit in limits {
        let spec = &limit.spec;
        let _ = writeln!(
            out,
            "  #{}: {} at {}, burst {}{}{}",
            limit.id,
            spec.action,
            spec.rate,
            spec.capacity(),
            match spec.retry_after {
                Some(RetryAfter::Auto) => ", retry after the next token".to_owned(),
                Some(RetryAfter::Millis(millis)) =>
                    format!(", retry after {}", format_duration(millis)),
                None => String::new(),
            },
            scope(limit.account_id.as_deref())
        );
    }
    let machines = state.machines.rules.list();
    section(&mut out, "machines", machines.len());
    for machine in machines {
        let m = &machine.spec;
        let _ = writeln!(
            out,
            "  {} {} (group {}): {} findings{}",
            m.instance_name,
            m.uuid,
            m.group_id,
            m.findings.len(),
            scope(machine.account_id.as_deref())
        );
    }
    out
}

fn section(out: &mut String, name: &str, count: usize) {
    let _ = writeln!(
        out,
        "{name}: {}",
        if count == 0 {
            "none".to_owned()
        } else {
            count.to_string()
        }
    );
}

fn scope(account: Option<&str>) -> String {
    account.map_or_else(String::new, |a| format!(" (account {a} only)"))
}

/// `DescribeScanTaskProgress taskId=403403 -> NoPermission`.
fn fault(spec: &FaultSpec) -> String {
    let m = &spec.matcher;
    let mut text = m.action.clone().unwrap_or_else(|| "*".to_owned());
    for (name, value) in [
        ("taskId", m.task_id.map(|id| id.to_string())),
        ("accessKeyId", m.access_key_id.clone()),
        ("accountId", m.account_id.clone()),
    ] {
        if let Some(value) = value {
            let _ = write!(text, " {name}={value}");
        }
    }
    let answer = match (&spec.error, spec.network) {
        (Some(error), _) => error.to_api_error().code.into_owned(),
        (None, Some(network)) => format!("network {}", network.name()),
        (None, None) => "the normal answer".to_owned(),
    };
    let _ = write!(text, " -> {answer}");
    if let Some(delay) = spec.delay {
        let _ = write!(
            text,
            " after {}",
            crate::model::duration::format_duration(delay.0)
        );
    }
    if let Some(times) = spec.times {
        let _ = write!(text, ", {times} times");
    }
    if let Some(p) = spec.probability {
        let _ = write!(text, ", with probability {p}");
    }
    text
}
