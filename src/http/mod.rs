//! HTTP wiring: the RPC endpoint at `/`, the admin API under `/__admin`, and Alibaba-shaped
//! answers for everything else (unknown paths, panics).

pub mod admin;
pub mod rpc;

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::http::HeaderMap;

use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::protocol::response::render_error;
use crate::protocol::{ApiError, Format};
use crate::state::AppState;

/// The whole service. Tests drive it with `tower::ServiceExt::oneshot`, no sockets needed.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", any(rpc::handle))
        .nest("/__admin", admin::router(Arc::clone(&state)))
        .fallback(|| async { error_response(&ApiError::api_not_found()) })
        .layer(CatchPanicLayer::custom(|_panic| {
            error_response(&ApiError::internal())
        }))
        .with_state(state)
}

/// Reads a whole request body, refusing more than `limit` bytes (413) and bodies that take longer
/// than `timeout` to arrive (408).
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ApiError::body_too_large(limit));
    }
    // Most bodies (and every empty one) have arrived with the headers: only a body that is still
    // on its way needs a timer.
    let mut collect = std::pin::pin!(axum::body::to_bytes(body, limit));
    let collected = match std::future::poll_fn(|cx| Poll::Ready(collect.as_mut().poll(cx))).await {
        Poll::Ready(collected) => collected,
        Poll::Pending => match tokio::time::timeout(timeout, collect).await {
            Ok(collected) => collected,
            Err(_) => return Err(ApiError::body_timeout(timeout)),
        },
    };
    collected.map_err(|_| ApiError::body_too_large(limit))
}

/// An error answered outside any request context (a fresh request id, JSON).
pub(crate) fn error_response(err: &ApiError) -> Response {
    let request_id = crate::rng::Sequence::new(rand::random(), 0).request_id();
    render_error(Format::Json, &request_id, err).into_response()
}
