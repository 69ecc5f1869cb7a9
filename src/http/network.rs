//! Network faults, as far as HTTP goes: the per-connection switch a fault rule throws so that the
//! transport (`server::conn`) resets, empties or garbles the connection instead of answering, and
//! the broken chunked body of `malformedChunk`.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::fixtures::NetworkFault;
use crate::protocol::Rendered;

/// One connection's switch; the server puts it in every request's extensions.
#[derive(Debug, Default)]
pub struct Control(Mutex<Option<NetworkFault>>);

impl Control {
    pub fn set(&self, fault: NetworkFault) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(fault);
    }

    pub fn fault(&self) -> Option<NetworkFault> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The response for a network fault, if the fault replaces the answer. A fault of the connection
/// throws the switch; without one (a request made without a server, as in-process tests do) the
/// response's body fails instead, which is as close as HTTP alone gets.
pub fn faulty_response(
    fault: NetworkFault,
    control: Option<&Arc<Control>>,
    rendered: &Rendered,
) -> Option<Response> {
    match fault {
        NetworkFault::ConnectionReset
        | NetworkFault::EmptyResponse
        | NetworkFault::RandomDataThenClose => {
            Some(match control {
                // The transport carries it out when the answer's first byte is written.
                Some(control) => {
                    control.set(fault);
                    Response::new(Body::empty())
                }
                None => Response::new(failing_body(Vec::new())),
            })
        }
        NetworkFault::MalformedChunk => {
            // Half the answer in one chunk, then the stream breaks off: no closing chunk.
            let half = rendered.body.len() / 2;
            let mut response = Response::new(failing_body(rendered.body[..half].to_vec()));
            *response.status_mut() =
                StatusCode::from_u16(rendered.status).unwrap_or(StatusCode::OK);
            let content_type = HeaderValue::from_static(rendered.content_type);
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type);
            Some(response)
        }
        NetworkFault::Hang | NetworkFault::ProxyError => None,
    }
}

/// A body that yields `first` (when not empty), lets it go out, then fails.
fn failing_body(first: Vec<u8>) -> Body {
    let chunks = futures_util::stream::unfold(Some(first), |first| async move {
        match first {
            Some(first) if !first.is_empty() => Some((Ok(Bytes::from(first)), None)),
            _ => {
                // Pending once, so that the chunk before is flushed to the client.
                tokio::task::yield_now().await;
                let broken = std::io::ErrorKind::ConnectionAborted;
                Some((
                    Err(std::io::Error::new(broken, "a network fault rule")),
                    None,
                ))
            }
        }
    });
    Body::from_stream(chunks)
}
