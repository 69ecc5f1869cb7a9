//! `GET /__admin/accounts`: the accounts the mock knows, for the dashboard's account selector: those
//! the fixtures' access keys belong to, those holding tasks, those in the journal, and those rules
//! are limited to.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::json;

use super::AdminResult;
use crate::state::AppState;

/// One account as the selector shows it.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountView {
    account_id: Arc<str>,
    /// The access keys the fixtures give this account, and those seen calling as it, sorted.
    access_key_ids: BTreeSet<Arc<str>>,
    tasks: usize,
    requests: usize,
}

/// `{"accounts": [{accountId, accessKeyIds, tasks, requests}]}`, sorted by account id.
pub async fn list(State(state): State<Arc<AppState>>) -> AdminResult {
    let mut seen: BTreeMap<Arc<str>, AccountView> = BTreeMap::new();
    for key in state.accounts.keys().iter() {
        at(&mut seen, &key.account_id)
            .access_key_ids
            .insert(Arc::clone(&key.id));
    }
    for (account, tasks) in state.tasks.live.accounts() {
        at(&mut seen, &account).tasks = tasks;
    }
    for (account, requests, keys) in state.journal.accounts() {
        let view = at(&mut seen, &account);
        view.requests = requests;
        view.access_key_ids.extend(keys);
    }
    let fault_accounts = state
        .faults
        .rules
        .list()
        .into_iter()
        .map(|r| r.account_id.clone());
    let stub_accounts = state
        .stubs
        .rules
        .list()
        .into_iter()
        .map(|r| r.account_id.clone());
    let limit_accounts = (state.limits.rules.list().into_iter()).map(|r| r.account_id.clone());
    for account in fault_accounts
        .chain(stub_accounts)
        .chain(limit_accounts)
        .flatten()
    {
        at(&mut seen, &account);
    }
    let accounts: Vec<AccountView> = seen.into_values().collect();
    Ok(Json(json!({ "accounts": accounts })).into_response())
}

fn at<'a>(
    seen: &'a mut BTreeMap<Arc<str>, AccountView>,
    account: &Arc<str>,
) -> &'a mut AccountView {
    seen.entry(Arc::clone(account))
        .or_insert_with(|| AccountView {
            account_id: Arc::clone(account),
            ..AccountView::default()
        })
}
