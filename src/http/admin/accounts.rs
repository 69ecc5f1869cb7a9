//! `GET /__admin/accounts`: the accounts the mock has seen, for the dashboard's account selector:
//! those holding tasks, those in the journal, and those fault rules and stubs are limited to.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::json;

use super::AdminResult;
use crate::state::journal::JournalFilter;
use crate::state::AppState;

/// One account as the selector shows it.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountView {
    account_id: Arc<str>,
    /// The access keys seen calling as this account (in the journal), sorted.
    access_key_ids: BTreeSet<Arc<str>>,
    tasks: usize,
    requests: usize,
}

/// `{"accounts": [{accountId, accessKeyIds, tasks, requests}]}`, sorted by account id.
pub async fn list(State(state): State<Arc<AppState>>) -> AdminResult {
    let mut seen: BTreeMap<Arc<str>, AccountView> = BTreeMap::new();
    for task in state.tasks.live.list(None, state.clock.now()) {
        at(&mut seen, &task.account_id).tasks += 1;
    }
    for entry in state.journal.entries(&JournalFilter::default()) {
        let view = at(&mut seen, &entry.account_id);
        view.requests += 1;
        view.access_key_ids.extend(entry.access_key_id);
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
    for account in fault_accounts.chain(stub_accounts).flatten() {
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
