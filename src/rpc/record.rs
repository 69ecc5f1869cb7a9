//! The last stage of every call: the request's log line and its journal entry, with secrets
//! masked and client texts clipped to the journal's bounds.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use http::Method;

use super::Handled;
use crate::fixtures::NetworkFault;
use crate::model::rng::RequestId;
use crate::protocol::{Params, Rendered, RpcRequest};
use crate::state::journal::{
    clip, clip_body, JournalEntry, MAX_CLIENT_TEXT, MAX_PARAMS, MAX_RESPONSE, MAX_VALUE,
};
use crate::state::AppState;
use crate::telemetry::REQUEST_TARGET;

/// Parameters whose values are secrets: masked in the journal.
const SECRET_PARAMS: [&str; 4] = [
    "Signature",
    "SecurityToken",
    "AccessKeySecret",
    "BearerToken",
];

/// Logs the request's line and journals it.
pub(super) fn finish(
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
        network: (handled.network.map(|(fault, _)| fault))
            .or(handled.hung.then_some(NetworkFault::Hang))
            .map(NetworkFault::name),
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
