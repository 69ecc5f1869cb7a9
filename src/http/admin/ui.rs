//! `/__admin/ui`: the dashboard. One static page, its script and its style sheet, embedded in the
//! binary (no CDN, no build step), served without the admin token because they carry no data: the
//! page asks for the token and sends it as the bearer on every data call.
//!
//! `/__admin/ui/config` tells the page, also without the token, whether it must ask for one and
//! which optional admin endpoints this build has, so that the page never provokes a 401 or a 404
//! (browsers log both as console errors) just to find out.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower::ServiceExt;

use crate::state::AppState;

const INDEX_HTML: &str = include_str!("ui/index.html");
const APP_JS: &str = include_str!("ui/app.js");
const STYLE_CSS: &str = include_str!("ui/style.css");

/// Everything the page loads comes from this server; no inline script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Admin endpoints the page shows when this build has them (other work adds them).
const OPTIONAL_SECTIONS: [&str; 3] = ["machines", "alerts", "limits"];

/// The routes of the page, to be merged outside the token guard.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/ui", get(index))
        .route("/ui/", get(index))
        .route("/ui/app.js", get(app_js))
        .route("/ui/style.css", get(style_css))
        .route("/ui/config", get(config))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    (headers, body).into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style_css() -> Response {
    asset("text/css; charset=utf-8", STYLE_CSS)
}

/// `{"tokenRequired", "version", "sections": {"machines": bool, …}}`: no data, only what the page
/// needs to know before it asks for any.
async fn config(State(state): State<Arc<AppState>>) -> Response {
    let admin = super::router(Arc::clone(&state)).with_state(Arc::clone(&state));
    let mut sections = serde_json::Map::new();
    for name in OPTIONAL_SECTIONS {
        sections.insert(name.to_owned(), json!(has_route(&admin, name).await));
    }
    let body = json!({
        "tokenRequired": state.settings.admin_token.is_some(),
        "version": env!("CARGO_PKG_VERSION"),
        "sections": sections,
    });
    let mut response = Json(body).into_response();
    (response.headers_mut()).insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whether the admin router answers `GET /<name>` with anything but its 404 fallback. Without the
/// token the guard answers 401 before the handler runs; with none configured the handler lists.
async fn has_route(admin: &Router, name: &str) -> bool {
    let Ok(request) = Request::builder()
        .method(Method::GET)
        .uri(format!("/{name}"))
        .body(Body::empty())
    else {
        return false;
    };
    match admin.clone().oneshot(request).await {
        Ok(response) => response.status() != StatusCode::NOT_FOUND,
        Err(never) => match never {},
    }
}
