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

/// A counter-driven stream of values, reproducible for a seed.
#[derive(Debug)]
pub struct Sequence {
    seed: u64,
    counter: AtomicU64,
}

impl Sequence {
    pub fn new(seed: u64, stream: u64) -> Self {
        Sequence {
            seed: mix(seed ^ mix(stream)),
            counter: AtomicU64::new(0),
        }
    }

    pub fn next_u64(&self) -> u64 {
        mix(self
            .seed
            .wrapping_add(self.counter.fetch_add(1, Ordering::Relaxed)))
    }

    /// A request id in the upper-case UUID form Alibaba uses (`EA15BA8A-D631-4375-8D40-CB7C769B0279`).
    pub fn request_id(&self) -> RequestId {
        RequestId::from_words(self.next_u64(), self.next_u64())
    }
}

/// The longest request id a stub may give its answer (a generated one is 36 characters).
pub const MAX_REQUEST_ID: usize = 64;

/// A request id, held inline: the answer, the log line and the journal all carry it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestId {
    text: [u8; MAX_REQUEST_ID],
    len: u8,
}

impl RequestId {
    /// A version-4 UUID from two random words, upper-case.
    pub fn from_words(hi: u64, lo: u64) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi.to_be_bytes());
        bytes[8..].copy_from_slice(&lo.to_be_bytes());
        let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
        let mut text = [0u8; MAX_REQUEST_ID];
        uuid.hyphenated().encode_upper(&mut text[..36]);
        RequestId { text, len: 36 }
    }

    /// An id chosen by a stub: 1 to [`MAX_REQUEST_ID`] visible ASCII characters, so that it can
    /// travel in the `x-acs-request-id` header as it does in the body.
    pub fn from_text(id: &str) -> Option<Self> {
        let fits = (1..=MAX_REQUEST_ID).contains(&id.len());
        if !fits || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let mut text = [0u8; MAX_REQUEST_ID];
        text[..id.len()].copy_from_slice(id.as_bytes());
        Some(RequestId {
            text,
            len: id.len() as u8, // at most MAX_REQUEST_ID, checked above
        })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored, so this never takes the fallback.
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or("")
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
    fn a_chosen_request_id_is_kept_as_given_when_it_can_travel_in_a_header() {
        assert_eq!(
            RequestId::from_text("STUB-1").map(|id| id.to_string()),
            Some("STUB-1".into())
        );
        let longest = "X".repeat(MAX_REQUEST_ID);
        assert_eq!(
            RequestId::from_text(&longest).map(|id| id.as_str().len()),
            Some(MAX_REQUEST_ID)
        );
        for refused in ["", "a b", "é", &"X".repeat(MAX_REQUEST_ID + 1)] {
            assert!(RequestId::from_text(refused).is_none(), "{refused:?}");
        }
        assert_eq!(RequestId::from_words(1, 2).as_str().len(), 36);
    }

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
    fn request_ids_are_version_4_uuids_and_differ_between_seeds() {
        let id = RequestId::from_words(u64::MAX, u64::MAX);
        assert_eq!(id.as_str(), "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF");
        let parsed =
            uuid::Uuid::parse_str(Sequence::new(1, 1).request_id().as_str()).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_ne!(
            Sequence::new(1, 1).request_id(),
            Sequence::new(2, 1).request_id()
        );
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
