//! The HTTP adapter: axum routes for the RPC endpoint (`/`, to [`crate::rpc::call`]), the admin API
//! (`/__admin/*`) and Alibaba-shaped answers for everything else (unknown paths, panics).

pub mod admin;
pub mod body;
pub mod network;
pub mod rpc;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::model::rng::RequestId;
use crate::protocol::response::render_error;
use crate::protocol::{ApiError, Format};
use crate::state::AppState;

/// The whole service. Tests drive it with `tower::ServiceExt::oneshot`, no sockets needed.
///
/// A panic answers `500 InternalError` in Alibaba's shape: the RPC endpoint catches its own (see
/// [`rpc::endpoint`]; a router-wide layer would box every answer's body), the admin API has
/// tower-http's layer.
pub fn router(state: Arc<AppState>) -> Router {
    let admin = admin::router(Arc::clone(&state)).layer(CatchPanicLayer::custom(|_panic| {
        error_response(&ApiError::internal())
    }));
    Router::new()
        .route("/", any(rpc::endpoint))
        .nest("/__admin", admin)
        .fallback(|| async { error_response(&ApiError::api_not_found()) })
        .with_state(state)
}

/// An error answered outside the RPC pipeline (admin API, unknown paths): JSON, a fresh id.
pub fn error_response(err: &ApiError) -> Response {
    let request_id = RequestId::from_words(rand::random(), rand::random());
    let rendered = render_error(Format::Json, request_id.as_str(), err);
    rpc::into_response(&request_id, rendered, None)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self)
    }
}
