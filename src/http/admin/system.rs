//! `/__admin` health, fixtures, reset, clock and the request journal.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{account_name, bad_request, json_body, query_map, AdminBody, AdminError, AdminResult};
use crate::fixtures::parse_document;
use crate::model::clock::{format_rfc3339, parse_rfc3339, ClockError};
use crate::model::duration::DurationMs;
use crate::protocol::ApiError;
use crate::state::journal::JournalFilter;
use crate::state::AppState;

pub async fn health(State(state): State<Arc<AppState>>) -> AdminResult {
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "clock": state.clock.mode(),
        "tasks": state.tasks.live.len(),
        "fixtureTasks": state.tasks.seeds().len(),
        "maxTasksPerAccount": state.tasks.max_per_account,
    }))
    .into_response())
}

pub async fn load_fixtures(
    State(state): State<Arc<AppState>>,
    AdminBody(body): AdminBody,
) -> AdminResult {
    let text =
        std::str::from_utf8(&body).map_err(|_| bad_request("the fixture document is not UTF-8"))?;
    let source = "request body";
    let doc = parse_document(source, text)
        .map_err(|err| AdminError(ApiError::admin(400, "InvalidFixture", err.to_string())))?;
    let summary = state
        .load_fixture(source, &doc)
        .map_err(|err| AdminError(ApiError::admin(400, "InvalidFixture", err.to_string())))?;
    Ok(Json(json!({ "loaded": summary })).into_response())
}

pub async fn reset(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> AdminResult {
    let q = query_map(query.as_deref());
    let account = account_name("accountId", q.get("accountId").map(String::as_str))?;
    state.reset(account);
    Ok(Json(json!({ "reset": account.unwrap_or("all") })).into_response())
}

fn clock_view(state: &AppState) -> serde_json::Value {
    let now = state.clock.now();
    json!({ "mode": state.clock.mode(), "now": format_rfc3339(now), "epochMillis": now })
}

pub async fn clock(State(state): State<Arc<AppState>>) -> AdminResult {
    Ok(Json(clock_view(&state)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveClock {
    advance: Option<DurationMs>,
    set: Option<String>,
}

pub async fn move_clock(
    State(state): State<Arc<AppState>>,
    AdminBody(body): AdminBody,
) -> AdminResult {
    let request: MoveClock = json_body(&body)?;
    let moved = match (request.advance, request.set) {
        (Some(by), None) => state.clock.advance(by.0),
        (None, Some(to)) => {
            let millis = parse_rfc3339(&to).ok_or_else(|| {
                bad_request(format!(
                    "set: expected an RFC 3339 time such as \"2026-01-01T00:00:00Z\", found {to:?}"
                ))
            })?;
            state.clock.set(millis)
        }
        _ => return Err(bad_request(
            "expected exactly one of {\"advance\": \"30s\"} or {\"set\": \"2026-01-01T00:00:00Z\"}",
        )),
    };
    match moved {
        Ok(_) => Ok(Json(clock_view(&state)).into_response()),
        Err(ClockError::NotManual) => Err(AdminError(ApiError::admin(
            409,
            "ClockNotManual",
            "the clock follows system time; start the server with --clock manual to move it",
        ))),
    }
}

pub async fn requests(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> AdminResult {
    let mut q = query_map(query.as_deref());
    let filter = JournalFilter {
        action: q.remove("action"),
        access_key_id: q.remove("accessKeyId"),
        account_id: q.remove("accountId"),
        task_id: number(&mut q, "taskId")?,
        status: number(&mut q, "status")?,
        code: q.remove("code"),
        after: number(&mut q, "after")?,
        limit: number(&mut q, "limit")?,
    };
    if let Some(unknown) = q.keys().next() {
        return Err(bad_request(format!(
            "unknown filter {unknown:?}; the journal filters by action, accessKeyId, accountId, \
             taskId, status, code, after and limit"
        )));
    }
    Ok(Json(
        json!({ "requests": state.journal.entries(&filter), "capacity": state.journal.capacity() }),
    )
    .into_response())
}

/// A whole-number query parameter, removed from the map.
fn number<T: std::str::FromStr>(
    q: &mut std::collections::HashMap<String, String>,
    name: &str,
) -> Result<Option<T>, AdminError> {
    match q.remove(name) {
        None => Ok(None),
        Some(raw) => raw
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| bad_request(format!("{name} must be a whole number, found {raw:?}"))),
    }
}

pub async fn clear_requests(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> AdminResult {
    let q = query_map(query.as_deref());
    let account = account_name("accountId", q.get("accountId").map(String::as_str))?;
    state.journal.clear(account);
    Ok(StatusCode::NO_CONTENT.into_response())
}
