//! An alert: a finding on a machine that a finished scan reported, and what handling does to it.
//!
//! One alert per machine and finding: a scan that finds it again while it is open refreshes it
//! (its last time moves on); once ignored or handled, the next scan that finds it raises a new
//! alert; once marked a false positive (a whitelist rule, in the service), it is not raised again.

use std::sync::Arc;

use super::clock::Millis;
use super::finding::Finding;
use super::machine::Machine;

/// `EventStatus` as `DescribeSuspEvents` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Pending = 1,
    Ignored = 2,
    FalsePositive = 8,
    Handled = 32,
}

impl Status {
    pub fn code(self) -> i64 {
        self as i64
    }

    /// `Dealed`: whether someone has dealt with it (anything but pending).
    pub fn dealed(self) -> bool {
        self != Status::Pending
    }
}

/// The handling operations (`OperationCode` of HandleSecurityEvents and OperateVirusEvents) and
/// the status each leaves an alert in; `None`: accepted, the status stays (a check that handles
/// nothing).
const OPERATIONS: &[(&str, Option<Status>)] = &[
    ("ignore", Some(Status::Ignored)),
    ("advance_mark_mis_info", Some(Status::FalsePositive)),
    ("mark_mis_info", Some(Status::FalsePositive)),
    ("manual_handled", Some(Status::Handled)),
    ("deal", Some(Status::Handled)),
    ("default", Some(Status::Handled)),
    ("kill_process", Some(Status::Handled)),
    ("cleanup", Some(Status::Handled)),
    ("kill_and_quara", Some(Status::Handled)),
    ("quara", Some(Status::Handled)),
    ("block_ip", Some(Status::Handled)),
    ("offline_handled", Some(Status::Handled)),
    ("disable_malicious_defense", Some(Status::Handled)),
    ("client_problem_check", None),
];

/// What an operation code does: `Err` for a code the service does not know.
pub fn operation(code: &str) -> Result<Option<Status>, String> {
    (OPERATIONS.iter())
        .find(|(name, _)| *name == code)
        .map(|(_, status)| *status)
        .ok_or_else(|| {
            let known: Vec<&str> = OPERATIONS.iter().map(|(name, _)| *name).collect();
            format!("OperationCode {code:?} is not one of {}", known.join(", "))
        })
}

/// The last handling of an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Handling {
    pub at: Millis,
    pub code: String,
    /// The `TaskId` the handling call answered.
    pub task_id: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: i64,
    pub machine: Arc<Machine>,
    pub finding: Finding,
    pub status: Status,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub handling: Option<Handling>,
}

/// What a scan that reports a finding does, given the latest alert for that machine and finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    Refresh,
    Suppress,
    Raise,
}

impl Alert {
    pub fn new(id: i64, machine: Arc<Machine>, finding: Finding, at: Millis) -> Self {
        Alert {
            id,
            machine,
            finding,
            status: Status::Pending,
            first_seen: at,
            last_seen: at,
            handling: None,
        }
    }

    /// Whether this alert is about this finding on this machine.
    pub fn is_about(&self, uuid: &str, finding: &Finding) -> bool {
        &*self.machine.uuid == uuid && self.finding == *finding
    }

    pub fn recurrence(&self) -> Recurrence {
        match self.status {
            Status::Pending => Recurrence::Refresh,
            Status::FalsePositive => Recurrence::Suppress,
            Status::Ignored | Status::Handled => Recurrence::Raise,
        }
    }

    /// Seen again at `at` (a clock set back never moves the last time back).
    pub fn refresh(&mut self, at: Millis) {
        self.last_seen = self.last_seen.max(at);
    }

    /// Handles it: any alert can be handled again, the last handling wins.
    pub fn handle(&mut self, status: Option<Status>, handling: Handling) {
        if let Some(status) = status {
            self.status = status;
        }
        self.handling = Some(handling);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::finding::Level;

    fn alert() -> Alert {
        let finding = Finding {
            name: "Trojan".to_owned(),
            level: Level::Serious,
            kind: "Malicious process (cloud scan)".to_owned(),
            details: Vec::new(),
        };
        let machine = Arc::new(crate::model::machine::bare("u-1", vec![finding.clone()]));
        Alert::new(7, machine, finding, 1_000)
    }

    #[test]
    fn operation_codes_map_to_the_documented_statuses() {
        let cases = [
            ("ignore", Some(Status::Ignored)),
            ("advance_mark_mis_info", Some(Status::FalsePositive)),
            ("mark_mis_info", Some(Status::FalsePositive)),
            ("manual_handled", Some(Status::Handled)),
            ("deal", Some(Status::Handled)),
            ("client_problem_check", None),
        ];
        for (code, status) in cases {
            assert_eq!(operation(code), Ok(status), "{code}");
        }
        let err = operation("Ignore").expect_err("codes are exact");
        assert!(err.contains("ignore, advance_mark_mis_info"), "{err}");
        let codes: Vec<i64> = [
            Status::Pending,
            Status::Ignored,
            Status::FalsePositive,
            Status::Handled,
        ]
        .map(Status::code)
        .to_vec();
        assert_eq!(codes, [1, 2, 8, 32]);
    }

    #[test]
    fn an_open_alert_is_refreshed_a_whitelisted_one_suppressed_a_dealt_one_raised_anew() {
        let mut a = alert();
        assert_eq!(
            (a.recurrence(), a.status.dealed()),
            (Recurrence::Refresh, false)
        );
        a.refresh(5_000);
        a.refresh(2_000);
        assert_eq!((a.first_seen, a.last_seen), (1_000, 5_000));
        let handling = |code: &str| Handling {
            at: 6_000,
            code: code.to_owned(),
            task_id: 1,
        };
        for (code, recurrence) in [
            ("ignore", Recurrence::Raise),
            ("mark_mis_info", Recurrence::Suppress),
            ("deal", Recurrence::Raise),
        ] {
            a.handle(operation(code).expect("known"), handling(code));
            assert!(a.status.dealed(), "{code}");
            assert_eq!(a.recurrence(), recurrence, "{code}");
        }
        a.handle(None, handling("client_problem_check"));
        assert_eq!(a.status, Status::Handled, "a check leaves the status");
    }
}
