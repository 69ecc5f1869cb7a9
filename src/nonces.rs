//! Replay protection: which signature nonces each access key has used in the last 15 minutes.
//!
//! Bounded two ways: entries expire after [`NONCE_WINDOW_MILLIS`] of the mock's clock, and the whole
//! store never holds more than its capacity (when full, the oldest nonce is forgotten first). Each
//! entry is a 64-bit keyed hash of (access key, nonce) plus a timestamp, about 40 bytes with the
//! map and queue overhead. Sixteen independently locked shards keep writers from queueing on one lock.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use crate::domain::clock::Millis;
use crate::rng;

/// How long a nonce stays used: 15 minutes, as the gateway documents.
pub const NONCE_WINDOW_MILLIS: Millis = 15 * 60 * 1000;
const SHARDS: usize = 16;

#[derive(Debug, Default)]
struct Shard {
    seen: HashMap<u64, Millis, BuildHasherDefault<AlreadyHashed>>,
    order: VecDeque<(Millis, u64)>,
}

/// The keys are already keyed 64-bit hashes, well mixed: hashing them again (SipHash) only costs.
#[derive(Debug, Default)]
struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[derive(Debug)]
pub struct NonceStore {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    key: u64,
}

impl NonceStore {
    /// A store that remembers at most `capacity` nonces (rounded up to a multiple of 16).
    pub fn new(capacity: usize, key: u64) -> Self {
        NonceStore {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            key: rng::mix(key ^ 0x6e6f_6e63_6573),
        }
    }

    /// Records the nonce; returns false if this access key already used it within the window.
    pub fn check_and_insert(&self, access_key_id: &str, nonce: &str, now: Millis) -> bool {
        let h = rng::hash(self.key, &[access_key_id.as_bytes(), nonce.as_bytes()]);
        let mut shard = self.shards[(h as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        expire(&mut shard, now);
        if let Some(&at) = shard.seen.get(&h) {
            if now.saturating_sub(at) < NONCE_WINDOW_MILLIS {
                return false;
            }
        }
        while shard.seen.len() >= self.per_shard {
            match shard.order.pop_front() {
                Some((_, old)) => {
                    shard.seen.remove(&old);
                }
                None => break,
            }
        }
        shard.seen.insert(h, now);
        shard.order.push_back((now, h));
        true
    }

    /// How many nonces are remembered now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).seen.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most nonces the store will hold.
    pub fn capacity(&self) -> usize {
        self.per_shard * SHARDS
    }

    pub fn clear(&self) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            shard.seen.clear();
            shard.order.clear();
        }
    }
}

fn expire(shard: &mut Shard, now: Millis) {
    while let Some(&(at, h)) = shard.order.front() {
        if now.saturating_sub(at) < NONCE_WINDOW_MILLIS {
            break;
        }
        shard.order.pop_front();
        if shard.seen.get(&h) == Some(&at) {
            shard.seen.remove(&h);
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
    fn expired_nonces_are_dropped_as_time_moves_on() {
        let store = NonceStore::new(1_000, 1);
        for i in 0..100 {
            store.check_and_insert("ak", &i.to_string(), 0);
        }
        store.check_and_insert("ak", "late", NONCE_WINDOW_MILLIS + 1);
        assert!(store.len() < 100);
    }
}
