//! The request journal: the last `--journal-size` requests the mock answered, for tests to assert
//! on and the dashboard to show. One queue under one lock: exactly bounded, oldest dropped first.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use serde::{Serialize, Serializer};
use std::sync::Arc;

use crate::model::clock::{format_rfc3339, Millis};
use crate::model::rng::RequestId;
use crate::protocol::Params;

/// One answered RPC request. Secrets, signatures and tokens are masked before they get here.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub seq: u64,
    /// When it was answered, on the mock's clock (RFC 3339 when serialised).
    #[serde(serialize_with = "rfc3339")]
    pub time: Millis,
    pub method: Cow<'static, str>,
    pub action: Option<Cow<'static, str>>,
    /// How the request was signed: `v2` (HMAC-SHA1), `v3` (ACS3-HMAC-SHA256) or `unsigned`.
    pub scheme: &'static str,
    pub access_key_id: Option<Arc<str>>,
    pub account_id: Arc<str>,
    pub task_id: Option<i64>,
    pub status: u16,
    /// The error code, for error answers.
    pub code: Option<Cow<'static, str>>,
    /// Why the mock answered an error, when the body alone does not say (`IllegalParam`).
    pub reason: Option<String>,
    pub request_id: RequestId,
    /// The fault rule that answered or delayed it, if one did.
    pub fault_id: Option<u64>,
    /// The stub that answered, if one did.
    pub stub_id: Option<u64>,
    /// The flow-control limit that refused it, if one did.
    pub limit_id: Option<u64>,
    /// The network fault the answer became (`connectionReset`, `hang`, …), if a rule made one;
    /// `status` is then 0 unless a page was sent (`proxyError`).
    pub network: Option<&'static str>,
    pub latency_micros: u64,
    /// The decoded parameters (query, then form body), secrets masked, long values clipped.
    pub params: Params,
    /// The answer's body (shared with the answer itself), clipped; text when serialised.
    #[serde(serialize_with = "lossy_text")]
    pub response: Bytes,
}

/// The most bytes an entry keeps of one text a client chose (an action, a key, a parameter value),
/// and of the answer: the journal's memory is bounded by its size, not by what clients send.
pub const MAX_CLIENT_TEXT: usize = 256;
/// The most bytes kept of one parameter's value, and of all of a request's parameters.
pub const MAX_VALUE: usize = 1024;
pub const MAX_PARAMS: usize = 4096;
pub const MAX_RESPONSE: usize = 4096;

/// `text` cut to `max` bytes on a character boundary, with `…` marking the cut.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into()
}

/// The answer's body as the journal keeps it: the very bytes sent when they are short enough,
/// else a copy of the first `max` bytes (on a character boundary) and `…`.
pub fn clip_body(body: &Bytes, max: usize) -> Bytes {
    if body.len() <= max {
        return body.clone();
    }
    match std::str::from_utf8(body) {
        Ok(text) => Bytes::from(clip(text, max).into_owned()),
        Err(_) => Bytes::from([&body[..max], "…".as_bytes()].concat()),
    }
}

fn lossy_text<S: Serializer>(body: &Bytes, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(body))
}

fn rfc3339<S: Serializer>(millis: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_rfc3339(*millis))
}

/// Which entries to return; every field given must match.
#[derive(Debug, Default, Clone)]
pub struct JournalFilter {
    /// Compared without regard to letter case.
    pub action: Option<String>,
    pub access_key_id: Option<String>,
    pub account_id: Option<String>,
    pub task_id: Option<i64>,
    pub status: Option<u16>,
    pub code: Option<String>,
    /// Only entries after this sequence number (for a client that follows the journal).
    pub after: Option<u64>,
    /// Keep only the newest this many.
    pub limit: Option<usize>,
}

impl JournalFilter {
    fn accepts(&self, e: &JournalEntry) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w))
        };
        (self.action.as_deref()).is_none_or(|a| {
            e.action
                .as_deref()
                .is_some_and(|b| a.eq_ignore_ascii_case(b))
        }) && same(&self.access_key_id, e.access_key_id.as_deref())
            && same(&self.account_id, Some(&e.account_id))
            && same(&self.code, e.code.as_deref())
            && self.task_id.is_none_or(|t| e.task_id == Some(t))
            && self.status.is_none_or(|s| e.status == s)
            && self.after.is_none_or(|seq| e.seq > seq)
    }
}

#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    queue: VecDeque<JournalEntry>,
    last_seq: u64,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            entries: Mutex::default(),
        }
    }

    /// Appends an entry (its `seq` is assigned here), dropping the oldest when full.
    pub fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        entries.last_seq += 1;
        entry.seq = entries.last_seq;
        if entries.queue.len() >= self.capacity {
            entries.queue.pop_front();
        }
        entries.queue.push_back(entry);
    }

    /// Matching entries, oldest first; with a limit, the most recent `limit` of them.
    pub fn entries(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        let entries = self.lock();
        let matching = entries.queue.iter().filter(|e| filter.accepts(e));
        let mut found: Vec<JournalEntry> = match filter.limit {
            Some(limit) => matching.rev().take(limit).cloned().collect(),
            None => return matching.cloned().collect(),
        };
        found.reverse();
        found
    }

    /// Every account in the journal: how many of its requests it holds, and the access keys they
    /// named (without copying the entries).
    pub fn accounts(&self) -> Vec<(Arc<str>, usize, Vec<Arc<str>>)> {
        let entries = self.lock();
        let mut seen: std::collections::BTreeMap<&Arc<str>, (usize, Vec<Arc<str>>)> =
            Default::default();
        for entry in &entries.queue {
            let (count, keys) = seen.entry(&entry.account_id).or_default();
            *count += 1;
            if let Some(key) = entry.access_key_id.as_ref().filter(|k| !keys.contains(k)) {
                keys.push(Arc::clone(key));
            }
        }
        (seen.into_iter())
            .map(|(account, (count, keys))| (Arc::clone(account), count, keys))
            .collect()
    }

    /// Forgets every entry, or those of one account.
    pub fn clear(&self, account: Option<&str>) {
        let mut entries = self.lock();
        match account {
            None => entries.queue.clear(),
            Some(account) => entries.queue.retain(|e| *e.account_id != *account),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn entry(action: &str, account: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: 0,
            method: "GET".into(),
            action: Some(action.to_owned().into()),
            scheme: "unsigned",
            access_key_id: None,
            account_id: account.into(),
            task_id: None,
            status: 200,
            code: None,
            reason: None,
            request_id: RequestId::default(),
            fault_id: None,
            stub_id: None,
            limit_id: None,
            network: None,
            latency_micros: 0,
            params: Params::default(),
            response: Bytes::new(),
        }
    }

    fn actions(journal: &Journal, filter: &JournalFilter) -> Vec<String> {
        (journal.entries(filter).into_iter())
            .filter_map(|e| e.action.map(String::from))
            .collect()
    }

    #[test]
    fn the_journal_keeps_exactly_the_newest_entries() {
        let journal = Journal::new(3);
        for i in 0..5 {
            journal.record(entry(&format!("A{i}"), "x"));
        }
        let seqs: Vec<u64> = (journal.entries(&JournalFilter::default()).iter())
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, [3, 4, 5]);
    }

    #[test]
    fn long_texts_are_clipped_on_a_character_boundary() {
        let long = "é".repeat(1_000);
        let clipped = clip(&long, MAX_CLIENT_TEXT);
        assert!(clipped.len() <= MAX_CLIENT_TEXT + '…'.len_utf8());
        assert!(
            clipped.starts_with("éé") && clipped.ends_with("é…"),
            "{clipped}"
        );
        assert_eq!(clip("short", 10), "short");
    }

    #[test]
    fn filters_match_case_insensitive_actions_tasks_statuses_codes_and_limit_keeps_the_latest() {
        let journal = Journal::new(10);
        journal.record(entry("DescribeScanTaskProgress", "x"));
        journal.record(JournalEntry {
            task_id: Some(7),
            status: 403,
            code: Some("NoPermission".into()),
            ..entry("DescribeScanTaskProgress", "x")
        });
        journal.record(entry("StartVirusScanTask", "y"));
        let by = |filter: JournalFilter| actions(&journal, &filter).len();
        let action = Some("describescantaskprogress".to_owned());
        assert_eq!(
            by(JournalFilter {
                action,
                ..Default::default()
            }),
            2
        );
        assert_eq!(
            by(JournalFilter {
                task_id: Some(7),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            by(JournalFilter {
                status: Some(403),
                ..Default::default()
            }),
            1
        );
        let code = Some("NoPermission".to_owned());
        assert_eq!(
            by(JournalFilter {
                code,
                ..Default::default()
            }),
            1
        );
        let latest = JournalFilter {
            limit: Some(1),
            ..Default::default()
        };
        assert_eq!(actions(&journal, &latest), ["StartVirusScanTask"]);
        journal.clear(Some("x"));
        assert_eq!(by(JournalFilter::default()), 1);
    }

    #[test]
    fn concurrent_recording_keeps_exactly_the_newest_entries_in_order() {
        let journal = Journal::new(100);
        std::thread::scope(|s| {
            for t in 0..4 {
                let journal = &journal;
                s.spawn(move || {
                    for i in 0..1_000 {
                        journal.record(entry(&format!("t{t}-{i}"), "x"));
                    }
                });
            }
        });
        let seqs: Vec<u64> = (journal.entries(&JournalFilter::default()).iter())
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (3_901..=4_000).collect::<Vec<u64>>());
    }

    #[test]
    fn a_journal_of_size_zero_keeps_nothing() {
        let journal = Journal::new(0);
        journal.record(entry("A", "x"));
        assert!(actions(&journal, &JournalFilter::default()).is_empty());
    }
}
