//! `/__admin/tasks`: list, create, read and delete tasks of any account.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::{
    bad_request, json_body, not_found, query_map, AdminBody, AdminError, AdminResult, PathSegment,
};
use crate::protocol::ApiError;
use crate::state::accounts::UnknownKey;
use crate::state::tasks::NewTask;
use crate::state::AppState;

/// The account named by `accountId` or `accessKeyId` in the query, if any.
pub(super) fn account_in(
    state: &AppState,
    q: &HashMap<String, String>,
) -> Result<Option<Arc<str>>, AdminError> {
    let account_id = q.get("accountId").map(String::as_str);
    let access_key_id = q.get("accessKeyId").map(String::as_str);
    (state.accounts.keys())
        .owner(access_key_id, account_id, UnknownKey::OwnAccount)
        .map_err(|(field, msg)| bad_request(format!("{field}: {msg}")))
}

fn task_id(raw: &str) -> Result<i64, AdminError> {
    raw.parse()
        .map_err(|_| bad_request(format!("task id must be a whole number, found {raw:?}")))
}

pub async fn list(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> AdminResult {
    let q = query_map(query.as_deref());
    let account = account_in(&state, &q)?;
    let limit = match q.get("limit") {
        None => usize::MAX,
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| bad_request(format!("limit must be a whole number, found {raw:?}")))?,
    };
    let tasks = (state.tasks.live).list_first(account.as_deref(), state.clock.now(), limit);
    Ok(Json(json!({ "tasks": tasks })).into_response())
}

pub async fn create(State(state): State<Arc<AppState>>, AdminBody(body): AdminBody) -> AdminResult {
    let spec: NewTask = json_body(&body)?;
    let view = state.create_task(&spec).map_err(bad_request)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// The task id in the path and the one account holding it (or the one the query names).
fn locate(
    state: &AppState,
    raw_id: &str,
    query: Option<&str>,
) -> Result<(Arc<str>, i64), AdminError> {
    let id = task_id(raw_id)?;
    if let Some(account) = account_in(state, &query_map(query))? {
        return Ok((account, id));
    }
    let mut accounts = state.tasks.live.accounts_with(id);
    match accounts.len() {
        0 if state.tasks.is_shared(id) => Err(not_found(format!(
            "task {id} is shared and no account holds a copy yet: an account gets one when it \
             first asks for it (add ?accountId= or ?accessKeyId= to read that account's)"
        ))),
        0 => Err(not_found(format!("no task {id} in any account"))),
        1 => Ok((accounts.remove(0), id)),
        _ => {
            let names: Vec<&str> = accounts.iter().map(|a| &**a).collect();
            Err(AdminError(ApiError::admin(
                409,
                "AmbiguousTask",
                format!(
                    "task {id} exists in several accounts ({}); add ?accountId=",
                    names.join(", ")
                ),
            )))
        }
    }
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    PathSegment(raw): PathSegment,
    RawQuery(query): RawQuery,
) -> AdminResult {
    let (account, id) = locate(&state, &raw, query.as_deref())?;
    let view = (state.tasks)
        .peek(&account, id, state.clock.now())
        .ok_or_else(|| not_found(format!("no task {id} in account {account}")))?;
    Ok(Json(view).into_response())
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    PathSegment(raw): PathSegment,
    RawQuery(query): RawQuery,
) -> AdminResult {
    let (account, id) = locate(&state, &raw, query.as_deref())?;
    if !state.tasks.live.remove(&account, id) {
        return Err(not_found(format!("no task {id} in account {account}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
