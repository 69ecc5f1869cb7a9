//! The whole service in process: one request per input through the real router (RPC endpoint and
//! admin API) on a fresh mock with the default fixtures. A panic is caught by the router and turned
//! into `500 InternalError`, so any 5xx other than the fixtures' `ServerError` fault is a finding.
//!
//! Input format: see `common/mod.rs`; a first-line target starting with `/` is a path and query
//! (`POST /__admin/faults`), anything else is the query of `/`.
#![no_main]

mod common;

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request};
use libfuzzer_sys::fuzz_target;
use sas_mock::settings::Settings;
use sas_mock::fixtures::default_document;
use sas_mock::AppState;
use tower::ServiceExt;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let input = common::read(data);
    let head = input.method == Method::HEAD;
    let raw = input.raw_query.unwrap_or_default();
    let uri = if raw.starts_with('/') {
        raw
    } else {
        format!("/?{raw}")
    };
    let mut builder = Request::builder().method(input.method).uri(uri);
    for (name, value) in &input.headers {
        builder = builder.header(name, value);
    }
    let Ok(request) = builder.body(Body::from(input.body)) else {
        return; // not a URI the HTTP layer would ever hand over
    };
    let settings = Settings {
        seed: 7,
        max_body_bytes: 64 * 1024,
        ..Settings::default()
    };
    let state = Arc::new(
        AppState::new(settings, &[default_document().expect("default fixtures")]).expect("state"),
    );
    let router = sas_mock::router(state);
    runtime().block_on(async move {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&bytes);
        if status.is_server_error() {
            assert!(text.contains("ServerError"), "{status} {text}");
        }
        if !head && (status.is_client_error() || status.is_server_error()) {
            assert!(
                text.contains("RequestId") && text.contains("HostId") && text.contains("Recommend"),
                "not an Alibaba error: {status} {text}"
            );
        }
    });
});
