//! Access keys and the accounts they belong to, and the one answer to "which account owns this?".
//!
//! Everything in the mock is scoped by account. A request's account is the account of the access
//! key it names; a request naming none uses [`DEFAULT_ACCOUNT`]; a key the fixtures do not define
//! has an account of its own, `ak/<AccessKeyId>`, so two unknown keys never see each other's state.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use arc_swap::ArcSwap;

use crate::fixtures::{FixtureDoc, FixtureError};
use crate::protocol::catalog;
use crate::protocol::signature::SigningKey;

/// The account that requests without an AccessKeyId use.
pub const DEFAULT_ACCOUNT: &str = "default";

/// An access key a fixture defines (a RAM user, in the real service).
#[derive(Debug)]
pub struct AccessKey {
    pub id: Arc<str>,
    /// The secret, ready to check signatures with (it is never shown).
    pub signing: SigningKey,
    pub account_id: Arc<str>,
    /// Actions this key may not call (`"*"` for all); they answer `403 NoPermission`.
    pub deny: Vec<String>,
    /// A disabled key is refused by signature checking (`InvalidAccessKeyId.Inactive`).
    pub active: bool,
    /// Present for STS credentials: the token that must accompany the key.
    pub security_token: Option<String>,
}

impl AccessKey {
    pub fn denies(&self, action: &str) -> bool {
        self.deny.iter().any(|d| d == "*" || d == action)
    }
}

/// Who is calling, as far as state goes.
#[derive(Debug, Clone)]
pub struct Caller {
    pub access_key_id: Option<Arc<str>>,
    pub account: Arc<str>,
    /// The fixture's definition of the key, when it has one.
    pub key: Option<Arc<AccessKey>>,
}

/// How an owner named by an access key the fixtures do not define is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKey {
    /// It is an error (fixture tasks must name keys the fixtures define).
    Refuse,
    /// It names that key's own account, `ak/<id>` (requests, fault rules, the admin API).
    OwnAccount,
}

/// [`DEFAULT_ACCOUNT`], shared by every request that names no key.
static DEFAULT: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(DEFAULT_ACCOUNT));

/// The access keys of all loaded fixtures.
#[derive(Debug, Clone, Default)]
pub struct Keys(HashMap<Arc<str>, Arc<AccessKey>, foldhash::fast::RandomState>);

impl Keys {
    pub fn get(&self, id: &str) -> Option<&Arc<AccessKey>> {
        self.0.get(id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Every key the fixtures define, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<AccessKey>> {
        self.0.values()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The caller a request naming `access_key_id` (or none) is.
    pub fn caller(&self, access_key_id: Option<&str>) -> Caller {
        match access_key_id {
            None => Caller {
                access_key_id: None,
                account: Arc::clone(&DEFAULT),
                key: None,
            },
            Some(id) => match self.0.get(id) {
                Some(key) => caller_with_key(key),
                None => Caller {
                    access_key_id: Some(Arc::from(id)),
                    account: Arc::from(format!("ak/{id}")),
                    key: None,
                },
            },
        }
    }

    /// Which account owns something that names its owner by `accessKeyId` or `accountId` (a
    /// fixture task or rule, an admin request): `None` when it names neither. Errors name the
    /// field at fault.
    pub fn owner(
        &self,
        access_key_id: Option<&str>,
        account_id: Option<&str>,
        unknown: UnknownKey,
    ) -> Result<Option<Arc<str>>, (&'static str, String)> {
        for (field, value) in [("accessKeyId", access_key_id), ("accountId", account_id)] {
            if value.is_some_and(|v| v.trim().is_empty()) {
                return Err((field, "must not be empty".to_owned()));
            }
        }
        match (access_key_id, account_id) {
            (Some(_), Some(_)) => Err((
                "accountId",
                "give accessKeyId or accountId, not both".to_owned(),
            )),
            (None, Some(account)) => Ok(Some(Arc::from(account))),
            (Some(key), None) if unknown == UnknownKey::Refuse && self.get(key).is_none() => Err((
                "accessKeyId",
                format!("access key {key:?} is not defined in \"accounts\" (of this or an earlier file)"),
            )),
            (Some(key), None) => Ok(Some(self.caller(Some(key)).account)),
            (None, None) => Ok(None),
        }
    }

    /// These keys with a document's accounts merged in (a later definition of a key id replaces
    /// the earlier one). Nothing changes if the document has an error.
    pub fn merged(&self, source: &str, doc: &FixtureDoc) -> Result<Keys, FixtureError> {
        let mut next = self.clone();
        let mut seen = HashSet::new();
        for (i, spec) in doc.accounts.iter().enumerate() {
            let at = |field: &str, msg: String| {
                FixtureError::new(source, format!("accounts[{i}].{field}"), msg)
            };
            for (field, value) in [
                ("accessKeyId", &spec.access_key_id),
                ("accessKeySecret", &spec.access_key_secret),
                ("accountId", &spec.account_id),
            ] {
                if value.trim().is_empty() {
                    return Err(at(field, "must not be empty".to_owned()));
                }
            }
            if !seen.insert(spec.access_key_id.as_str()) {
                let msg = format!(
                    "access key {:?} is defined twice in this file",
                    spec.access_key_id
                );
                return Err(at("accessKeyId", msg));
            }
            if let Some((j, bad)) = (spec.deny.iter().enumerate())
                .find(|(_, a)| *a != "*" && catalog::action(a).is_none())
            {
                return Err(at(&format!("deny[{j}]"), catalog::unknown_action(bad)));
            }
            let key = AccessKey {
                id: Arc::from(spec.access_key_id.as_str()),
                signing: SigningKey::new(&spec.access_key_secret),
                account_id: Arc::from(spec.account_id.as_str()),
                deny: spec.deny.clone(),
                active: spec.active,
                security_token: spec.security_token.clone(),
            };
            next.0.insert(Arc::clone(&key.id), Arc::new(key));
        }
        Ok(next)
    }
}

/// The caller that signs with `key`.
pub fn caller_with_key(key: &Arc<AccessKey>) -> Caller {
    Caller {
        access_key_id: Some(Arc::clone(&key.id)),
        account: Arc::clone(&key.account_id),
        key: Some(Arc::clone(key)),
    }
}

/// The keys in force: requests read them without locking; a fixture load swaps in a new set.
#[derive(Debug, Default)]
pub struct Accounts(ArcSwap<Keys>);

impl Accounts {
    pub fn keys(&self) -> Arc<Keys> {
        self.0.load_full()
    }

    pub fn install(&self, keys: Keys) {
        self.0.store(Arc::new(keys));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::parse_document;

    fn keys(text: &str) -> Result<Keys, FixtureError> {
        Keys::default().merged("f.json", &parse_document("f.json", text)?)
    }

    #[test]
    fn access_keys_select_their_account_and_unknown_keys_get_their_own() {
        let k = keys(
            r#"{"accounts": [{"accessKeyId": "k", "accessKeySecret": "s", "accountId": "42"}]}"#,
        )
        .expect("valid");
        assert_eq!(&*k.caller(Some("k")).account, "42");
        assert_eq!(&*k.caller(None).account, DEFAULT_ACCOUNT);
        assert_eq!(&*k.caller(Some("x")).account, "ak/x");
        assert_ne!(k.caller(Some("x")).account, k.caller(Some("y")).account);
    }

    #[test]
    fn an_owner_is_an_account_or_the_account_of_a_key_and_never_both() {
        let k = keys(
            r#"{"accounts": [{"accessKeyId": "k", "accessKeySecret": "s", "accountId": "42"}]}"#,
        )
        .expect("valid");
        let own = UnknownKey::OwnAccount;
        assert_eq!(k.owner(Some("k"), None, own), Ok(Some(Arc::from("42"))));
        assert_eq!(k.owner(None, Some("7"), own), Ok(Some(Arc::from("7"))));
        assert_eq!(k.owner(Some("z"), None, own), Ok(Some(Arc::from("ak/z"))));
        assert_eq!(k.owner(None, None, own), Ok(None));
        assert_eq!(
            k.owner(Some("z"), None, UnknownKey::Refuse)
                .map_err(|e| e.0),
            Err("accessKeyId")
        );
        assert_eq!(
            k.owner(Some("k"), Some("1"), own).map_err(|e| e.0),
            Err("accountId")
        );
        assert_eq!(
            k.owner(None, Some(" "), own).map_err(|e| e.0),
            Err("accountId")
        );
    }

    #[test]
    fn bad_accounts_name_the_path() {
        for (text, path) in [
            (
                r#"{"accounts": [{"accessKeyId": "k", "accessKeySecret": "s", "accountId": "1", "deny": ["Nope"]}]}"#,
                "accounts[0].deny[0]",
            ),
            (
                r#"{"accounts": [{"accessKeyId": "", "accessKeySecret": "s", "accountId": "1"}]}"#,
                "accounts[0].accessKeyId",
            ),
            (
                r#"{"accounts": [{"accessKeyId": "k", "accessKeySecret": "s", "accountId": "1"}, {"accessKeyId": "k", "accessKeySecret": "t", "accountId": "1"}]}"#,
                "accounts[1].accessKeyId",
            ),
        ] {
            assert_eq!(keys(text).expect_err(text).path, path, "{text}");
        }
    }

    #[test]
    fn deny_lists_match_actions_or_everything() {
        let k = keys(r#"{"accounts": [{"accessKeyId": "k", "accessKeySecret": "s", "accountId": "1", "deny": ["StartVirusScanTask"]},
                                      {"accessKeyId": "all", "accessKeySecret": "s", "accountId": "1", "deny": ["*"]}]}"#)
            .expect("valid");
        let key = k.get("k").expect("defined");
        assert!(key.denies("StartVirusScanTask") && !key.denies("DescribeScanTaskProgress"));
        assert!(k
            .get("all")
            .is_some_and(|all| all.denies("DescribeScanTaskProgress")));
    }
}
