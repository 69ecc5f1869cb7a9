//! The request journal: a bounded record of what the mock answered, for tests to inspect.
//!
//! Recording is on every request's path, so it shares nothing between request threads but one
//! counter: each thread appends to a queue of its own, holding at most the journal's capacity.
//! Reads merge the queues by sequence number and keep the newest `capacity` entries. That is
//! exactly a single queue of that size: an entry a thread's queue drops has `capacity` newer
//! entries in that queue alone, so it could not be among the newest; and a per-account clear
//! leaves room that the next entries use before anything older is dropped.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::domain::clock::{format_rfc3339, Millis};
use crate::per_thread::{lock, PerThread};
use crate::rng::{OwnLine, RequestId};

/// One answered RPC request. Secrets and signatures are never recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub seq: u64,
    /// When it was answered, on the mock's clock (RFC 3339 when serialised).
    #[serde(serialize_with = "rfc3339")]
    pub time: Millis,
    pub method: Cow<'static, str>,
    pub action: Option<Cow<'static, str>>,
    pub access_key_id: Option<Arc<str>>,
    pub account_id: Arc<str>,
    pub task_id: Option<i64>,
    pub status: u16,
    /// The error code, for error answers.
    pub code: Option<Cow<'static, str>>,
    pub request_id: RequestId,
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

fn clip_cow(text: Cow<'static, str>) -> Cow<'static, str> {
    if text.len() <= MAX_CLIENT_TEXT {
        return text;
    }
    Cow::Owned(clip(&text).into_owned())
}

fn clip_arc(text: Arc<str>) -> Arc<str> {
    if text.len() <= MAX_CLIENT_TEXT {
        return text;
    }
    Arc::from(clip(&text).as_ref())
}

fn rfc3339<S: Serializer>(millis: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_rfc3339(*millis))
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
            && self
                .account_id
                .as_deref()
                .is_none_or(|a| *e.account_id == *a)
    }
}

#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    /// Each recording thread's entries, oldest first.
    queues: PerThread<VecDeque<JournalEntry>>,
    /// The last `seq` given out.
    last_seq: OwnLine<AtomicU64>,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            queues: PerThread::new(),
            last_seq: OwnLine(AtomicU64::new(0)),
        }
    }

    /// Appends an entry (its `seq` is assigned here), dropping the oldest when full.
    pub fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        entry.method = clip_cow(entry.method);
        entry.action = entry.action.map(clip_cow);
        entry.access_key_id = entry.access_key_id.map(clip_arc);
        entry.account_id = clip_arc(entry.account_id);
        // A thread that is exiting records into a queue of its own, still read with the others.
        let queue = self.queues.mine().unwrap_or_else(|| self.queues.register());
        let mut queue = lock(&queue);
        // Numbered under the queue's lock, so that each queue is in `seq` order.
        entry.seq = self.last_seq.0.fetch_add(1, Ordering::Relaxed) + 1;
        if queue.len() >= self.capacity {
            queue.pop_front();
        }
        queue.push_back(entry);
    }

    /// The newest `capacity` entries of all threads, oldest first.
    fn held(&self) -> Vec<JournalEntry> {
        let mut held: Vec<JournalEntry> = (self.queues.all().iter())
            .flat_map(|queue| lock(queue).iter().cloned().collect::<Vec<_>>())
            .collect();
        held.sort_unstable_by_key(|e| e.seq);
        let excess = held.len().saturating_sub(self.capacity);
        held.drain(..excess);
        held
    }

    /// Matching entries, oldest first; with a limit, the most recent `limit` of them.
    pub fn entries(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        let mut matching: Vec<JournalEntry> = self
            .held()
            .into_iter()
            .filter(|e| filter.accepts(e))
            .collect();
        if let Some(limit) = filter.limit {
            let skip = matching.len().saturating_sub(limit);
            matching.drain(..skip);
        }
        matching
    }

    /// Forgets every entry, or those of one account (the room made is used before anything else
    /// is dropped).
    pub fn clear(&self, account: Option<&str>) {
        for queue in self.queues.all().iter() {
            let mut queue = lock(queue);
            match account {
                None => queue.clear(),
                Some(account) => queue.retain(|e| *e.account_id != *account),
            }
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, account: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: 0,
            method: "GET".into(),
            action: Some(action.to_owned().into()),
            access_key_id: None,
            account_id: account.into(),
            task_id: None,
            status: 200,
            code: None,
            request_id: RequestId::default(),
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
        e.access_key_id = Some(Arc::from(long.as_str()));
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
        assert_eq!(&*journal.entries(&latest)[0].account_id, "y");
        journal.clear(Some("x"));
        assert_eq!(journal.entries(&JournalFilter::default()).len(), 1);
    }

    fn actions(journal: &Journal) -> Vec<String> {
        let entries = journal.entries(&JournalFilter::default());
        entries
            .into_iter()
            .filter_map(|e| e.action.map(String::from))
            .collect()
    }

    #[test]
    fn room_made_by_clearing_one_account_is_used_before_anything_is_dropped() {
        let journal = Journal::new(3);
        journal.record(entry("x1", "x"));
        journal.record(entry("y1", "y"));
        journal.record(entry("x2", "x"));
        journal.clear(Some("x"));
        journal.record(entry("z1", "z"));
        journal.record(entry("z2", "z"));
        assert_eq!(actions(&journal), ["y1", "z1", "z2"]);
        journal.record(entry("z3", "z"));
        assert_eq!(actions(&journal), ["z1", "z2", "z3"]);
        let seqs: Vec<u64> = (journal.entries(&JournalFilter::default()).iter())
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, [4, 5, 6], "sequence numbers keep counting");
        journal.clear(None);
        assert!(actions(&journal).is_empty());
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
    fn a_thread_that_records_little_keeps_its_entries_among_the_newest() {
        let journal = Journal::new(5);
        std::thread::scope(|s| {
            s.spawn(|| journal.record(entry("early", "x")));
        });
        for i in 0..3 {
            journal.record(entry(&format!("A{i}"), "x"));
        }
        std::thread::scope(|s| {
            s.spawn(|| journal.record(entry("late", "x")));
        });
        assert_eq!(actions(&journal), ["early", "A0", "A1", "A2", "late"]);
        for i in 3..5 {
            journal.record(entry(&format!("A{i}"), "x"));
        }
        assert_eq!(
            actions(&journal),
            ["A1", "A2", "late", "A3", "A4"],
            "the oldest go first, whichever thread recorded them"
        );
        journal.clear(Some("x"));
        assert!(actions(&journal).is_empty());
    }

    #[test]
    fn a_journal_of_size_zero_keeps_nothing() {
        let journal = Journal::new(0);
        journal.record(entry("A", "x"));
        assert!(actions(&journal).is_empty());
        journal.clear(Some("x"));
    }
}
