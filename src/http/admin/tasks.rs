//! `/__admin/tasks`: list, create, read and delete tasks of any account.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    account_name, bad_request, json_body, not_found, query_map, AdminBody, AdminError, AdminResult,
    PathSegment,
};
use crate::domain::schedule::{PartialSchedule, Progress};
use crate::protocol::ApiError;
use crate::state::AppState;

/// The body of `POST /__admin/tasks`: a fixture task whose id is optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct NewTask {
    task_id: Option<i64>,
    access_key_id: Option<String>,
    account_id: Option<String>,
    target_info: Option<Value>,
    schedule: Option<PartialSchedule>,
    progress: Option<Progress>,
}

/// The account named by `accountId` or `accessKeyId` (query or body); `None` when neither is.
fn account_of(
    state: &AppState,
    account_id: Option<&str>,
    access_key_id: Option<&str>,
) -> Result<Option<Arc<str>>, AdminError> {
    let account_id = account_name("accountId", account_id)?;
    let access_key_id = account_name("accessKeyId", access_key_id)?;
    match (account_id, access_key_id) {
        (Some(_), Some(_)) => Err(bad_request("give accountId or accessKeyId, not both")),
        (Some(a), None) => Ok(Some(Arc::from(a))),
        (None, Some(k)) => Ok(Some(state.registry().caller(Some(k)).account)),
        (None, None) => Ok(None),
    }
}

fn task_id(raw: &str) -> Result<i64, AdminError> {
    raw.parse()
        .map_err(|_| bad_request(format!("task id must be a whole number, found {raw:?}")))
}

pub async fn list(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> AdminResult {
    let q = query_map(query.as_deref());
    let account = account_of(
        &state,
        q.get("accountId").map(String::as_str),
        q.get("accessKeyId").map(String::as_str),
    )?;
    let tasks = state.store.list(account.as_deref(), state.clock.now());
    Ok(Json(json!({ "tasks": tasks })).into_response())
}

pub async fn create(State(state): State<Arc<AppState>>, AdminBody(body): AdminBody) -> AdminResult {
    let spec: NewTask = json_body(&body)?;
    let account = account_of(
        &state,
        spec.account_id.as_deref(),
        spec.access_key_id.as_deref(),
    )?
    .unwrap_or_else(|| state.registry().caller(None).account);
    let registry = state.registry();
    let now = state.clock.now();
    let seed = registry
        .make_seed(
            spec.task_id.unwrap_or(0),
            spec.target_info.as_ref(),
            spec.schedule,
            spec.progress,
        )
        .map_err(|msg| bad_request(format!("targetInfo: {msg}")))?;
    let id = match spec.task_id {
        Some(id) => {
            state
                .store
                .put(&account, id, state.new_task(&account, id, &seed, now));
            id
        }
        None => state.start_task(&account, &seed, now),
    };
    let view = state
        .store
        .observe(&account, id, now, false, || None)
        .ok_or_else(|| AdminError(ApiError::internal()))?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// The one account holding `id` (or the one the query names).
fn locate(state: &AppState, id: i64, query: Option<&str>) -> Result<Arc<str>, AdminError> {
    let q = query_map(query);
    if let Some(account) = account_of(
        state,
        q.get("accountId").map(String::as_str),
        q.get("accessKeyId").map(String::as_str),
    )? {
        return Ok(account);
    }
    let mut accounts = state.store.accounts_with(id);
    match accounts.len() {
        0 => Err(not_found(format!("no task {id} in any account"))),
        1 => Ok(accounts.remove(0)),
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
    let id = task_id(&raw)?;
    let account = locate(&state, id, query.as_deref())?;
    let view = state
        .store
        .observe(&account, id, state.clock.now(), false, || None)
        .ok_or_else(|| not_found(format!("no task {id} in account {account}")))?;
    Ok(Json(view).into_response())
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    PathSegment(raw): PathSegment,
    RawQuery(query): RawQuery,
) -> AdminResult {
    let id = task_id(&raw)?;
    let account = locate(&state, id, query.as_deref())?;
    if !state.store.remove(&account, id) {
        return Err(not_found(format!("no task {id} in account {account}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
