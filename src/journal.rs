//! The request journal: a bounded ring buffer of what the mock answered, for tests to inspect.
//!
//! Recording is on every request's path, so it takes no lock that requests share: each entry
//! goes to its own slot of the ring (slot = position modulo capacity; slots are allocated in
//! chunks as the journal fills), locked alone. A slot holds the entry's position, so reads put
//! entries back in order. The only shared lock is a gate that recording takes for reading (never
//! waiting on one another) and that a per-account clear takes for writing, to pack the survivors
//! at the newest positions. That keeps the behaviour of a plain queue exactly: the oldest entry is
//! dropped only when the journal is full, also after a per-account clear made room.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use serde::{Serialize, Serializer};

use crate::domain::clock::{format_rfc3339, Millis};
use crate::rng::RequestId;

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

/// An entry and its position in the ring (positions only grow).
type Slot = Option<Box<(u64, JournalEntry)>>;

/// Slots are allocated this many at a time, when first written, so that a large
/// `--journal-size` costs memory only as the journal fills (as the queue it replaced did).
const CHUNK: usize = 1024;

/// `CHUNK` slots, allocated on first use.
type Chunk = OnceLock<Box<[Mutex<Slot>]>>;

#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    chunks: Box<[Chunk]>,
    /// Read by every recording, written only to clear.
    gate: RwLock<()>,
    /// The next position in the ring; an entry's `seq` is its first position plus one.
    next: AtomicU64,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            chunks: (0..capacity.div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
            gate: RwLock::new(()),
            next: AtomicU64::new(0),
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
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        let position = self.next.fetch_add(1, Ordering::Relaxed);
        entry.seq = position + 1;
        self.put(position, entry);
    }

    /// Writes `entry` at `position`, unless a later entry has already lapped it there.
    fn put(&self, position: u64, entry: JournalEntry) {
        let mut slot = self.slot(position);
        match slot.as_deref_mut() {
            Some((held, _)) if *held > position => {}
            Some(old) => *old = (position, entry),
            None => *slot = Some(Box::new((position, entry))),
        }
    }

    fn slot(&self, position: u64) -> MutexGuard<'_, Slot> {
        let index = (position % self.capacity as u64) as usize;
        let chunk = self.chunks[index / CHUNK]
            .get_or_init(|| (0..CHUNK).map(|_| Mutex::new(None)).collect());
        lock(&chunk[index % CHUNK])
    }

    /// Every entry held, with its position, oldest first (emptying the ring if `take`).
    fn snapshot(&self, take: bool) -> Vec<(u64, JournalEntry)> {
        let slots = self
            .chunks
            .iter()
            .filter_map(OnceLock::get)
            .flat_map(|c| c.iter());
        let mut held: Vec<(u64, JournalEntry)> = slots
            .filter_map(|slot| {
                let mut slot = lock(slot);
                if take {
                    slot.take().map(|b| *b)
                } else {
                    slot.as_deref().cloned()
                }
            })
            .collect();
        held.sort_unstable_by_key(|(position, _)| *position);
        held
    }

    /// Matching entries, oldest first; with a limit, the most recent `limit` of them.
    pub fn entries(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        let mut matching: Vec<JournalEntry> = self
            .snapshot(false)
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| filter.accepts(e))
            .collect();
        if let Some(limit) = filter.limit {
            let skip = matching.len().saturating_sub(limit);
            matching.drain(..skip);
        }
        matching
    }

    /// Forgets every entry, or those of one account (the others move up to the newest
    /// positions, so the room made is used before anything else is dropped).
    pub fn clear(&self, account: Option<&str>) {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        let held = self.snapshot(true);
        let Some(account) = account else { return };
        let kept: Vec<JournalEntry> = held
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| *e.account_id != *account)
            .collect();
        let next = self.next.load(Ordering::Relaxed);
        let first = next.saturating_sub(kept.len() as u64);
        for (position, entry) in (first..).zip(kept) {
            self.put(position, entry);
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
    fn a_large_journal_fills_across_chunks_and_wraps() {
        let journal = Journal::new(CHUNK * 2 + 5);
        for i in 0..(CHUNK * 3) {
            journal.record(entry(&format!("A{i}"), "x"));
        }
        let seqs: Vec<u64> = (journal.entries(&JournalFilter::default()).iter())
            .map(|e| e.seq)
            .collect();
        let newest = (CHUNK * 3) as u64;
        assert_eq!(
            seqs,
            (newest - (CHUNK * 2 + 5) as u64 + 1..=newest).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_journal_of_size_zero_keeps_nothing() {
        let journal = Journal::new(0);
        journal.record(entry("A", "x"));
        assert!(actions(&journal).is_empty());
        journal.clear(Some("x"));
    }
}
