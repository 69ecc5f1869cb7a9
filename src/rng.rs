//! Seeded, order-independent randomness.
//!
//! Every random choice is a hash of the run's seed and the identity of what is being decided (a
//! task's account and id, a fault rule and how often it was evaluated). The same seed therefore gives
//! the same answers whatever order concurrent requests arrive in.

use std::sync::atomic::{AtomicU64, Ordering};

/// The SplitMix64 finaliser: a fast, well-mixed bijection on `u64`.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes the seed with any number of byte strings into one well-mixed `u64`.
pub fn hash(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h = mix(seed);
    for part in parts {
        for chunk in part.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h = mix(h ^ u64::from_le_bytes(word));
        }
        h = mix(h ^ part.len() as u64);
    }
    h
}

/// Maps a hash to a number in `[0, 1)`.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A value alone on its cache line: for counters written on every request, so that writing them
/// does not also evict the fields read beside them from the other cores' caches.
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct OwnLine<T>(pub T);

/// A counter-driven stream of values, reproducible for a seed.
#[derive(Debug)]
pub struct Sequence {
    seed: u64,
    counter: OwnLine<AtomicU64>,
}

impl Sequence {
    pub fn new(seed: u64, stream: u64) -> Self {
        Sequence {
            seed: mix(seed ^ mix(stream)),
            counter: OwnLine(AtomicU64::new(0)),
        }
    }

    pub fn next_u64(&self) -> u64 {
        mix(self
            .seed
            .wrapping_add(self.counter.0.fetch_add(1, Ordering::Relaxed)))
    }

    /// A request id in the upper-case UUID form Alibaba uses (`EA15BA8A-D631-4375-8D40-CB7C769B0279`).
    pub fn request_id(&self) -> RequestId {
        // One step of two (the same values as two calls of `next_u64`): one atomic add a request.
        let at = self
            .seed
            .wrapping_add(self.counter.0.fetch_add(2, Ordering::Relaxed));
        RequestId::from_words(mix(at), mix(at.wrapping_add(1)))
    }
}

/// A request id, held inline: every RPC request makes one, and the answer, the log line and the
/// journal all carry it, so it is copied rather than allocated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestId([u8; 36]);

impl RequestId {
    /// `XXXXXXXX-XXXX-4XXX-YXXX-XXXXXXXXXXXX` from two random words (version 4, variant 10xx).
    pub fn from_words(hi: u64, lo: u64) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let groups = [
            (hi >> 32, 8),
            ((hi >> 16) & 0xFFFF, 4),
            (0x4000 | (hi & 0x0FFF), 4),
            (0x8000 | ((lo >> 48) & 0x3FFF), 4),
            (lo & 0xFFFF_FFFF_FFFF, 12),
        ];
        let mut out = [b'-'; 36];
        let mut at = 0;
        for (value, digits) in groups {
            for shift in (0..digits).rev() {
                out[at] = HEX[((value >> (4 * shift)) & 0xF) as usize];
                at += 1;
            }
            at += 1;
        }
        RequestId(out)
    }

    pub fn as_str(&self) -> &str {
        // Always upper-case hex digits and dashes, so this never takes the fallback.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl Default for RequestId {
    fn default() -> Self {
        RequestId::from_words(0, 0)
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for RequestId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let (a, b) = (Sequence::new(7, 1), Sequence::new(7, 1));
        let other = Sequence::new(8, 1);
        let first: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        assert_eq!(first, (0..4).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(first[0], other.next_u64());
    }

    #[test]
    fn request_ids_look_like_upper_case_uuids() {
        let id = Sequence::new(1, 2).request_id();
        let id = id.as_str();
        assert_eq!(id.len(), 36);
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase()));
    }

    #[test]
    fn a_request_id_takes_the_next_two_words_of_its_stream() {
        let (ids, words) = (Sequence::new(5, 1), Sequence::new(5, 1));
        for _ in 0..3 {
            let (hi, lo) = (words.next_u64(), words.next_u64());
            assert_eq!(ids.request_id(), RequestId::from_words(hi, lo));
        }
    }

    #[test]
    fn request_ids_are_the_uuid_layout_of_two_words() {
        for (hi, lo) in [(0, 0), (u64::MAX, u64::MAX), (0x0123_4567_89AB_CDEF, 42)] {
            let expected = format!(
                "{:08X}-{:04X}-4{:03X}-{:04X}-{:012X}",
                hi >> 32,
                (hi >> 16) & 0xFFFF,
                hi & 0x0FFF,
                (lo >> 48) & 0x3FFF | 0x8000,
                lo & 0xFFFF_FFFF_FFFF
            );
            assert_eq!(RequestId::from_words(hi, lo).as_str(), expected);
        }
    }

    #[test]
    fn unit_values_stay_in_the_half_open_interval() {
        assert_eq!(unit(0), 0.0);
        assert!(unit(u64::MAX) < 1.0);
        let mean = (0..10_000u64)
            .map(|i| unit(hash(3, &[&i.to_le_bytes()])))
            .sum::<f64>()
            / 10_000.0;
        assert!((0.45..0.55).contains(&mean), "mean {mean}");
    }
}
