//! Stubs in force: fixed answers for catalogued actions. The most recently added stub that matches
//! (action, account, parameters) and has uses left answers.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::Serialize;

use super::accounts::{Keys, UnknownKey};
use super::rules::{claim, Defined, Rule, Rules};
use crate::fixtures::{FixtureDoc, FixtureError, StubSpec};
use crate::protocol::RpcRequest;

/// How often a stub has answered.
#[derive(Debug, Default, Serialize)]
pub struct Uses {
    pub used: AtomicU64,
}

pub type Stub = Rule<StubSpec, Uses>;

#[derive(Debug, Default)]
pub struct Stubs {
    pub rules: Rules<StubSpec, Uses>,
}

impl Stubs {
    /// A document's stubs, checked (owners resolved with `keys`).
    pub fn stage(
        &self,
        source: &str,
        doc: &FixtureDoc,
        keys: &Keys,
    ) -> Result<Vec<Defined<StubSpec>>, FixtureError> {
        self.rules
            .stage(source, "stubs", &doc.stubs, &|spec| check(spec, keys))
    }

    /// Adds a stub at runtime (admin API).
    pub fn add(&self, spec: StubSpec, keys: &Keys) -> Result<Arc<Stub>, String> {
        let account_id = check(&spec, keys).map_err(|(field, msg)| format!("{field}: {msg}"))?;
        Ok(self.rules.add(spec, account_id))
    }

    /// The stub that answers this request, if any (claiming one of its uses).
    pub fn answer(&self, action: &str, account: &str, req: &RpcRequest) -> Option<Arc<Stub>> {
        self.rules.find_for_account(account, true, |stub| {
            stub.spec.action == action
                && (stub.spec.matcher.params.iter())
                    .all(|(name, value)| req.param(name) == Some(value))
                && claim(&stub.live.used, stub.spec.times)
        })
    }
}

fn check(spec: &StubSpec, keys: &Keys) -> Result<Option<Arc<str>>, (&'static str, String)> {
    spec.validate()?;
    let named = (spec.access_key_id.as_deref(), spec.account_id.as_deref());
    keys.owner(named.0, named.1, UnknownKey::OwnAccount)
}
