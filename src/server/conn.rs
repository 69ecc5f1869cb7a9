//! A connection's byte stream, as the server hands it to hyper: it carries out network fault rules
//! (reset, close without a byte, garbage then close) and gives hyper's own answers to requests it
//! cannot parse (431 too many headers, 414 URI too long, 400) the Alibaba shape every other error
//! has.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::fixtures::NetworkFault;
use crate::http::network::Control;
use crate::model::rng::RequestId;
use crate::protocol::response::render_error;
use crate::protocol::{ApiError, Format};

/// A stream whose socket can be made to reset (RST) when it closes.
pub trait Resettable {
    fn reset_on_close(&self);
}

impl Resettable for TcpStream {
    fn reset_on_close(&self) {
        let _ = self.set_zero_linger();
    }
}

impl Resettable for TlsStream<TcpStream> {
    fn reset_on_close(&self) {
        self.get_ref().0.reset_on_close();
    }
}

/// hyper sees no vectored writes here and copies an answer's head and body into one `send`:
/// measured 5% cheaper than passing its two buffers to `writev`.
pub struct Conn<IO: Resettable> {
    io: IO,
    control: Arc<Control>,
    /// What is sent in place of hyper's own error answer, and how much of it is out.
    replacement: Option<(Vec<u8>, usize)>,
    garbage_sent: bool,
}

impl<IO: Resettable> Drop for Conn<IO> {
    fn drop(&mut self) {
        // However the connection ends (hyper may drop it without writing), a reset is a reset.
        if self.control.fault() == Some(NetworkFault::ConnectionReset) {
            self.io.reset_on_close();
        }
    }
}

impl<IO: Resettable> Conn<IO> {
    pub fn new(io: IO, control: Arc<Control>) -> Self {
        Conn {
            io,
            control,
            replacement: None,
            garbage_sent: false,
        }
    }
}

impl<IO: AsyncWrite + Resettable + Unpin> Conn<IO> {
    /// Carries out a network fault at the first byte of the answer.
    fn fail(&mut self, cx: &mut Context<'_>, fault: NetworkFault) -> Poll<io::Result<usize>> {
        match fault {
            NetworkFault::ConnectionReset => self.io.reset_on_close(),
            NetworkFault::RandomDataThenClose if !self.garbage_sent => {
                let garbage: [u8; 48] = std::array::from_fn(|_| rand::random::<u8>());
                ready!(Pin::new(&mut self.io).poll_write(cx, &garbage))?;
                self.garbage_sent = true;
            }
            _ => {}
        }
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            format!("network fault rule: {}", fault.name()),
        )))
    }

    /// Sends what is left of the replacement answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, sent)) = &mut self.replacement {
            if *sent == bytes.len() {
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
        }
        Poll::Ready(Ok(()))
    }
}

/// hyper's own answer to a request it could not parse: an error status line, without the request
/// id every answer of the mock carries.
fn automatic_error(buf: &[u8]) -> Option<u16> {
    let status = buf.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let status: u16 = std::str::from_utf8(status).ok()?.parse().ok()?;
    if !(400..500).contains(&status) {
        return None;
    }
    let ours = buf
        .windows(17)
        .any(|w| w.eq_ignore_ascii_case(b"x-acs-request-id:"));
    (!ours).then_some(status)
}

/// The Alibaba-shaped answer for hyper's status.
fn replacement(status: u16) -> Vec<u8> {
    let err = match status {
        431 => ApiError::catalog("RequestHeaderFieldsTooLarge"),
        414 => ApiError::catalog("RequestURITooLong"),
        _ => ApiError::catalog("MalformedRequest"),
    };
    let request_id = RequestId::from_words(rand::random(), rand::random());
    let rendered = render_error(Format::Json, request_id.as_str(), &err);
    let reason = match status {
        431 => "Request Header Fields Too Large",
        414 => "URI Too Long",
        _ => "Bad Request",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {}\r\ncontent-length: {}\r\nx-acs-request-id: {request_id}\r\n\
         access-control-allow-origin: *\r\nconnection: close\r\n\r\n",
        rendered.content_type,
        rendered.body.len()
    )
    .into_bytes();
    out.extend_from_slice(&rendered.body);
    out
}

impl<IO: AsyncWrite + Resettable + Unpin> AsyncWrite for Conn<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(fault) = this.control.fault() {
            return this.fail(cx, fault);
        }
        if this.replacement.is_none() {
            if let Some(status) = automatic_error(buf) {
                this.replacement = Some((replacement(status), 0));
            }
        }
        if this.replacement.is_some() {
            // hyper's bytes are swallowed; the replacement goes out in their place.
            ready!(this.drain(cx))?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.control.fault() == Some(NetworkFault::ConnectionReset) {
            // No FIN: the reset comes when the socket is dropped.
            return Poll::Ready(Ok(()));
        }
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

impl<IO: AsyncRead + Resettable + Unpin> AsyncRead for Conn<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_own_error_answers_are_replaced() {
        let hyper =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(automatic_error(hyper), Some(431));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-acs-request-id: A\r\n\r\n";
        assert_eq!(automatic_error(ours), None);
        assert_eq!(automatic_error(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        let replaced = String::from_utf8(replacement(414)).expect("text");
        assert!(
            replaced.starts_with("HTTP/1.1 414 URI Too Long\r\n"),
            "{replaced}"
        );
        assert!(
            replaced.contains(r#""Code":"RequestURITooLong""#),
            "{replaced}"
        );
        assert!(
            automatic_error(replaced.as_bytes()).is_none(),
            "a replacement is never replaced"
        );
    }
}
