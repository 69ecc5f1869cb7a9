//! A mock built in-process and driven through its router, no sockets.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use sas_mock::fixtures::{parse_document, DEFAULT_FIXTURES};
use sas_mock::settings::{AuthMode, Settings, UnknownTasks};
use sas_mock::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub struct Mock {
    pub state: Arc<AppState>,
    router: axum::Router,
}

/// One answer, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.json["Code"].as_str().unwrap_or("")
    }
    pub fn progress(&self) -> &str {
        self.json["ScanTaskProgress"].as_str().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub fn settings() -> Settings {
    Settings {
        seed: 7,
        ..Settings::default()
    }
}

impl Mock {
    /// The embedded default fixtures, manual clock, lenient auth, seed 7.
    pub fn new() -> Self {
        Self::with(settings(), &[DEFAULT_FIXTURES])
    }

    pub fn with_auth(auth: AuthMode) -> Self {
        Self::with(Settings { auth, ..settings() }, &[DEFAULT_FIXTURES])
    }

    pub fn with_unknown_tasks(unknown_tasks: UnknownTasks) -> Self {
        Self::with(
            Settings {
                unknown_tasks,
                ..settings()
            },
            &[DEFAULT_FIXTURES],
        )
    }

    pub fn with(settings: Settings, fixtures: &[&str]) -> Self {
        let docs: Vec<(String, _)> = fixtures
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let name = format!("fixture-{i}.json");
                let doc = parse_document(&name, text).expect("test fixture parses");
                (name, doc)
            })
            .collect();
        let state = Arc::new(AppState::new(settings, &docs).expect("test fixtures load"));
        let router = sas_mock::router(Arc::clone(&state));
        Mock { state, router }
    }

    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body.into()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    /// `GET /?<query>&Version=2018-12-03` (the version is added unless the query has one).
    pub async fn rpc(&self, query: &str) -> Answer {
        let uri = if query.contains("Version=") {
            format!("/?{query}")
        } else {
            format!("/?{query}&Version=2018-12-03")
        };
        self.send(Method::GET, &uri, &[], Body::empty()).await
    }

    pub async fn describe(&self, task_id: i64) -> Answer {
        self.rpc(&format!("Action=DescribeScanTaskProgress&TaskId={task_id}"))
            .await
    }

    pub async fn describe_as(&self, access_key_id: &str, task_id: i64) -> Answer {
        self.rpc(&format!(
            "Action=DescribeScanTaskProgress&TaskId={task_id}&AccessKeyId={access_key_id}"
        ))
        .await
    }

    pub async fn start(&self, access_key_id: Option<&str>) -> Answer {
        let target = "%5B%7B%22type%22%3A%22uuid%22%2C%22name%22%3A%22h1%22%2C%22target%22%3A%22abc%22%7D%5D";
        let key = access_key_id
            .map(|k| format!("&AccessKeyId={k}"))
            .unwrap_or_default();
        self.rpc(&format!(
            "Action=StartVirusScanTask&TargetInfo={target}{key}"
        ))
        .await
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let body = body
            .map(|b| Body::from(b.to_string()))
            .unwrap_or_else(Body::empty);
        self.send(
            method,
            &format!("/__admin{path}"),
            &[("content-type", "application/json")],
            body,
        )
        .await
    }

    pub async fn advance(&self, by: &str) {
        let answer = self
            .admin(
                Method::POST,
                "/clock",
                Some(serde_json::json!({ "advance": by })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
}
