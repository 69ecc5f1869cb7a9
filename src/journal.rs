//! The request journal: a bounded ring buffer of what the mock answered, for tests to inspect.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// One answered RPC request. Secrets and signatures are never recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub seq: u64,
    pub time: String,
    pub method: String,
    pub action: Option<String>,
    pub access_key_id: Option<String>,
    pub account_id: String,
    pub task_id: Option<i64>,
    pub status: u16,
    /// The error code, for error answers.
    pub code: Option<String>,
    pub request_id: String,
    /// The fault rule that answered, if one did.
    pub fault_id: Option<u64>,
    pub latency_micros: u64,
}

/// The most bytes an entry keeps of a text the client chose (method, action, access key id,
/// account): the journal's memory is bounded by its size, not by what clients send.
pub const MAX_CLIENT_TEXT: usize = 256;

/// `text` cut to [`MAX_CLIENT_TEXT`] bytes on a character boundary, with `…` marking the cut.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_CLIENT_TEXT {
        return text.into();
    }
    let mut end = MAX_CLIENT_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into()
}

fn clip_owned(text: String) -> String {
    match clip(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clipped) => clipped,
    }
}

/// Which entries to return.
#[derive(Debug, Default, Clone)]
pub struct JournalFilter {
    pub action: Option<String>,
    pub access_key_id: Option<String>,
    pub account_id: Option<String>,
    pub limit: Option<usize>,
}

impl JournalFilter {
    fn accepts(&self, e: &JournalEntry) -> bool {
        self.action
            .as_deref()
            .is_none_or(|a| e.action.as_deref() == Some(a))
            && self
                .access_key_id
                .as_deref()
                .is_none_or(|k| e.access_key_id.as_deref() == Some(k))
            && self.account_id.as_deref().is_none_or(|a| e.account_id == a)
    }
}

#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<VecDeque<JournalEntry>>,
    seq: AtomicU64,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(4096))),
            seq: AtomicU64::new(1),
        }
    }

    /// Appends an entry (its `seq` is assigned here), dropping the oldest when full.
    pub fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        entry.seq = self.seq.fetch_add(1, Ordering::Relaxed);
        entry.method = clip_owned(entry.method);
        entry.action = entry.action.map(clip_owned);
        entry.access_key_id = entry.access_key_id.map(clip_owned);
        entry.account_id = clip_owned(entry.account_id);
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Matching entries, oldest first; with a limit, the most recent `limit` of them.
    pub fn entries(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        let entries = self.lock();
        let mut matching: Vec<JournalEntry> = entries
            .iter()
            .filter(|e| filter.accepts(e))
            .cloned()
            .collect();
        if let Some(limit) = filter.limit {
            let skip = matching.len().saturating_sub(limit);
            matching.drain(..skip);
        }
        matching
    }

    /// Forgets every entry, or those of one account.
    pub fn clear(&self, account: Option<&str>) {
        let mut entries = self.lock();
        match account {
            None => entries.clear(),
            Some(a) => entries.retain(|e| e.account_id != a),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<JournalEntry>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, account: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: String::new(),
            method: "GET".into(),
            action: Some(action.into()),
            access_key_id: None,
            account_id: account.into(),
            task_id: None,
            status: 200,
            code: None,
            request_id: String::new(),
            fault_id: None,
            latency_micros: 0,
        }
    }

    #[test]
    fn the_journal_keeps_only_the_newest_entries() {
        let journal = Journal::new(3);
        for i in 0..5 {
            journal.record(entry(&format!("A{i}"), "x"));
        }
        let seqs: Vec<u64> = journal
            .entries(&JournalFilter::default())
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, [3, 4, 5]);
    }

    #[test]
    fn texts_a_client_chose_are_clipped_on_a_character_boundary() {
        let journal = Journal::new(2);
        let long = "é".repeat(1_000);
        let mut e = entry(&long, &format!("ak/{long}"));
        e.access_key_id = Some(long.clone());
        journal.record(e);
        journal.record(entry("DescribeScanTaskProgress", "1"));
        let entries = journal.entries(&JournalFilter::default());
        let clipped = entries[0].action.as_deref().unwrap_or_default();
        assert!(clipped.len() <= MAX_CLIENT_TEXT + '…'.len_utf8());
        assert!(
            clipped.starts_with("éé") && clipped.ends_with("é…"),
            "{clipped}"
        );
        assert!(entries[0].account_id.len() <= MAX_CLIENT_TEXT + 3);
        assert!(entries[0]
            .access_key_id
            .as_deref()
            .is_some_and(|k| k.ends_with('…')));
        assert_eq!(
            entries[1].action.as_deref(),
            Some("DescribeScanTaskProgress")
        );
    }

    #[test]
    fn filters_select_by_action_and_account_and_limit_keeps_the_latest() {
        let journal = Journal::new(10);
        journal.record(entry("A", "x"));
        journal.record(entry("B", "x"));
        journal.record(entry("A", "y"));
        let by_action = JournalFilter {
            action: Some("A".into()),
            ..Default::default()
        };
        assert_eq!(journal.entries(&by_action).len(), 2);
        let latest = JournalFilter {
            limit: Some(1),
            ..Default::default()
        };
        assert_eq!(journal.entries(&latest)[0].account_id, "y");
        journal.clear(Some("x"));
        assert_eq!(journal.entries(&JournalFilter::default()).len(), 1);
    }
}
