//! `/__admin/machines` (list, add, remove one, remove all: the same routes as faults and stubs)
//! and `/__admin/alerts` (each account's alerts, its finished scans settled first, as an
//! operation reading alerts would).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::json;

use super::tasks::account_in;
use super::{bad_request, json_body, not_found, query_map, AdminBody, AdminResult, PathSegment};
use crate::fixtures::MachineSpec;
use crate::model::alert::Alert;
use crate::model::clock::format_rfc3339;
use crate::state::AppState;

/// Every machine in force, or the ones an account has (`?accountId=` or `?accessKeyId=`).
pub async fn list(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> AdminResult {
    let listed = match account_in(&state, &query_map(q.as_deref()))? {
        Some(account) => state.machines.rules_of(&account),
        None => state.machines.rules.list(),
    };
    Ok(Json(json!({ "machines": listed })).into_response())
}

pub async fn add(State(state): State<Arc<AppState>>, AdminBody(body): AdminBody) -> AdminResult {
    let spec: MachineSpec = json_body(&body)?;
    let added = (state.machines)
        .add(&spec, &state.accounts.keys())
        .map_err(bad_request)?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// Removes every machine, or those of one account (shared ones stay).
pub async fn clear(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> AdminResult {
    let account = account_in(&state, &query_map(q.as_deref()))?;
    (state.machines.rules).remove_where(|rule| {
        account
            .as_deref()
            .is_none_or(|a| rule.account_id.as_deref() == Some(a))
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn remove(
    State(state): State<Arc<AppState>>,
    PathSegment(raw): PathSegment,
) -> AdminResult {
    let id: u64 = raw
        .parse()
        .map_err(|_| bad_request(format!("machine id must be a whole number, found {raw:?}")))?;
    if !state.machines.rules.remove(id) {
        return Err(not_found(format!("no machine {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An alert as the admin API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertView<'a> {
    account_id: &'a str,
    id: i64,
    uuid: &'a str,
    instance_name: &'a str,
    name: &'a str,
    level: &'static str,
    #[serde(rename = "type")]
    kind: &'a str,
    status: i64,
    dealed: bool,
    first_seen: String,
    last_seen: String,
    handled_at: Option<String>,
    operation_code: Option<&'a str>,
    operation_task_id: Option<i64>,
}

fn view<'a>(account_id: &'a str, alert: &'a Alert) -> AlertView<'a> {
    let handling = alert.handling.as_ref();
    AlertView {
        account_id,
        id: alert.id,
        uuid: &alert.machine.uuid,
        instance_name: &alert.machine.instance_name,
        name: &alert.finding.name,
        level: alert.finding.level.as_str(),
        kind: &alert.finding.kind,
        status: alert.status.code(),
        dealed: alert.status.dealed(),
        first_seen: format_rfc3339(alert.first_seen),
        last_seen: format_rfc3339(alert.last_seen),
        handled_at: handling.map(|h| format_rfc3339(h.at)),
        operation_code: handling.map(|h| h.code.as_str()),
        operation_task_id: handling.map(|h| h.task_id),
    }
}

/// Every account's alerts (ordered by account, then id), or one account's.
pub async fn alerts(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> AdminResult {
    let accounts = match account_in(&state, &query_map(q.as_deref()))? {
        Some(account) => vec![account],
        None => state.machines.accounts(),
    };
    let now = state.clock.now();
    let mut listed = Vec::new();
    for account in &accounts {
        (state.machines).settled(account, &state.tasks.live, now, |ledger| {
            let views = ledger.alerts().iter().map(|alert| view(account, alert));
            listed.extend(views.map(|v| serde_json::to_value(v).unwrap_or_default()));
        });
    }
    Ok(Json(json!({ "alerts": listed })).into_response())
}
