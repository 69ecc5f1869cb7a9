//! `GET /` and `POST /` (any other method too, to answer it properly): HTTP in, [`rpc::call`],
//! HTTP out. Nothing else happens here.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use futures_util::FutureExt;

use super::body::read_body;
use super::network::{faulty_response, Control};
use crate::model::rng::RequestId;
use crate::protocol::{ApiError, Rendered};
use crate::rpc::{self, Incoming, Outcome};
use crate::state::AppState;

static X_ACS_REQUEST_ID: HeaderName = HeaderName::from_static("x-acs-request-id");
static X_ACS_RETRY_AFTER: HeaderName = HeaderName::from_static("x-acs-retry-after");

/// Answers one RPC request; a panic anywhere in it becomes `500 InternalError` (the journal and the
/// log miss that request; the panic message is on stderr).
pub async fn endpoint(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let answered = AssertUnwindSafe(answer(&state, request))
        .catch_unwind()
        .await;
    answered.unwrap_or_else(|_panic| super::error_response(&ApiError::internal()))
}

async fn answer(state: &AppState, request: Request) -> Response {
    let received = Instant::now();
    let (parts, body) = request.into_parts();
    let control = parts.extensions.get::<Arc<Control>>().cloned();
    let settings = &state.settings;
    let body = read_body(
        &parts.headers,
        body,
        settings.max_body_bytes,
        settings.body_timeout,
    )
    .await;
    let incoming = Incoming {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
        received,
    };
    let Outcome {
        request_id,
        rendered,
        retry_after_millis,
        network,
    } = rpc::call(state, incoming).await;
    match network.and_then(|fault| faulty_response(fault, control.as_ref(), &rendered)) {
        Some(broken) => broken,
        None => into_response(&request_id, rendered, retry_after_millis),
    }
}

/// An answer with the headers production sends: content type, `x-acs-request-id`, CORS, and
/// `x-acs-retry-after` when flow control asks the client to wait.
pub fn into_response(
    request_id: &RequestId,
    rendered: Rendered,
    retry_after_millis: Option<u64>,
) -> Response {
    let mut response = Response::new(Body::from(rendered.body));
    *response.status_mut() =
        StatusCode::from_u16(rendered.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(rendered.content_type),
    );
    if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
        headers.insert(X_ACS_REQUEST_ID.clone(), value);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if let Some(millis) = retry_after_millis {
        headers.insert(X_ACS_RETRY_AFTER.clone(), HeaderValue::from(millis));
    }
    response
}
