//! The baseline of `bench/efficiency.sh`: a bare axum server that answers every RPC request with
//! the bytes sas-mock sends for `DescribeScanTaskProgress`, and does nothing else.
//!
//! ```text
//! bare_axum 127.0.0.1:18091
//! ```
//!
//! It serves `GET /` and `POST /` like the mock must (it takes the raw query and reads the whole
//! body), and answers 200 with a fixed JSON body of the same length and shape as the mock's answer
//! (203 bytes), with the same headers (`content-type`, `x-acs-request-id`,
//! `access-control-allow-origin`). No logging, no signature checks, no state. The same runtime
//! shape as the mock: a tokio multi-thread runtime with its default number of workers (one per
//! core the process may run on, so one under `taskset -c 0`) and hyper's HTTP/1.1 via
//! `axum::serve`.
//!
//! `GET /__admin/clock` answers a manual clock fixed at the start, as `sas-mock serve --clock
//! manual` does, so that the load client (`examples/loadgen`, which asks for the clock before it
//! starts) signs exactly the same kind of requests for both servers. `GET /__admin/health`
//! answers 200 for readiness checks. Loopback addresses only.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::RawQuery;
use axum::http::header::{HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// sas-mock's answer to `DescribeScanTaskProgress TaskId=100002` under `--clock manual --seed 1`,
/// byte for byte, with one fixed request id.
const BODY: &str = concat!(
    r#"{"RequestId":"5775264A-9A7E-4B09-B095-BEEBD76575E4","#,
    r#""TargetInfo":"[{\"type\":\"uuid\",\"name\":\"mock-host-100002\","#,
    r#"\"target\":\"00000000-0000-4000-8000-0000000186a2\"}]","#,
    r#""ScanTaskProgress":"Processing"}"#,
);
const REQUEST_ID: &str = "5775264A-9A7E-4B09-B095-BEEBD76575E4";
const X_ACS_REQUEST_ID: HeaderName = HeaderName::from_static("x-acs-request-id");

async fn rpc(RawQuery(query): RawQuery, body: Bytes) -> Response {
    // The query and the body are taken (and the body read to its end) as the mock must; a
    // baseline does nothing with them.
    drop((query, body));
    let mut response = Response::new(Body::from(Bytes::from_static(BODY.as_bytes())));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    headers.insert(X_ACS_REQUEST_ID, HeaderValue::from_static(REQUEST_ID));
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    if addr == "--listen" {
        addr = args.next().unwrap_or_default();
    }
    let addr: SocketAddr = match addr.parse() {
        Ok(addr) => addr,
        Err(err) => {
            eprintln!(
                "bare_axum: {addr:?} is not an address ({err}); usage: bare_axum 127.0.0.1:PORT"
            );
            return ExitCode::from(2);
        }
    };
    if !addr.ip().is_loopback() {
        eprintln!("bare_axum: {addr} is not a loopback address");
        return ExitCode::from(2);
    }
    let started_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let clock = format!(r#"{{"epochMillis":{started_ms},"mode":"manual"}}"#);
    let app = Router::new()
        .route("/", get(rpc).post(rpc))
        .route("/__admin/clock", get(move || async move { clock }))
        .route("/__admin/health", get(|| async { r#"{"status":"ok"}"# }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bare_axum: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!("bare_axum listening on {}", listener.local_addr()?);
        axum::serve(listener, app).await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bare_axum: {addr}: {err}");
            ExitCode::FAILURE
        }
    }
}
