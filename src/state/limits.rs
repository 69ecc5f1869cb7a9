//! Flow-control limits in force: token buckets on the mock's clock, one per rule and account. A
//! request passes only if every limit that applies to it has a token; a throttled one is answered
//! with the rule's error (`Throttling.User` by default) and, with `retryAfter`, the
//! `x-acs-retry-after` header.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::accounts::{Keys, UnknownKey};
use super::rules::{Defined, Rule, Rules};
use crate::fixtures::{FixtureDoc, FixtureError, LimitSpec};
use crate::model::bucket::{Bucket, Shape};
use crate::model::clock::Millis;
use crate::protocol::ApiError;

/// A limit's buckets (one per account it has seen) and how many requests it refused.
#[derive(Debug, Default, Serialize)]
pub struct Buckets {
    pub throttled: AtomicU64,
    #[serde(skip)]
    by_account: Mutex<HashMap<Arc<str>, Bucket>>,
}

pub type Limit = Rule<LimitSpec, Buckets>;

/// A refusal: which limit, and the answer.
#[derive(Debug)]
pub struct Throttled {
    pub limit_id: u64,
    pub error: Box<ApiError>,
}

#[derive(Debug, Default)]
pub struct Limits {
    pub rules: Rules<LimitSpec, Buckets>,
}

impl Limits {
    /// A document's limits, checked (owners resolved with `keys`).
    pub fn stage(
        &self,
        source: &str,
        doc: &FixtureDoc,
        keys: &Keys,
    ) -> Result<Vec<Defined<LimitSpec>>, FixtureError> {
        self.rules
            .stage(source, "limits", &doc.limits, &|spec| check(spec, keys))
    }

    /// Adds a limit at runtime (admin API).
    pub fn add(&self, spec: LimitSpec, keys: &Keys) -> Result<Arc<Limit>, String> {
        let account_id = check(&spec, keys).map_err(|(field, msg)| format!("{field}: {msg}"))?;
        Ok(self.rules.add(spec, account_id))
    }

    /// Takes a token from every limit that applies to this request, or none if one is empty.
    pub fn admit(&self, action: &str, account: &Arc<str>, now: Millis) -> Result<(), Throttled> {
        let applying: Vec<Arc<Limit>> = (self.rules.for_account(account).into_iter())
            .filter(|limit| limit.spec.action == "*" || limit.spec.action == action)
            .collect();
        for (taken, limit) in applying.iter().enumerate() {
            if let Err(wait) = take(limit, account, now) {
                for earlier in &applying[..taken] {
                    give_back(earlier, account);
                }
                limit.live.throttled.fetch_add(1, Ordering::Relaxed);
                return Err(Throttled {
                    limit_id: limit.id,
                    error: Box::new(refusal(limit, action, wait)),
                });
            }
        }
        Ok(())
    }
}

fn shape(spec: &LimitSpec) -> Shape {
    Shape {
        count: spec.rate.count,
        per_millis: spec.rate.per_millis,
        capacity: spec.capacity(),
    }
}

fn take(limit: &Limit, account: &Arc<str>, now: Millis) -> Result<(), u64> {
    let shape = shape(&limit.spec);
    let mut buckets = (limit.live.by_account.lock()).unwrap_or_else(PoisonError::into_inner);
    let bucket = (buckets.entry(Arc::clone(account))).or_insert_with(|| Bucket::full(&shape, now));
    bucket.take(&shape, now)
}

fn give_back(limit: &Limit, account: &Arc<str>) {
    let mut buckets = (limit.live.by_account.lock()).unwrap_or_else(PoisonError::into_inner);
    if let Some(bucket) = buckets.get_mut(account) {
        bucket.give_back(&shape(&limit.spec));
    }
}

/// The rule's error, with its retry-after, and the reason for the log.
fn refusal(limit: &Limit, action: &str, wait_millis: u64) -> ApiError {
    let spec = &limit.spec;
    let mut error = match &spec.error {
        Some(error) => error.to_api_error(),
        None => ApiError::catalog("Throttling.User"),
    };
    error.retry_after_millis = spec.retry_after.map(|r| r.millis(wait_millis));
    error.because(format!(
        "limit {} ({} for {}) refused {action}; its next token comes in {wait_millis} ms of the mock's clock",
        limit.id, spec.rate, spec.action
    ))
}

fn check(spec: &LimitSpec, keys: &Keys) -> Result<Option<Arc<str>>, (&'static str, String)> {
    spec.validate()?;
    let named = (spec.access_key_id.as_deref(), spec.account_id.as_deref());
    keys.owner(named.0, named.1, UnknownKey::OwnAccount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn limits(specs: &[serde_json::Value]) -> Limits {
        let limits = Limits::default();
        for spec in specs {
            let spec: LimitSpec = serde_json::from_value(spec.clone()).expect("parses");
            limits.add(spec, &Keys::default()).expect("added");
        }
        limits
    }

    #[test]
    fn each_account_has_its_own_bucket_and_a_refusal_carries_the_rules_error() {
        let limits = limits(&[
            json!({"action": "DescribeScanTaskProgress", "rate": "1/s", "retryAfter": "250ms"}),
        ]);
        let (x, y): (Arc<str>, Arc<str>) = (Arc::from("x"), Arc::from("y"));
        assert!(limits.admit("DescribeScanTaskProgress", &x, 0).is_ok());
        let refused = limits
            .admit("DescribeScanTaskProgress", &x, 10)
            .expect_err("the bucket is empty");
        assert_eq!(
            (refused.limit_id, refused.error.code.as_ref()),
            (1, "Throttling.User")
        );
        assert_eq!(refused.error.retry_after_millis, Some(250));
        assert!(refused
            .error
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("990 ms")));
        assert!(
            limits.admit("DescribeScanTaskProgress", &y, 10).is_ok(),
            "another account's bucket"
        );
        assert!(
            limits.admit("StartVirusScanTask", &x, 10).is_ok(),
            "another action"
        );
        assert!(
            limits.admit("DescribeScanTaskProgress", &x, 1_000).is_ok(),
            "a token came back"
        );
    }

    #[test]
    fn an_automatic_retry_after_is_the_wait_for_the_next_token() {
        let limits = limits(&[json!({"rate": "2/s", "burst": 1, "retryAfter": "auto"})]);
        let x: Arc<str> = Arc::from("x");
        assert!(limits.admit("DescribeScanTaskProgress", &x, 0).is_ok());
        let wait = |now| {
            (limits.admit("DescribeScanTaskProgress", &x, now))
                .map_err(|t| t.error.retry_after_millis)
        };
        assert_eq!(wait(100), Err(Some(400)));
        assert_eq!(wait(499), Err(Some(1)));
        assert_eq!(wait(500), Ok(()));
        let spec: LimitSpec =
            serde_json::from_value(json!({"rate": "1/s", "retryAfter": "auto"})).expect("parses");
        assert_eq!(
            serde_json::to_value(&spec).expect("json")["retryAfter"],
            "auto"
        );
        let bad = serde_json::from_value::<LimitSpec>(json!({"rate": "1/s", "retryAfter": "soon"}))
            .expect_err("neither");
        assert!(bad.to_string().contains("\"auto\""), "{bad}");
    }

    #[test]
    fn a_request_refused_by_one_limit_keeps_its_token_in_the_others() {
        let limits = limits(&[
            json!({"rate": "2/s"}),
            json!({"action": "DescribeScanTaskProgress", "rate": "1/m", "error": "Throttling.Api"}),
        ]);
        let x: Arc<str> = Arc::from("x");
        assert!(limits.admit("DescribeScanTaskProgress", &x, 0).is_ok());
        assert_eq!(
            limits
                .admit("DescribeScanTaskProgress", &x, 0)
                .map_err(|t| t.error.code),
            Err("Throttling.Api".into())
        );
        assert!(
            limits.admit("StartVirusScanTask", &x, 0).is_ok(),
            "the refused request did not use the shared token"
        );
        assert!(limits.admit("StartVirusScanTask", &x, 0).is_err());
    }
}
