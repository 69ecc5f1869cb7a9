//! The admin API under `/__admin`: JSON in and out, for tests to steer the mock; and the dashboard
//! page (`ui`) that shows it to a person.

mod accounts;
mod machines;
mod rules;
mod system;
mod tasks;
mod ui;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::http::body::read_body;
use crate::protocol::signature::signatures_match;
use crate::protocol::{ApiError, Params};
use crate::state::AppState;

/// An admin answer that went wrong; rendered in the same shape as RPC errors.
#[derive(Debug)]
pub struct AdminError(pub ApiError);

impl From<ApiError> for AdminError {
    fn from(err: ApiError) -> Self {
        AdminError(err)
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        super::error_response(&self.0)
    }
}

pub type AdminResult = Result<Response, AdminError>;

/// An admin request body, read with the size limit and the body timeout; refusals are
/// Alibaba-shaped like every other error.
pub struct AdminBody(pub Bytes);

impl FromRequest<Arc<AppState>> for AdminBody {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, AdminError> {
        let (parts, body) = request.into_parts();
        let bytes = read_body(
            &parts.headers,
            body,
            state.settings.max_admin_body_bytes,
            state.settings.body_timeout,
        )
        .await?;
        Ok(AdminBody(bytes))
    }
}

pub fn bad_request(message: impl Into<String>) -> AdminError {
    AdminError(ApiError::admin(400, "InvalidAdminRequest", message.into()))
}

pub fn not_found(message: impl Into<String>) -> AdminError {
    AdminError(ApiError::admin(404, "NotFound", message.into()))
}

/// The `{id}` segment of an admin path, percent-decoded; one that is not UTF-8 is a 400 in the
/// usual error shape.
pub struct PathSegment(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathSegment {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AdminError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(segment)| PathSegment(segment))
            .map_err(|rejection| bad_request(rejection.body_text()))
    }
}

/// Parses a JSON body into `T`, naming the field at fault.
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    if !crate::fixtures::starts_an_object(body) {
        return Err(bad_request("invalid JSON body: expected a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let at = if path == "." || path == "?" {
            String::new()
        } else {
            format!("{path}: ")
        };
        bad_request(format!("invalid JSON body: {at}{}", err.into_inner()))
    })
}

/// An `accountId` or `accessKeyId` given to the admin API, refused when blank: no request can
/// reach such an account (requests treat an empty AccessKeyId as none, fixtures refuse blank
/// ids), so acting on it would silently do nothing useful.
pub fn account_name<'a>(
    field: &str,
    value: Option<&'a str>,
) -> Result<Option<&'a str>, AdminError> {
    match value {
        Some(v) if v.trim().is_empty() => Err(bad_request(format!("{field} must not be empty"))),
        other => Ok(other),
    }
}

/// The query string as a map (first value wins).
pub fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let params = raw.map(|q| Params::parse(q.as_bytes())).unwrap_or_default();
    for (k, v) in params.iter() {
        map.entry(k.to_owned()).or_insert_with(|| v.to_owned());
    }
    map
}

pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let guarded = Router::new()
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/{task_id}", get(tasks::get).delete(tasks::delete))
        .route(
            "/faults",
            get(rules::list_faults)
                .post(rules::add_fault)
                .delete(rules::clear_faults),
        )
        .route("/faults/{id}", delete(rules::remove_fault))
        .route(
            "/stubs",
            get(rules::list_stubs)
                .post(rules::add_stub)
                .delete(rules::clear_stubs),
        )
        .route("/stubs/{id}", delete(rules::remove_stub))
        .route(
            "/limits",
            get(rules::list_limits)
                .post(rules::add_limit)
                .delete(rules::clear_limits),
        )
        .route("/limits/{id}", delete(rules::remove_limit))
        .route(
            "/machines",
            get(machines::list)
                .post(machines::add)
                .delete(machines::clear),
        )
        .route("/machines/{id}", delete(machines::remove))
        .route("/alerts", get(machines::alerts))
        .route("/accounts", get(accounts::list))
        .route("/fixtures", post(system::load_fixtures))
        .route("/reset", post(system::reset))
        .route("/clock", get(system::clock).post(system::move_clock))
        .route(
            "/requests",
            get(system::requests).delete(system::clear_requests),
        )
        .route_layer(middleware::from_fn_with_state(state, require_token));
    Router::new()
        .route("/health", get(system::health))
        .merge(ui::routes())
        .merge(guarded)
        .method_not_allowed_fallback(|| async {
            AdminError(ApiError::admin(
                405,
                "MethodNotAllowed",
                "this admin path does not take that HTTP method",
            ))
        })
        .fallback(|| async {
            not_found("no such admin endpoint; see the README's admin API table")
        })
}

async fn require_token(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = state.settings.admin_token.as_deref() else {
        return next.run(request).await;
    };
    if bearer(request.headers()).is_some_and(|given| signatures_match(token, given)) {
        return next.run(request).await;
    }
    AdminError(ApiError::admin(
        401,
        "InvalidAdminToken",
        "the admin API needs the header Authorization: Bearer <token> given by --admin-token",
    ))
    .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}
