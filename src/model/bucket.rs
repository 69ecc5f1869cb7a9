//! A token bucket on the mock's clock, in exact integer arithmetic, so that a manual clock decides
//! to the millisecond when a throttled client may call again.
//!
//! A rate of `count` requests per `per_millis` milliseconds is kept in units where one token is
//! `per_millis` units and `count` units come back every millisecond.

use super::clock::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    units: u128,
    last: Millis,
}

/// The shape of a bucket: its rate and how many tokens it holds when full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub count: u64,
    pub per_millis: u64,
    pub capacity: u64,
}

impl Shape {
    fn token(&self) -> u128 {
        u128::from(self.per_millis)
    }

    fn full(&self) -> u128 {
        u128::from(self.capacity) * self.token()
    }
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn full(shape: &Shape, now: Millis) -> Self {
        Bucket {
            units: shape.full(),
            last: now,
        }
    }

    /// Takes a token if there is one; otherwise says in how many milliseconds there will be.
    /// A clock set backwards refills nothing.
    pub fn take(&mut self, shape: &Shape, now: Millis) -> Result<(), u64> {
        if now > self.last {
            let elapsed = u128::try_from(now - self.last).unwrap_or(u128::MAX);
            let refill = elapsed.saturating_mul(u128::from(shape.count));
            self.units = self.units.saturating_add(refill).min(shape.full());
            self.last = now;
        }
        match self.units.checked_sub(shape.token()) {
            Some(left) => {
                self.units = left;
                Ok(())
            }
            None => {
                let missing = shape.token() - self.units;
                let wait = missing.div_ceil(u128::from(shape.count.max(1)));
                Err(u64::try_from(wait).unwrap_or(u64::MAX))
            }
        }
    }

    /// Gives back a token taken for a request that another limit refused.
    pub fn give_back(&mut self, shape: &Shape) {
        self.units = (self.units + shape.token()).min(shape.full());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_PER_SECOND: Shape = Shape {
        count: 2,
        per_millis: 1_000,
        capacity: 2,
    };

    #[test]
    fn a_full_bucket_lets_its_burst_through_then_one_token_every_interval() {
        let mut bucket = Bucket::full(&TWO_PER_SECOND, 0);
        assert_eq!(bucket.take(&TWO_PER_SECOND, 0), Ok(()));
        assert_eq!(bucket.take(&TWO_PER_SECOND, 0), Ok(()));
        assert_eq!(
            bucket.take(&TWO_PER_SECOND, 0),
            Err(500),
            "the next token in 500 ms"
        );
        assert_eq!(bucket.take(&TWO_PER_SECOND, 499), Err(1));
        assert_eq!(bucket.take(&TWO_PER_SECOND, 500), Ok(()));
        assert_eq!(
            bucket.take(&TWO_PER_SECOND, 10_000),
            Ok(()),
            "refills up to the burst only"
        );
        assert_eq!(bucket.take(&TWO_PER_SECOND, 10_000), Ok(()));
        assert_eq!(bucket.take(&TWO_PER_SECOND, 10_000), Err(500));
    }

    #[test]
    fn a_clock_set_backwards_refills_nothing_and_a_token_given_back_is_there_again() {
        let mut bucket = Bucket::full(&TWO_PER_SECOND, 5_000);
        bucket.take(&TWO_PER_SECOND, 5_000).expect("full");
        bucket.take(&TWO_PER_SECOND, 5_000).expect("one left");
        assert!(bucket.take(&TWO_PER_SECOND, 1_000).is_err());
        bucket.give_back(&TWO_PER_SECOND);
        assert_eq!(bucket.take(&TWO_PER_SECOND, 1_000), Ok(()));
    }

    #[test]
    fn slow_rates_wait_whole_minutes_exactly() {
        let per_minute = Shape {
            count: 1,
            per_millis: 60_000,
            capacity: 1,
        };
        let mut bucket = Bucket::full(&per_minute, 0);
        bucket.take(&per_minute, 0).expect("full");
        assert_eq!(bucket.take(&per_minute, 1), Err(59_999));
        assert_eq!(bucket.take(&per_minute, 60_000), Ok(()));
    }
}
