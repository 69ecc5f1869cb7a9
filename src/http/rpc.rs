//! The RPC endpoint: `GET /` and `POST /`.
//!
//! parse -> resolve action and version -> (signature) -> fault rules -> permissions -> the action,
//! then render, journal and log one line.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::Response;

use crate::actions::{self, ActionContext, VERSION};
use crate::auth::{authenticate, AuthContext};
use crate::config::TimestampCheck;
use crate::domain::clock::Clock;
use crate::faults::FaultTarget;
use crate::http::read_body;
use crate::journal::{clip, JournalEntry};
use crate::logging::{self, RequestLine};
use crate::protocol::response::{render_error, render_reply};
use crate::protocol::{ApiError, Format, Reply, RpcRequest};
use crate::registry::{Caller, Registry};
use crate::rng::RequestId;
use crate::state::AppState;

/// What happened to one request, for the answer, the journal and the log.
struct Handled {
    action: Option<Cow<'static, str>>,
    caller: Caller,
    task_id: Option<i64>,
    fault_id: Option<u64>,
    format: Format,
    result: Result<Reply, ApiError>,
}

pub async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let request_id = state.request_ids.request_id();
    let method = method_name(request.method());
    tracing::debug!(request_id = %request_id, "rpc received");
    let registry = state.registry_here();
    let handled = match read(&state, request).await {
        Ok(rpc) => process(&state, &registry, &rpc).await,
        Err(err) => Handled {
            action: None,
            caller: registry.caller(None),
            task_id: None,
            fault_id: None,
            format: Format::Json,
            result: Err(err),
        },
    };
    let response = match &handled.result {
        Ok(reply) => render_reply(
            handled.format,
            handled.action.as_deref().unwrap_or("Unknown"),
            request_id.as_str(),
            reply,
        ),
        Err(err) => render_error(handled.format, request_id.as_str(), err),
    };
    finish(&state, &handled, method, request_id, started);
    response
}

async fn read(state: &AppState, request: Request) -> Result<RpcRequest, ApiError> {
    let (parts, body) = request.into_parts();
    let body = read_body(
        &parts.headers,
        body,
        state.settings.max_body_bytes,
        state.settings.body_timeout,
    )
    .await?;
    RpcRequest::parse(parts.method, parts.uri.query(), parts.headers, body)
}

/// The method as the journal shows it, without allocating for the usual ones.
fn method_name(method: &Method) -> Cow<'static, str> {
    const KNOWN: [(Method, &str); 5] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::HEAD, "HEAD"),
    ];
    KNOWN.iter().find(|(known, _)| known == method).map_or_else(
        || Cow::Owned(method.to_string()),
        |(_, name)| Cow::Borrowed(*name),
    )
}

/// The action as the journal shows it, without allocating for the ones this mock serves.
fn action_name(action: &str) -> Cow<'static, str> {
    actions::NAMES
        .iter()
        .find(|name| **name == action)
        .map_or_else(
            || Cow::Owned(action.to_owned()),
            |name| Cow::Borrowed(*name),
        )
}

async fn process(state: &AppState, registry: &Registry, req: &RpcRequest) -> Handled {
    let task_id = req.task_id();
    let action = req.action();
    let mut seen = Seen::default();
    let result = dispatch(state, registry, req, action, task_id, &mut seen).await;
    let task_id = match &result {
        Ok(reply) => task_id.or_else(|| reply.int_field("ScanTaskId")),
        Err(_) => task_id,
    };
    Handled {
        action: action.map(action_name),
        // A request refused before authentication is shown under the key it names.
        caller: seen
            .caller
            .unwrap_or_else(|| registry.caller(req.access_key_id())),
        task_id,
        fault_id: seen.fault_id,
        format: req.format_or_json(),
        result,
    }
}

/// What dispatching learned besides the result.
#[derive(Default)]
struct Seen {
    /// The authenticated caller; `None` if the request failed before authentication.
    caller: Option<Caller>,
    fault_id: Option<u64>,
}

async fn dispatch(
    state: &AppState,
    registry: &Registry,
    req: &RpcRequest,
    action: Option<&str>,
    task_id: Option<i64>,
    seen: &mut Seen,
) -> Result<Reply, ApiError> {
    req.format()?;
    let action = action.ok_or_else(ApiError::action_not_found)?;
    let handler = actions::lookup(action).ok_or_else(ApiError::action_not_found)?;
    match req.version() {
        None => return Err(ApiError::missing("Version")),
        Some(v) if v != VERSION => return Err(ApiError::invalid_version()),
        Some(_) => {}
    }
    let now = state.clock.now();
    let stamp_now = match state.settings.timestamp_check {
        TimestampCheck::Clock => Some(now),
        TimestampCheck::System => Some(Clock::System.now()),
        TimestampCheck::Off => None,
    };
    let auth = AuthContext {
        mode: state.settings.auth,
        registry,
        nonces: &state.nonces,
        now,
        stamp_now,
    };
    let caller = seen.caller.insert(authenticate(req, &auth)?);
    let target = FaultTarget {
        action,
        task_id,
        access_key_id: caller.access_key_id.as_deref(),
        account_id: &caller.account,
    };
    if let Some(decision) = state.faults.decide(&target) {
        seen.fault_id = Some(decision.rule_id);
        if let Some(delay) = decision.delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(err) = decision.error {
            return Err(err);
        }
    }
    if caller.key.as_ref().is_some_and(|key| key.denies(action)) {
        return Err(ApiError::no_permission());
    }
    let ctx = ActionContext {
        state,
        registry,
        caller,
        request: req,
        now: state.clock.now(),
    };
    handler(&ctx)
}

fn finish(
    state: &AppState,
    handled: &Handled,
    method: Cow<'static, str>,
    request_id: RequestId,
    started: Instant,
) {
    let (status, code) = match &handled.result {
        Ok(_) => (200, None),
        Err(err) => (err.status, Some(&err.code)),
    };
    let latency_micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    logging::request(&RequestLine {
        request_id: request_id.as_str(),
        action: &clip(handled.action.as_deref().unwrap_or("-")),
        status,
        code: code.map_or("-", |c| c.as_ref()),
        account: &clip(&handled.caller.account),
        latency_micros,
    });
    state.journal.record(JournalEntry {
        seq: 0,
        time: state.clock.now(),
        method,
        action: handled.action.clone(),
        access_key_id: handled.caller.access_key_id.clone(),
        account_id: Arc::clone(&handled.caller.account),
        task_id: handled.task_id,
        status,
        code: code.cloned(),
        request_id,
        fault_id: handled.fault_id,
        latency_micros,
    });
}
