//! The pipeline every RPC call goes through, free of any transport:
//!
//! ```text
//! parse → action (catalog) and version → authenticate → parameters (catalog) → limits
//!       → faults → permissions → answer (a stub, else the emulation, else 501) → journal, log
//! ```
//!
//! [`call`] takes what arrived ([`Incoming`]) and returns what to send back ([`Outcome`]); the HTTP
//! adapter (`http::rpc`) only converts to and from it. Each stage is a function below, in order.

pub mod auth;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};

use crate::actions::{self, ActionContext};
use crate::fixtures::NetworkFault;
use crate::model::clock::Clock;
use crate::model::rng::RequestId;
use crate::protocol::catalog::{self, Action};
use crate::protocol::response::{render_error, render_reply};
use crate::protocol::{ApiError, Format, Params, Rendered, Reply, RpcRequest, VERSION};
use crate::settings::TimestampCheck;
use crate::state::accounts::Caller;
use crate::state::faults::FaultTarget;
use crate::state::journal::{
    clip, clip_body, JournalEntry, MAX_CLIENT_TEXT, MAX_PARAMS, MAX_RESPONSE, MAX_VALUE,
};
use crate::state::AppState;
use crate::telemetry::REQUEST_TARGET;
use auth::{authenticate, AuthContext, Scheme};

/// A request as it arrived, before anything is made of it.
#[derive(Debug)]
pub struct Incoming {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    /// The body, or why it could not be read (too large, too slow, broken off).
    pub body: Result<Bytes, ApiError>,
    /// When it arrived, for the latency the log and the journal show.
    pub received: Instant,
}

/// What to send back.
#[derive(Debug)]
pub struct Outcome {
    pub request_id: RequestId,
    pub rendered: Rendered,
    /// For `x-acs-retry-after` (flow control).
    pub retry_after_millis: Option<u64>,
    /// What the transport must do instead of (or, for a broken chunk, to) the answer.
    pub network: Option<NetworkFault>,
}

/// A success answer: its status (a stub may set one) and fields.
#[derive(Debug)]
struct Answer {
    status: u16,
    reply: Reply,
}

impl From<Reply> for Answer {
    fn from(reply: Reply) -> Self {
        Answer { status: 200, reply }
    }
}

/// What happened to one request, for the answer, the journal and the log.
struct Handled {
    action: Option<&'static Action>,
    caller: Option<Caller>,
    scheme: Scheme,
    task_id: Option<i64>,
    fault_id: Option<u64>,
    stub_id: Option<u64>,
    limit_id: Option<u64>,
    /// A network fault a rule chose, and the status of its page (`proxyError`).
    network: Option<(NetworkFault, Option<u16>)>,
    result: Result<Answer, ApiError>,
}

/// Runs one call through the pipeline, journals it and logs its line.
pub async fn call(state: &AppState, incoming: Incoming) -> Outcome {
    let request_id = state.request_ids.request_id();
    let method = incoming.method.clone();
    let received = incoming.received;
    let request = (incoming.body).and_then(|body| {
        RpcRequest::parse(
            incoming.method,
            incoming.uri.query(),
            incoming.headers,
            body,
        )
    });
    let (handled, format) = match &request {
        Ok(req) => (handle(state, req).await, req.format_or_json()),
        Err(err) => (refused(err.clone()), Format::Json),
    };
    let action = handled.action.map_or("Unknown", |a| a.name.as_str());
    let rendered = match (&handled.network, &handled.result) {
        (Some((NetworkFault::ProxyError, status)), _) => proxy_page(status.unwrap_or(502)),
        (Some((NetworkFault::MalformedChunk, _)) | None, Ok(answer)) => {
            let mut rendered = render_reply(format, action, request_id.as_str(), &answer.reply);
            rendered.status = answer.status;
            rendered
        }
        (Some(_), Ok(_)) => Rendered {
            status: 0,
            content_type: "",
            body: Bytes::new(),
        },
        (_, Err(err)) => render_error(format, request_id.as_str(), err),
    };
    let retry_after_millis = handled
        .result
        .as_ref()
        .err()
        .and_then(|e| e.retry_after_millis);
    finish(
        state,
        request.as_ref().ok(),
        &method,
        &handled,
        &rendered,
        request_id,
        received,
    );
    let network = handled.network.map(|(fault, _)| fault);
    if network == Some(NetworkFault::Hang) {
        // No answer, ever: the connection ends when the client gives up (or at shutdown).
        std::future::pending::<()>().await;
    }
    Outcome {
        request_id,
        rendered,
        retry_after_millis,
        network,
    }
}

/// A request that could not even be read.
fn refused(err: ApiError) -> Handled {
    Handled {
        action: None,
        caller: None,
        scheme: Scheme::Unsigned,
        task_id: None,
        fault_id: None,
        stub_id: None,
        limit_id: None,
        network: None,
        result: Err(err),
    }
}

async fn handle(state: &AppState, req: &RpcRequest) -> Handled {
    let mut handled = Handled {
        action: None,
        caller: None,
        scheme: auth::scheme(req),
        task_id: req.task_id(),
        fault_id: None,
        stub_id: None,
        limit_id: None,
        network: None,
        result: Ok(Reply::new().into()),
    };
    handled.result = answer(state, req, &mut handled).await;
    if let Ok(answer) = &handled.result {
        let started = answer
            .reply
            .get("ScanTaskId")
            .and_then(serde_json::Value::as_i64);
        handled.task_id = handled.task_id.or(started);
    }
    handled
}

/// The stages, in order; each may end the request with an error.
async fn answer(
    state: &AppState,
    req: &RpcRequest,
    handled: &mut Handled,
) -> Result<Answer, ApiError> {
    req.format()?;
    let name = req.action().ok_or_else(ApiError::action_not_found)?;
    let action = *handled
        .action
        .get_or_insert(catalog::action(name).ok_or_else(|| ApiError::unknown_action(name))?);
    check_version(req)?;
    let caller = handled.caller.insert(authenticate_caller(state, req)?);
    action.validate(req)?;
    if let Err(throttled) = (state.limits).admit(&action.name, &caller.account, state.clock.now()) {
        handled.limit_id = Some(throttled.limit_id);
        return Err(*throttled.error);
    }
    let target = FaultTarget {
        action: &action.name,
        task_id: handled.task_id,
        access_key_id: caller.access_key_id.as_deref(),
        account_id: &caller.account,
    };
    if let Some(decision) = state.faults.decide(&target) {
        handled.fault_id = Some(decision.rule_id);
        if let Some(delay) = decision.delay {
            tracing::debug!(
                rule = decision.rule_id,
                ?delay,
                "a fault rule delays the answer"
            );
            tokio::time::sleep(delay).await;
        }
        if let Some(err) = decision.error {
            return Err(err);
        }
        match decision.network {
            // After its delay, a hang is over: the normal answer follows.
            Some(NetworkFault::Hang) if decision.delay.is_some() => {}
            // A broken chunk breaks the normal answer.
            Some(fault @ NetworkFault::MalformedChunk) => handled.network = Some((fault, None)),
            Some(fault) => {
                handled.network = Some((fault, decision.status));
                return Ok(Reply::new().into());
            }
            None => {}
        }
    }
    if caller
        .key
        .as_ref()
        .is_some_and(|key| key.denies(&action.name))
    {
        return Err(ApiError::no_permission());
    }
    if let Some(stub) = state.stubs.answer(&action.name, &caller.account, req) {
        handled.stub_id = Some(stub.id);
        if let Some(delay) = stub.spec.delay {
            tokio::time::sleep(std::time::Duration::from_millis(delay.0)).await;
        }
        let status = stub.spec.status.unwrap_or(200);
        return Ok(Answer {
            status,
            reply: stub.spec.response.clone(),
        });
    }
    let handler =
        actions::handler(&action.name).ok_or_else(|| ApiError::not_emulated(&action.name))?;
    let ctx = ActionContext {
        state,
        caller,
        request: req,
        now: state.clock.now(),
    };
    handler(&ctx).map(Answer::from)
}

fn check_version(req: &RpcRequest) -> Result<(), ApiError> {
    match req.version() {
        None => Err(ApiError::missing("Version")),
        Some(v) if v != VERSION => Err(ApiError::invalid_version()),
        Some(_) => Ok(()),
    }
}

fn authenticate_caller(state: &AppState, req: &RpcRequest) -> Result<Caller, ApiError> {
    let now = state.clock.now();
    let keys = state.accounts.keys();
    authenticate(
        req,
        &AuthContext {
            mode: state.settings.auth,
            keys: &keys,
            nonces: &state.nonces,
            now,
            stamp_now: match state.settings.timestamp_check {
                TimestampCheck::Clock => Some(now),
                TimestampCheck::System => Some(Clock::System.now()),
                TimestampCheck::Off => None,
            },
        },
    )
}

/// Parameters whose values are secrets: masked in the journal.
const SECRET_PARAMS: [&str; 4] = [
    "Signature",
    "SecurityToken",
    "AccessKeySecret",
    "BearerToken",
];

/// Logs the request's line and journals it.
fn finish(
    state: &AppState,
    request: Option<&RpcRequest>,
    method: &Method,
    handled: &Handled,
    rendered: &Rendered,
    request_id: RequestId,
    received: Instant,
) {
    let (status, code, reason) = match &handled.result {
        // A stub may answer an error status with a code of its own.
        Ok(answer) if answer.status >= 400 => {
            let code = (answer.reply.get("Code").and_then(serde_json::Value::as_str))
                .map(|c| Cow::Owned(clip(c, MAX_CLIENT_TEXT).into_owned()));
            (rendered.status, code, None)
        }
        Ok(_) => (rendered.status, None, None),
        Err(err) => (
            err.status,
            Some(err.code.clone()),
            (err.reason.as_deref()).map(|r| clip(r, MAX_CLIENT_TEXT).into_owned()),
        ),
    };
    let latency_micros = u64::try_from(received.elapsed().as_micros()).unwrap_or(u64::MAX);
    // A request refused before authentication is shown under the key it names.
    let caller = handled.caller.clone().unwrap_or_else(|| {
        let claimed = request.and_then(RpcRequest::access_key_id);
        state.accounts.keys().caller(claimed)
    });
    let account = clip_arc(&caller.account);
    // The action as the client sent it, even when it is not in the catalog.
    let action = handled
        .action
        .map(|a| Cow::Borrowed(a.name.as_str()))
        .or_else(|| {
            let sent = request.and_then(RpcRequest::action)?;
            Some(Cow::Owned(clip(sent, MAX_CLIENT_TEXT).into_owned()))
        });
    tracing::info!(
        target: REQUEST_TARGET,
        request_id = request_id.as_str(),
        action = action.as_deref().unwrap_or("-"),
        status,
        code = code.as_deref(),
        account = &*account,
        latency_us = latency_micros,
        reason = reason.as_deref(),
        "rpc"
    );
    let params = request.map(journal_params).unwrap_or_default();
    state.journal.record(JournalEntry {
        seq: 0,
        time: state.clock.now(),
        method: match *method {
            Method::GET => Cow::Borrowed("GET"),
            Method::POST => Cow::Borrowed("POST"),
            ref other => Cow::Owned(other.to_string()),
        },
        action,
        scheme: handled.scheme.name(),
        access_key_id: caller.access_key_id.map(|k| clip_arc(&k)),
        account_id: account,
        task_id: handled.task_id,
        status,
        code,
        reason,
        request_id,
        fault_id: handled.fault_id,
        stub_id: handled.stub_id,
        limit_id: handled.limit_id,
        network: handled.network.map(|(fault, _)| fault.name()),
        latency_micros,
        params,
        response: clip_body(&rendered.body, MAX_RESPONSE),
    });
}

/// The request's parameters as the journal keeps them: secrets masked, long texts clipped, and
/// no more than [`MAX_PARAMS`] bytes of them all (then a last pair says how many were left out).
fn journal_params(req: &RpcRequest) -> Params {
    let (pairs, text) = (req.params()).fold((0, 0), |(pairs, text), (name, value)| {
        (pairs + 1, text + name.len() + value.len())
    });
    let mut kept = Params::with_capacity(text.min(MAX_PARAMS + 64), pairs.min(MAX_PARAMS));
    let mut room = MAX_PARAMS;
    for (index, (name, value)) in req.params().enumerate() {
        let value = if SECRET_PARAMS.contains(&name) {
            "***".into()
        } else {
            clip(value, MAX_VALUE)
        };
        let name = clip(name, MAX_CLIENT_TEXT);
        let Some(left) = room.checked_sub(name.len() + value.len()) else {
            let more = req.params().count() - index;
            kept.push("…", &format!("{more} more parameters not kept"));
            break;
        };
        room = left;
        kept.push(&name, &value);
    }
    kept
}

fn clip_arc(text: &Arc<str>) -> Arc<str> {
    match clip(text, MAX_CLIENT_TEXT) {
        Cow::Borrowed(_) => Arc::clone(text),
        Cow::Owned(clipped) => clipped.into(),
    }
}

/// The page a load balancer in front of the service sends when the service behind it is gone.
fn proxy_page(status: u16) -> Rendered {
    let title = if status == 503 {
        "503 Service Temporarily Unavailable"
    } else {
        "502 Bad Gateway"
    };
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n\
         <hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n"
    );
    Rendered {
        status,
        content_type: "text/html",
        body: body.into(),
    }
}
