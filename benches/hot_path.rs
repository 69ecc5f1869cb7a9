//! Micro-benchmarks of the request path, piece by piece and whole (in-process, no sockets).
//!
//! `cargo bench --bench hot_path` (all), or `cargo bench --bench hot_path -- verify` (a group).
//! The load benchmark over real sockets is `bench/load.sh`.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Request};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sas_mock::fixtures::{parse_document, DEFAULT_FIXTURES};
use sas_mock::model::clock::format_rfc3339;
use sas_mock::model::schedule::{Phase, Schedule};
use sas_mock::model::task::{Task, TaskSeed};
use sas_mock::protocol::encoding::encode_pairs;
use sas_mock::protocol::response::render_error;
use sas_mock::protocol::signature::client::{
    pairs as borrowed, sign_v2_params, v3_authorization_header,
};
use sas_mock::protocol::signature::{sha256_hex, v2, v3, EMPTY_SHA256};
use sas_mock::protocol::{ApiError, Format, RpcRequest};
use sas_mock::rpc::auth::{authenticate, AuthContext};
use sas_mock::settings::{AuthMode, Settings};
use sas_mock::state::accounts::Keys;
use sas_mock::state::nonces::NonceStore;
use sas_mock::state::task_map::TaskMap;
use sas_mock::AppState;
use tower::ServiceExt;

const NOW: i64 = 1_795_900_000_000;
const HOST: &str = "127.0.0.1:8080";

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// The query string of an HMAC-SHA1-signed DescribeScanTaskProgress, as the legacy SDK sends it.
fn v2_query(nonce: &str) -> String {
    let stamp = format_rfc3339(NOW);
    let mut params = pairs(&[
        ("AccessKeyId", "testid"),
        ("Action", "DescribeScanTaskProgress"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", &stamp),
        ("Version", "2018-12-03"),
        ("TaskId", "100002"),
    ]);
    sign_v2_params("GET", &mut params, "testsecret");
    encode_pairs(borrowed(&params))
}

/// The headers of a V3-signed `POST /?TaskId=100002`, as the Tea SDKs send them.
fn v3_headers(nonce: &str, stamp: &str) -> Vec<(String, String)> {
    let query = pairs(&[("TaskId", "100002")]);
    let mut headers = pairs(&[
        ("host", HOST),
        ("x-acs-action", "DescribeScanTaskProgress"),
        ("x-acs-content-sha256", EMPTY_SHA256),
        ("x-acs-date", stamp),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-version", "2018-12-03"),
        (
            "user-agent",
            "AlibabaCloud (linux; x64) Python/3.11 TeaDSL/1",
        ),
    ]);
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let auth = v3_authorization_header("testid", "testsecret", "POST", &query, &refs, EMPTY_SHA256);
    headers.push(("authorization".to_owned(), auth));
    headers
}

fn header_map(headers: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
        map.append(name, HeaderValue::from_str(value).unwrap());
    }
    map
}

fn v2_request(nonce: &str) -> RpcRequest {
    let query = v2_query(nonce);
    RpcRequest::parse(Method::GET, Some(&query), HeaderMap::new(), Bytes::new()).unwrap()
}

fn v3_request(nonce: &str) -> RpcRequest {
    let headers = header_map(&v3_headers(nonce, &format_rfc3339(NOW)));
    RpcRequest::parse(Method::POST, Some("TaskId=100002"), headers, Bytes::new()).unwrap()
}

fn keys() -> Keys {
    let doc = parse_document("default", DEFAULT_FIXTURES).unwrap();
    Keys::default().merged("default", &doc).unwrap()
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    let query = v2_query("4b1c0b6e-1f0e-4a61-9d57-6f1f8a7e1a55");
    group.bench_function("v2_signed_query", |b| {
        b.iter(|| {
            RpcRequest::parse(
                Method::GET,
                Some(black_box(&query)),
                HeaderMap::new(),
                Bytes::new(),
            )
        })
    });
    let headers = header_map(&v3_headers(
        "4b1c0b6e-1f0e-4a61-9d57-6f1f8a7e1a55",
        &format_rfc3339(NOW),
    ));
    group.bench_function("v3_signed_post", |b| {
        b.iter_batched(
            || headers.clone(),
            |h| RpcRequest::parse(Method::POST, Some("TaskId=100002"), h, Bytes::new()),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("canonicalise");
    let req = v2_request("n-1");
    let params: Vec<(String, String)> = req
        .params()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    group.bench_function("v2_string_to_sign", |b| {
        b.iter(|| v2::string_to_sign("GET", borrowed(black_box(&params))))
    });
    let raw = v3_headers("n-1", &format_rfc3339(NOW));
    let refs: Vec<(&str, &str)> = raw.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let signed = v3::MINIMAL_SIGNED_HEADERS;
    let query = pairs(&[("TaskId", "100002")]);
    group.bench_function("v3_canonical_request", |b| {
        b.iter(|| {
            let query = borrowed(&query);
            v3::canonical_request("POST", query, black_box(&refs), &signed, EMPTY_SHA256)
        })
    });
    group.bench_function("sha256_hex_empty_body", |b| {
        b.iter(|| sha256_hex(black_box(b"")))
    });
    group.finish();
}

/// Signature checks as the server makes them under load: a fresh nonce each time, into a store of
/// the default capacity that is kept full (so the nonce check meets its tables cold, as it does
/// in the server).
fn verification(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("verify");
    type Signed = fn(&str) -> RpcRequest;
    let requests: [(&str, Signed); 2] = [("hmac_sha1", v2_request), ("v3", v3_request)];
    for (name, request) in requests {
        let nonces = NonceStore::new(100_000, 1);
        let mut sent = 0u64;
        let mut next = || {
            sent += 1;
            request(&format!("n-{sent}"))
        };
        let ctx = AuthContext {
            mode: AuthMode::Strict,
            keys: &keys,
            nonces: &nonces,
            now: NOW,
            stamp_now: Some(NOW),
        };
        for _ in 0..200_000 {
            authenticate(&next(), &ctx).unwrap();
        }
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                &mut next,
                |req| authenticate(black_box(req), &ctx).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn domain(c: &mut Criterion) {
    let mut group = c.benchmark_group("domain");
    let schedule = Schedule {
        init: Phase::Polls(1_000_000_000),
        processing: Phase::Time(5_000),
        ..Schedule::default()
    };
    let seed = TaskSeed::new("[]", schedule, None);
    let mut task = Task::new(Arc::clone(&seed), NOW, 0.5);
    group.bench_function("progress_observe", |b| {
        b.iter(|| task.observe(black_box(NOW + 10), true))
    });
    let store = TaskMap::default();
    let account: Arc<str> = Arc::from("1234567890123456");
    for id in 0..100_000 {
        store.put(&account, id, Task::new(Arc::clone(&seed), NOW, 0.5));
    }
    group.bench_function("store_observe_100k", |b| {
        let mut id = 0;
        b.iter(|| {
            id = (id + 7919) % 100_000;
            store.observe(&account, black_box(id), NOW, true, || None)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("render_error");
    let err = ApiError::from_catalog("SignatureNonceUsed").unwrap();
    let id = "5F0C8E5A-1E5B-4B7B-9D3C-2C1A7E6F0B11";
    group.bench_function("json", |b| {
        b.iter(|| render_error(Format::Json, id, black_box(&err)))
    });
    group.bench_function("xml", |b| {
        b.iter(|| render_error(Format::Xml, id, black_box(&err)))
    });
    group.finish();
}

fn fixtures(c: &mut Criterion) {
    let mut text = String::from("{\"tasks\":[");
    for i in 0..100_000 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"taskId\":{},\"accountId\":\"bench\"}}",
            1_000_000 + i
        ));
    }
    text.push_str("]}");
    let mut group = c.benchmark_group("fixtures");
    group.sample_size(10);
    group.bench_function("load_100k_tasks", |b| {
        b.iter(|| {
            let doc = parse_document("bench.json", black_box(&text)).unwrap();
            AppState::new(Settings::default(), &[("bench.json".to_owned(), doc)]).unwrap()
        })
    });
    group.finish();
}

/// The whole router for one request, in-process: parse, verify, act, render, journal, log.
fn router(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let docs = [(
        "default".to_owned(),
        parse_document("default", DEFAULT_FIXTURES).unwrap(),
    )];
    let state = Arc::new(AppState::new(Settings::default(), &docs).unwrap());
    let stamp = format_rfc3339(state.clock.now() / 1000 * 1000);
    let app = sas_mock::router(Arc::clone(&state));
    let mut group = c.benchmark_group("router");
    let call = |request: Request<Body>| {
        let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
        assert_eq!(response.status(), 200);
        response
    };
    group.bench_function("unsigned_describe", |b| {
        b.iter(|| {
            call(
                Request::get("/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=100002")
                    .body(Body::empty())
                    .unwrap(),
            )
        })
    });
    let mut n = 0u64;
    group.bench_function("v3_describe", |b| {
        b.iter_batched(
            || {
                n += 1;
                let mut request = Request::post("/?TaskId=100002");
                for (name, value) in v3_headers(&format!("bench-{n}"), &stamp) {
                    request = request.header(name, value);
                }
                request.body(Body::empty()).unwrap()
            },
            call,
            BatchSize::SmallInput,
        )
    });
    group.bench_function("health", |b| {
        b.iter(|| call(Request::get("/__admin/health").body(Body::empty()).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, parsing, verification, domain, fixtures, router);
criterion_main!(benches);
