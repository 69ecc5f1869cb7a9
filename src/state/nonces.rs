//! Replay protection: which signature nonces each access key has used in the last 15 minutes.
//!
//! Bounded two ways: a nonce is remembered for [`NONCE_WINDOW_MILLIS`] of the mock's clock, and the
//! store never holds more than its capacity. Each entry is a 64-bit keyed hash of (access key,
//! nonce) and the time it was used. Sixteen independently locked shards keep writers from queueing
//! on one lock.
//!
//! Each shard keeps two generations: new nonces go into the current one, and a nonce is known if
//! either generation holds it within the window. When the current generation is full (half the
//! shard's share of the capacity), the previous one is forgotten and the current one takes its
//! place: the oldest nonces go first, 1/32 of the capacity at a time, and nothing is ever removed
//! one by one.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::clock::Millis;
use crate::model::rng;

/// How long a nonce stays used: 15 minutes, as the gateway documents.
pub const NONCE_WINDOW_MILLIS: Millis = 15 * 60 * 1000;
const SHARDS: usize = 16;

/// Nonce hashes with the time each was used.
#[derive(Debug, Default)]
struct Generation {
    /// Keys are already keyed hashes: foldhash, not the default SipHash, spreads them.
    used: HashMap<u64, Millis, foldhash::fast::RandomState>,
    /// The latest time of any entry.
    newest: Millis,
}

impl Generation {
    fn get(&self, h: u64) -> Option<Millis> {
        self.used.get(&h).copied()
    }

    fn set(&mut self, h: u64, at: Millis) {
        self.used.insert(h, at);
        self.newest = self.newest.max(at);
    }

    fn len(&self) -> usize {
        self.used.len()
    }

    fn clear(&mut self) {
        self.used.clear();
        self.newest = 0;
    }

    /// Whether every entry is older than the window.
    fn expired(&self, now: Millis) -> bool {
        !self.used.is_empty() && now.saturating_sub(self.newest) >= NONCE_WINDOW_MILLIS
    }
}

#[derive(Debug, Default)]
struct Shard {
    current: Generation,
    previous: Generation,
}

#[derive(Debug)]
pub struct NonceStore {
    shards: Vec<Mutex<Shard>>,
    /// The most entries a generation holds: half a shard's share of the capacity.
    per_generation: usize,
    key: u64,
}

impl NonceStore {
    /// A store that remembers at most `capacity` nonces (rounded up to a multiple of 32).
    pub fn new(capacity: usize, key: u64) -> Self {
        NonceStore {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_generation: capacity.div_ceil(2 * SHARDS).max(1),
            key: rng::mix(key ^ 0x6e6f_6e63_6573),
        }
    }

    /// Records the nonce; returns false if this access key already used it within the window.
    pub fn check_and_insert(&self, access_key_id: &str, nonce: &str, now: Millis) -> bool {
        let h = rng::hash(self.key, &[access_key_id.as_bytes(), nonce.as_bytes()]);
        let mut shard = self.shards[(h as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let shard = &mut *shard;
        // Generations whose every entry has expired are dropped whole (a quiet store empties).
        if shard.previous.expired(now) {
            shard.previous.clear();
        }
        if shard.current.expired(now) {
            shard.current.clear();
        }
        let used = |at: Millis| now.saturating_sub(at) < NONCE_WINDOW_MILLIS;
        if shard.current.get(h).is_some_and(used) || shard.previous.get(h).is_some_and(used) {
            return false;
        }
        if shard.current.len() >= self.per_generation && shard.current.get(h).is_none() {
            std::mem::swap(&mut shard.current, &mut shard.previous);
            shard.current.clear();
        }
        shard.current.set(h, now);
        true
    }

    /// How many nonces are remembered now (some may have expired, not yet dropped).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let s = s.lock().unwrap_or_else(|p| p.into_inner());
                s.current.len() + s.previous.len()
            })
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most nonces the store will hold.
    pub fn capacity(&self) -> usize {
        self.per_generation * 2 * SHARDS
    }

    pub fn clear(&self) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            shard.current.clear();
            shard.previous.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_the_second_time_within_fifteen_minutes() {
        let store = NonceStore::new(1_000, 1);
        assert!(store.check_and_insert("ak", "n1", 0));
        assert!(!store.check_and_insert("ak", "n1", NONCE_WINDOW_MILLIS - 1));
        assert!(
            store.check_and_insert("other-ak", "n1", 10),
            "nonces are per access key"
        );
        assert!(
            store.check_and_insert("ak", "n1", NONCE_WINDOW_MILLIS),
            "expired after the window"
        );
    }

    #[test]
    fn the_store_never_grows_past_its_capacity() {
        let store = NonceStore::new(160, 1);
        for i in 0..10_000 {
            assert!(store.check_and_insert("ak", &format!("nonce-{i}"), 0));
        }
        assert!(
            store.len() <= store.capacity(),
            "{} > {}",
            store.len(),
            store.capacity()
        );
        assert_eq!(store.capacity(), 160);
    }

    #[test]
    fn the_newest_nonces_are_always_remembered() {
        let store = NonceStore::new(3_200, 7);
        for i in 0..10_000 {
            assert!(store.check_and_insert("ak", &format!("n{i}"), i));
        }
        // Each shard holds at least its last 100; the last 800 spread ~50 to a shard.
        for i in 9_200..10_000 {
            assert!(
                !store.check_and_insert("ak", &format!("n{i}"), 10_000),
                "n{i} replayed"
            );
        }
        assert!(store.len() <= store.capacity());
    }

    #[test]
    fn a_nonce_reused_after_the_window_is_taken_and_then_refused_again() {
        let store = NonceStore::new(1_000, 1);
        assert!(store.check_and_insert("ak", "n", 0));
        assert!(store.check_and_insert("ak", "other", NONCE_WINDOW_MILLIS - 1));
        assert!(store.check_and_insert("ak", "n", NONCE_WINDOW_MILLIS));
        assert!(!store.check_and_insert("ak", "n", NONCE_WINDOW_MILLIS + 1));
    }

    #[test]
    fn expired_nonces_are_dropped_as_time_moves_on() {
        let store = NonceStore::new(1_000, 1);
        for i in 0..100 {
            store.check_and_insert("ak", &i.to_string(), 0);
        }
        store.check_and_insert("ak", "late", NONCE_WINDOW_MILLIS + 1);
        assert!(store.len() < 100);
    }
}
