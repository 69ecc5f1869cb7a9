//! Who is calling: access keys, the account each belongs to, and what each may not do.

use std::sync::Arc;

use crate::protocol::signature::SigningKey;

/// The account that requests without an AccessKeyId use.
pub const DEFAULT_ACCOUNT: &str = "default";

/// An access key a fixture defines (a RAM user, in the real service).
#[derive(Debug, Clone, PartialEq)]
pub struct AccessKey {
    pub id: Arc<str>,
    pub secret: String,
    /// The secret, ready to check signatures with.
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

/// The account an access key the fixtures do not define falls into: one of its own, so that two
/// unknown keys still never see each other's tasks.
pub fn account_for_unknown_key(access_key_id: &str) -> Arc<str> {
    Arc::from(format!("ak/{access_key_id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_lists_match_actions_or_everything() {
        let mut key = AccessKey {
            id: "k".into(),
            secret: "s".into(),
            signing: SigningKey::new("s"),
            account_id: Arc::from("1"),
            deny: vec!["StartVirusScanTask".into()],
            active: true,
            security_token: None,
        };
        assert!(key.denies("StartVirusScanTask"));
        assert!(!key.denies("DescribeScanTaskProgress"));
        key.deny = vec!["*".into()];
        assert!(key.denies("DescribeScanTaskProgress"));
    }
}
