//! HTTP wiring: the RPC endpoint at `/`, the admin API under `/__admin`, and Alibaba-shaped
//! answers for everything else (unknown paths, panics).

pub mod admin;
pub mod rpc;

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::HeaderMap;
use axum::routing::future::RouteFuture;
use futures_util::future::{BoxFuture, Either};
use futures_util::FutureExt;
use tower::Service;

use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::protocol::response::render_error;
use crate::protocol::{ApiError, Format};
use crate::state::AppState;

/// The whole service. Tests drive it with `tower::ServiceExt::oneshot`, no sockets needed.
pub fn router(state: Arc<AppState>) -> App {
    // `/` never reaches the router: `App` answers it.
    let rest = Router::new()
        .nest("/__admin", admin::router(Arc::clone(&state)))
        .fallback(|| async { error_response(&ApiError::api_not_found()) })
        .layer(CatchPanicLayer::custom(|_panic| {
            error_response(&ApiError::internal())
        }))
        .with_state(Arc::clone(&state));
    App { state, rest }
}

/// The service: RPC calls (`/`, every SDK request) go straight to their handler, everything else
/// through axum's router. The router's layers of futures cost about a tenth of a signed request;
/// a panic in either path still becomes a `500 InternalError` answer.
#[derive(Clone)]
pub struct App {
    state: Arc<AppState>,
    rest: Router,
}

/// A boxed RPC answer (the handler's future cannot be named) or the router's own future.
type AppFuture = Either<BoxFuture<'static, Result<Response, Infallible>>, RouteFuture<Infallible>>;

impl Service<Request<Body>> for App {
    type Response = Response;
    type Error = Infallible;
    type Future = AppFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> AppFuture {
        if request.uri().path() != "/" {
            return Either::Right(self.rest.call(request));
        }
        let answer = rpc::handle(State(Arc::clone(&self.state)), request);
        Either::Left(Box::pin(answer_or_internal_error(answer)))
    }
}

/// The answer, or `500 InternalError` if producing it panicked (as the router's layer does).
async fn answer_or_internal_error(
    answer: impl Future<Output = Response>,
) -> Result<Response, Infallible> {
    Ok(AssertUnwindSafe(answer)
        .catch_unwind()
        .await
        .unwrap_or_else(|_panic| error_response(&ApiError::internal())))
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
    collected.map_err(|err| {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&err);
        while let Some(e) = cause {
            if e.is::<http_body_util::LengthLimitError>() {
                return ApiError::body_too_large(limit);
            }
            cause = e.source();
        }
        // The connection broke mid-body, or its chunked encoding was malformed.
        ApiError::body_unreadable()
    })
}

/// An error answered outside any request context (a fresh request id, JSON).
pub(crate) fn error_response(err: &ApiError) -> Response {
    let request_id = crate::rng::Sequence::new(rand::random(), 0).request_id();
    render_error(Format::Json, request_id.as_str(), err).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_that_breaks_off_is_unreadable_not_too_large() {
        let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![
            Ok(b"TaskId=1"),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "gone",
            )),
        ];
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let err = read_body(&HeaderMap::new(), body, 1024, Duration::from_secs(1))
            .await
            .expect_err("a broken body");
        assert_eq!(
            (err.status, err.code.as_ref()),
            (400, "InvalidBody.Unreadable")
        );

        let body = Body::from(vec![b'a'; 2048]);
        let err = read_body(&HeaderMap::new(), body, 1024, Duration::from_secs(1))
            .await
            .expect_err("too large");
        assert_eq!(
            (err.status, err.code.as_ref()),
            (413, "RequestEntityTooLarge")
        );
    }

    #[tokio::test]
    async fn a_panicking_answer_becomes_an_internal_error() {
        let answer = answer_or_internal_error(async { panic!("a bug in a handler") }).await;
        let Ok(response) = answer;
        assert_eq!(response.status(), 500);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(json["Code"], "InternalError");
        assert!(json["RequestId"].is_string());
    }
}
