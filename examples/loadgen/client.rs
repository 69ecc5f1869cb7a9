//! A minimal keep-alive HTTP/1.1 client: one request in flight per connection, latency measured
//! from the first byte written to the last byte of the answer read.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::requests::Builder;

/// No single answer may take longer than this; a stuck server ends the run instead of hanging it.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// When to stop: a deadline, and optionally a total number of requests.
pub struct Limits {
    /// Requests that start before this are not counted (warm-up).
    pub measure_from: Instant,
    pub deadline: Instant,
    /// Requests left for all connections together (`u64::MAX` for no limit).
    pub remaining: AtomicU64,
}

impl Limits {
    fn take_one(&self) -> bool {
        Instant::now() < self.deadline
            && self
                .remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
    }
}

/// What one connection saw.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Latency of every counted request, in microseconds.
    pub micros: Vec<u32>,
    /// Counted answers whose status was not 200.
    pub errors: u64,
    pub first_error: Option<String>,
}

/// Drives one connection until the limits say stop.
pub async fn connection(
    addr: SocketAddr,
    builder: Arc<Builder>,
    conn: usize,
    limits: Arc<Limits>,
) -> io::Result<Outcome> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut outcome = Outcome::default();
    let (mut request, mut buf) = (Vec::with_capacity(2048), Vec::with_capacity(8192));
    let mut writer = builder.writer(conn);
    let mut n = 0u64;
    while limits.take_one() {
        writer.build(n, &mut request);
        n += 1;
        let started = Instant::now();
        stream.write_all(&request).await?;
        let (status, len) = read_response(&mut stream, &mut buf).await?;
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        if started >= limits.measure_from {
            outcome.micros.push(micros);
            if status != 200 {
                outcome.errors += 1;
                if outcome.first_error.is_none() {
                    let text = String::from_utf8_lossy(&buf[..len]).into_owned();
                    outcome.first_error = Some(text);
                }
            }
        }
        buf.drain(..len);
    }
    Ok(outcome)
}

/// Reads one whole answer into `buf`; returns its status and its length in `buf`.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<(u16, usize)> {
    loop {
        if let Some(head) = find(buf, b"\r\n\r\n") {
            let (status, body) = parse_head(&buf[..head])?;
            let total = head + 4 + body;
            if buf.len() >= total {
                return Ok((status, total));
            }
        }
        let read = tokio::time::timeout(READ_TIMEOUT, stream.read_buf(buf)).await;
        match read {
            Ok(Ok(0)) => return Err(io::Error::other("the server closed the connection")),
            Ok(Ok(_)) => {}
            Ok(Err(err)) => return Err(err),
            Err(_) => return Err(io::Error::other("no answer within 5 s")),
        }
    }
}

/// Status and Content-Length of an answer head. The mock (hyper) writes `HTTP/1.1 NNN` and a
/// lower-case `content-length: N`, which is read without splitting the head; anything else takes
/// the general path.
fn parse_head(head: &[u8]) -> io::Result<(u16, usize)> {
    const LENGTH: &[u8] = b"\r\ncontent-length: ";
    let status = head.get(9..12).and_then(digits);
    let length = find(head, LENGTH).and_then(|at| {
        let rest = &head[at + LENGTH.len()..];
        let end = rest.iter().position(|b| *b == b'\r').unwrap_or(rest.len());
        digits(&rest[..end])
    });
    if head.starts_with(b"HTTP/1.1 ") {
        if let (Some(status), Some(length)) = (status, length) {
            return Ok((u16::try_from(status).unwrap_or(0), length));
        }
    }
    parse_head_slowly(head)
}

fn digits(text: &[u8]) -> Option<usize> {
    if text.is_empty() || text.len() > 12 {
        return None;
    }
    text.iter().try_fold(0usize, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + usize::from(b - b'0'))
    })
}

fn parse_head_slowly(head: &[u8]) -> io::Result<(u16, usize)> {
    let text = std::str::from_utf8(head).map_err(|_| io::Error::other("non-UTF-8 head"))?;
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other(format!("bad status line in {text:?}")))?;
    let length = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .ok_or_else(|| io::Error::other("answer without Content-Length"))?;
    Ok((status, length))
}

/// The first position of `needle` (non-empty) in `haystack`. Looks at the needle's last byte
/// first and skips ahead when that byte is not in the needle at all, which is most of the time.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let last = needle.len().checked_sub(1)?;
    let mut at = last;
    while let Some(&byte) = haystack.get(at) {
        if !needle.contains(&byte) {
            at += needle.len();
        } else {
            let start = at - last;
            if haystack[start..=at] == *needle {
                return Some(start);
            }
            at += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_a_plain_search() {
        let texts: [&[u8]; 5] = [
            b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\nbody",
            b"\r\n\r\n",
            b"\r\r\n\r\r\n\r\n\r\n",
            b"no end here\r\n",
            b"",
        ];
        for text in texts {
            for needle in [&b"\r\n\r\n"[..], b"\r\ncontent-length: ", b"x"] {
                let plain = text.windows(needle.len()).position(|w| w == needle);
                assert_eq!(find(text, needle), plain, "{text:?} {needle:?}");
            }
        }
    }

    #[test]
    fn heads_are_read_on_both_paths() {
        let fast = b"HTTP/1.1 403 Forbidden\r\ncontent-type: x\r\ncontent-length: 120\r\ndate: d";
        assert_eq!(parse_head(fast).expect("parses"), (403, 120));
        let slow = b"HTTP/1.0 200 OK\r\nContent-Length:  7";
        assert_eq!(parse_head(slow).expect("parses"), (200, 7));
    }
}
