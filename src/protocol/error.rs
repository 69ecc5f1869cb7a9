//! The one error type behind every error response, and the catalog of Alibaba's error codes.

use std::borrow::Cow;
use std::fmt;

/// An error as the gateway or the service would answer it: HTTP status, `Code` and `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
    /// Why, in words, for the log line and the journal only: the body keeps the production
    /// message (`IllegalParam` says just "Illegal param").
    pub reason: Option<String>,
    /// Milliseconds to send as `x-acs-retry-after` (flow control).
    pub retry_after_millis: Option<u64>,
    /// The mock's own error (admin API), not one the emulated service would answer.
    pub own: bool,
    /// Text for the body's `Recommend` in place of the troubleshooting link (a suggestion).
    pub recommend: Option<String>,
}

/// A catalog entry: a code the real gateway or Sas answers, with its status and exact message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogEntry {
    pub code: &'static str,
    pub status: u16,
    pub message: &'static str,
}

const fn entry(code: &'static str, status: u16, message: &'static str) -> CatalogEntry {
    CatalogEntry {
        code,
        status,
        message,
    }
}

/// Every code a fault rule may name by itself. Messages are the production strings where known.
pub const CATALOG: &[CatalogEntry] = &[
    entry("NoPermission", 403, "caller has no permission"),
    entry("ServerError", 500, "ServerError"),
    entry("IllegalParam", 400, "Illegal param"),
    entry("InternalError", 500, "The request processing has failed due to some unknown error, exception or failure."),
    entry("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
    entry("Throttling", 400, "Request was denied due to request throttling."),
    entry("Throttling.User", 400, "Request was denied due to user flow control."),
    entry("Throttling.Api", 400, "Request was denied due to api flow control."),
    entry("Forbidden", 403, "User not authorized to operate on the specified resource."),
    entry("Forbidden.RAM", 403, "User not authorized to operate on the specified resource, or this API doesn't support RAM."),
    entry("InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."),
    entry("InvalidApi.NotFound", 404, "Specified api is not found, please check your url and method."),
    entry("InvalidVersion", 400, "Specified parameter Version is not valid."),
    entry("InvalidParameter", 400, "The specified parameter is not valid."),
    entry("InvalidParameter.Format", 400, "Specified parameter format is not valid."),
    entry("UnsupportedHTTPMethod", 400, "This http method not supported."),
    entry("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."),
    entry("SignatureDoesNotMatch", 400, "Specified signature is not matched with our calculation."),
    entry("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
    entry("InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled."),
    entry("InvalidSecurityToken.Expired", 400, "Specified SecurityToken is expired."),
    entry("SignatureNonceUsed", 400, "Specified signature nonce was used already."),
    entry("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."),
    entry("InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."),
    entry("InvalidSignatureMethod", 400, "Specified signature method is not valid."),
    entry("InvalidTaskId.NotFound", 404, "The specified TaskId does not exist."),
    entry("RequestEntityTooLarge", 413, "The request body is larger than the server accepts."),
    entry("RequestTimeout", 408, "The request body was not received in time."),
    entry("RequestHeaderFieldsTooLarge", 431, "The request has too many headers or headers too large (at most 100 headers and 400 KiB)."),
    entry("RequestURITooLong", 414, "The request URI is longer than 65534 bytes: send long parameters in a POST form body."),
    entry("MalformedRequest", 400, "The request is not well-formed HTTP/1.1."),
    entry("QuotaExceeded.Tasks", 400, "The account holds as many tasks as --max-tasks allows."),
];

impl ApiError {
    pub fn new(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            reason: None,
            retry_after_millis: None,
            own: false,
            recommend: None,
        }
    }

    /// The same error, with the reason the log and the journal show.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// The catalog error with this code, if there is one (codes are matched exactly).
    pub fn from_catalog(code: &str) -> Option<Self> {
        CATALOG
            .iter()
            .find(|e| e.code == code)
            .map(|e| ApiError::new(e.status, e.code, e.message))
    }

    /// The catalog error with this code; a code missing from the catalog is a bug, answered as a
    /// 500 naming it.
    pub fn catalog(code: &'static str) -> Self {
        Self::from_catalog(code).unwrap_or_else(|| ApiError::new(500, code, code))
    }

    pub fn no_permission() -> Self {
        Self::catalog("NoPermission")
    }
    pub fn illegal_param() -> Self {
        Self::catalog("IllegalParam")
    }
    pub fn internal() -> Self {
        Self::catalog("InternalError")
    }
    pub fn action_not_found() -> Self {
        Self::catalog("InvalidAction.NotFound")
    }
    /// `InvalidAction.NotFound` for an action name the catalog does not have, recommending the
    /// closest one when there is one.
    pub fn unknown_action(name: &str) -> Self {
        let mut err =
            Self::action_not_found().because(format!("no action {name:?} in Sas 2018-12-03"));
        err.recommend = super::catalog::nearest(name).map(|near| format!("Did you mean {near}?"));
        err
    }
    /// A catalogued action the mock neither emulates nor has a stub for: its own 501.
    pub fn not_emulated(action: &str) -> Self {
        ApiError {
            own: true,
            ..ApiError::new(
                501,
                "NotImplemented",
                format!(
                    "sas-mock does not emulate {action} (an action of Sas 2018-12-03): give it a stub, \
                     {{\"action\": \"{action}\", \"response\": {{...}}}} under \"stubs\" in a fixture \
                     file or POSTed to /__admin/stubs (README, section \"Stubs\")"
                ),
            )
        }
    }
    pub fn api_not_found() -> Self {
        Self::catalog("InvalidApi.NotFound")
    }
    pub fn invalid_version() -> Self {
        Self::catalog("InvalidVersion")
    }
    pub fn invalid_format() -> Self {
        Self::catalog("InvalidParameter.Format")
    }
    pub fn unsupported_method() -> Self {
        Self::catalog("UnsupportedHTTPMethod")
    }
    pub fn task_not_found() -> Self {
        Self::catalog("InvalidTaskId.NotFound")
    }
    pub fn body_too_large(limit: usize) -> Self {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!("The request body is larger than {limit} bytes."),
        )
    }

    /// A body that broke off or was malformed (chunked encoding) on the wire.
    pub fn body_unreadable() -> Self {
        ApiError::new(
            400,
            "InvalidBody.Unreadable",
            "The request body could not be read: the connection broke off or its encoding was malformed.",
        )
    }

    pub fn body_timeout(timeout: std::time::Duration) -> Self {
        ApiError::new(
            408,
            "RequestTimeout",
            format!("The request body was not received within {timeout:?}."),
        )
    }

    /// `Missing<Name>`, the current gateway's answer for an absent required parameter.
    pub fn missing(name: &str) -> Self {
        ApiError::new(
            400,
            format!("Missing{name}"),
            format!("{name} is mandatory for this action."),
        )
    }

    /// `InvalidParameter` for a value of the wrong type.
    pub fn invalid_parameter(name: &str) -> Self {
        ApiError::new(
            400,
            "InvalidParameter",
            format!("Specified parameter {name} is not valid."),
        )
    }

    /// An admin API error: same shape as the RPC errors, with the mock's own codes.
    pub fn admin(status: u16, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError {
            own: true,
            ..ApiError::new(status, code, message)
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_sas_errors_have_their_exact_status_and_message() {
        let cases = [
            ("NoPermission", 403, "caller has no permission"),
            ("ServerError", 500, "ServerError"),
            ("IllegalParam", 400, "Illegal param"),
            (
                "InvalidAction.NotFound",
                404,
                "Specified api is not found, please check your url and method.",
            ),
        ];
        for (code, status, message) in cases {
            let err = ApiError::from_catalog(code).expect(code);
            assert_eq!(
                (err.status, err.message.as_ref()),
                (status, message),
                "{code}"
            );
        }
    }

    #[test]
    fn catalog_codes_are_unique_and_statuses_are_errors() {
        for (i, e) in CATALOG.iter().enumerate() {
            assert!((400..600).contains(&e.status), "{}", e.code);
            assert!(
                CATALOG[i + 1..].iter().all(|other| other.code != e.code),
                "{} twice",
                e.code
            );
        }
    }

    #[test]
    fn missing_and_invalid_parameters_name_the_parameter() {
        let missing = ApiError::missing("TaskId");
        assert_eq!(
            (missing.code.as_ref(), missing.message.as_ref()),
            ("MissingTaskId", "TaskId is mandatory for this action.")
        );
        let invalid = ApiError::invalid_parameter("TaskId");
        assert_eq!(invalid.message, "Specified parameter TaskId is not valid.");
    }
}
