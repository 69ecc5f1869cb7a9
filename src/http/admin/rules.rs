//! `/__admin/faults`, `/__admin/stubs` and `/__admin/limits`: list (optionally one account's), add, remove one,
//! remove all (optionally one account's). The same four routes for each kind of rule.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::json;

use super::{
    account_name, bad_request, json_body, not_found, query_map, AdminBody, AdminResult, PathSegment,
};
use crate::state::rules::Rules;
use crate::state::AppState;

/// `{"<key>": [rules…]}`: every rule, or those that apply to `?accountId=`.
fn list<S: Serialize, L: Serialize>(
    key: &str,
    rules: &Rules<S, L>,
    query: Option<&str>,
) -> AdminResult {
    let q = query_map(query);
    let listed = match account_name("accountId", q.get("accountId").map(String::as_str))? {
        Some(account) => rules.for_account(account),
        None => rules.list(),
    };
    Ok(Json(json!({ key: listed })).into_response())
}

/// Removes every rule, or those limited to `?accountId=`.
fn clear<S, L>(rules: &Rules<S, L>, query: Option<&str>) -> AdminResult {
    let q = query_map(query);
    let account = account_name("accountId", q.get("accountId").map(String::as_str))?;
    rules.remove_where(|rule| account.is_none_or(|a| rule.account_id.as_deref() == Some(a)));
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn remove<S, L>(what: &str, rules: &Rules<S, L>, raw: &str) -> AdminResult {
    let id: u64 = raw
        .parse()
        .map_err(|_| bad_request(format!("{what} id must be a whole number, found {raw:?}")))?;
    if !rules.remove(id) {
        return Err(not_found(format!("no {what} {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn created(rule: impl Serialize) -> AdminResult {
    Ok((StatusCode::CREATED, Json(rule)).into_response())
}

pub async fn list_faults(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> AdminResult {
    list("faults", &state.faults.rules, q.as_deref())
}

pub async fn add_fault(
    State(state): State<Arc<AppState>>,
    AdminBody(body): AdminBody,
) -> AdminResult {
    created(state.add_fault(json_body(&body)?).map_err(bad_request)?)
}

pub async fn clear_faults(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
) -> AdminResult {
    clear(&state.faults.rules, q.as_deref())
}

pub async fn remove_fault(
    State(state): State<Arc<AppState>>,
    PathSegment(id): PathSegment,
) -> AdminResult {
    remove("fault rule", &state.faults.rules, &id)
}

pub async fn list_limits(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> AdminResult {
    list("limits", &state.limits.rules, q.as_deref())
}

pub async fn add_limit(
    State(state): State<Arc<AppState>>,
    AdminBody(body): AdminBody,
) -> AdminResult {
    created(state.add_limit(json_body(&body)?).map_err(bad_request)?)
}

pub async fn clear_limits(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
) -> AdminResult {
    clear(&state.limits.rules, q.as_deref())
}

pub async fn remove_limit(
    State(state): State<Arc<AppState>>,
    PathSegment(id): PathSegment,
) -> AdminResult {
    remove("limit", &state.limits.rules, &id)
}

pub async fn list_stubs(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> AdminResult {
    list("stubs", &state.stubs.rules, q.as_deref())
}

pub async fn add_stub(
    State(state): State<Arc<AppState>>,
    AdminBody(body): AdminBody,
) -> AdminResult {
    created(state.add_stub(json_body(&body)?).map_err(bad_request)?)
}

pub async fn clear_stubs(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> AdminResult {
    clear(&state.stubs.rules, q.as_deref())
}

pub async fn remove_stub(
    State(state): State<Arc<AppState>>,
    PathSegment(id): PathSegment,
) -> AdminResult {
    remove("stub", &state.stubs.rules, &id)
}
