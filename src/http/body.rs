//! Reading a request body within the size limit and the body timeout.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::http::HeaderMap;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::protocol::ApiError;

/// The whole body, refusing more than `limit` bytes (413), bodies that take longer than `timeout`
/// to arrive (408) and bodies that break off or are malformed on the wire (400).
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ApiError::body_too_large(limit));
    }
    let collected = tokio::time::timeout(timeout, Limited::new(body, limit).collect())
        .await
        .map_err(|_| ApiError::body_timeout(timeout))?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<LengthLimitError>() => Err(ApiError::body_too_large(limit)),
        // The connection broke mid-body, or its chunked encoding was malformed.
        Err(_) => Err(ApiError::body_unreadable()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_that_breaks_off_is_unreadable_not_too_large() {
        let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![
            Ok(b"TaskId=1"),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "gone",
            )),
        ];
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let err = read_body(&HeaderMap::new(), body, 1024, Duration::from_secs(1))
            .await
            .expect_err("a broken body");
        assert_eq!(
            (err.status, err.code.as_ref()),
            (400, "InvalidBody.Unreadable")
        );

        let body = Body::from(vec![b'a'; 2048]);
        let err = read_body(&HeaderMap::new(), body, 1024, Duration::from_secs(1))
            .await
            .expect_err("too large");
        assert_eq!(
            (err.status, err.code.as_ref()),
            (413, "RequestEntityTooLarge")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_slower_than_the_timeout_is_refused_with_408() {
        let never = futures_util::stream::pending::<Result<&'static [u8], std::io::Error>>();
        let err = read_body(
            &HeaderMap::new(),
            Body::from_stream(never),
            1024,
            Duration::from_secs(3),
        )
        .await
        .expect_err("too slow");
        assert_eq!((err.status, err.code.as_ref()), (408, "RequestTimeout"));
    }
}
