//! The pipeline every RPC call goes through, free of any transport:
//!
//! ```text
//! parse → action (catalog) and version → authenticate → parameters (catalog) → limits
//!       → faults → permissions → answer (a stub, else the emulation, else 501) → journal, log
//! ```
//!
//! [`call`] takes what arrived ([`Incoming`]) and returns what to send back ([`Outcome`]); the HTTP
//! adapter (`http::rpc`) only converts to and from it. Each stage is a function below, in order;
//! the last one, the log line and the journal entry, is in `record.rs`.

pub mod auth;
mod record;

use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};

use crate::actions::{self, ActionContext};
use crate::fixtures::NetworkFault;
use crate::model::clock::Clock;
use crate::model::rng::RequestId;
use crate::protocol::catalog::{self, Action};
use crate::protocol::response::{render_error, render_reply};
use crate::protocol::{ApiError, Format, Rendered, Reply, RpcRequest, VERSION};
use crate::settings::TimestampCheck;
use crate::state::accounts::Caller;
use crate::state::faults::FaultTarget;
use crate::state::AppState;
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
    /// A `hang` with a `delay` held the answer back, then let it go (journaled as `hang`).
    hung: bool,
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
    let request_id = stub_request_id(&handled).unwrap_or(request_id);
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
    record::finish(
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

/// The id a stub's answer names for itself (checked when the stub was added), which then stands
/// for the request everywhere: header, log line, journal.
fn stub_request_id(handled: &Handled) -> Option<RequestId> {
    handled.stub_id?;
    let answer = handled.result.as_ref().ok()?;
    RequestId::from_text(answer.reply.get("RequestId")?.as_str()?)
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
        hung: false,
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
        hung: false,
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
            Some(NetworkFault::Hang) if decision.delay.is_some() => handled.hung = true,
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
