//! An RPC request as the SDKs send it: parameters merged from the query string and a form body,
//! with `Action` and `Version` falling back to the `x-acs-action` / `x-acs-version` headers.

use axum::body::Bytes;
use axum::http::header::HeaderName;
use axum::http::{header, HeaderMap, Method};

use super::error::ApiError;
use super::params::Params;
use super::response::Format;

static X_ACS_ACTION: HeaderName = HeaderName::from_static("x-acs-action");
static X_ACS_VERSION: HeaderName = HeaderName::from_static("x-acs-version");
static X_ACS_ACCESSKEY_ID: HeaderName = HeaderName::from_static("x-acs-accesskey-id");

/// The parsed, decoded form of one request to `/`.
#[derive(Debug, Clone)]
pub struct RpcRequest {
    pub method: Method,
    /// Query-string parameters, form-decoded, in wire order.
    query: Params,
    /// Form-body parameters (only for `application/x-www-form-urlencoded`), form-decoded.
    form: Params,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RpcRequest {
    /// Reads a request. Only GET and POST exist on the RPC endpoint.
    pub fn parse(
        method: Method,
        raw_query: Option<&str>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Self, ApiError> {
        if method != Method::GET && method != Method::POST {
            return Err(ApiError::unsupported_method());
        }
        let query = raw_query
            .map(|q| Params::parse(q.as_bytes()))
            .unwrap_or_default();
        let form = if is_form(&headers) {
            Params::parse(&body)
        } else {
            Params::default()
        };
        Ok(RpcRequest {
            method,
            query,
            form,
            headers,
            body,
        })
    }

    /// Every parameter, query first, then body.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().chain(self.form.iter())
    }

    /// The query-string parameters alone (V3 signs them apart from the body), in wire order.
    pub fn query(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter()
    }

    /// The first value of a parameter (query before body).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// A parameter that is present and not empty.
    pub fn non_empty_param(&self, name: &str) -> Option<&str> {
        self.param(name).filter(|v| !v.is_empty())
    }

    /// A header's value, if it is visible ASCII. Name it with a `HeaderName` on hot paths: a
    /// `&str` name is parsed on every lookup.
    pub fn header<K: header::AsHeaderName>(&self, name: K) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Action` from the parameters, else the `x-acs-action` header.
    pub fn action(&self) -> Option<&str> {
        self.non_empty_param("Action")
            .or_else(|| self.header(&X_ACS_ACTION).filter(|v| !v.is_empty()))
    }

    /// `Version` from the parameters, else the `x-acs-version` header.
    pub fn version(&self) -> Option<&str> {
        self.non_empty_param("Version")
            .or_else(|| self.header(&X_ACS_VERSION).filter(|v| !v.is_empty()))
    }

    /// The response format: JSON unless `Format` says XML (any letter case).
    pub fn format(&self) -> Result<Format, ApiError> {
        match self.param("Format") {
            None | Some("") => Ok(Format::Json),
            Some(f) if f.eq_ignore_ascii_case("json") => Ok(Format::Json),
            Some(f) if f.eq_ignore_ascii_case("xml") => Ok(Format::Xml),
            Some(_) => Err(ApiError::invalid_format()),
        }
    }

    /// The format to answer in even when `Format` itself is invalid.
    pub fn format_or_json(&self) -> Format {
        self.format().unwrap_or(Format::Json)
    }

    /// The access key the caller claims: `AccessKeyId` (HMAC-SHA1), or the V3 `Credential`.
    pub fn access_key_id(&self) -> Option<&str> {
        if let Some(id) = self.non_empty_param("AccessKeyId") {
            return Some(id);
        }
        let credential = self
            .header(&header::AUTHORIZATION)
            .and_then(|auth| auth.split_once("Credential="))
            .map(|(_, rest)| rest.split([',', ' ']).next().unwrap_or(""))
            .filter(|id| !id.is_empty());
        credential.or_else(|| self.header(&X_ACS_ACCESSKEY_ID).filter(|v| !v.is_empty()))
    }

    /// `TaskId` if it is present and a valid long, surrounding spaces ignored. The one reading of
    /// it: the action, fault rules and the journal must agree on which task a request names.
    pub fn task_id(&self) -> Option<i64> {
        self.param("TaskId").and_then(|v| v.trim().parse().ok())
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    const FORM: &str = "application/x-www-form-urlencoded";
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().get(..FORM.len()))
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(FORM))
}

/// For the crate's unit tests: a GET carrying only this query string.
#[cfg(test)]
pub(crate) fn get(query: &str) -> RpcRequest {
    RpcRequest::parse(Method::GET, Some(query), HeaderMap::new(), Bytes::new())
        .expect("a GET parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        method: Method,
        query: &str,
        headers: &[(&'static str, &str)],
        body: &str,
    ) -> RpcRequest {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().expect("header value"));
        }
        RpcRequest::parse(method, Some(query), map, Bytes::from(body.to_owned())).expect("parses")
    }

    #[test]
    fn parameters_merge_query_and_form_body_with_the_query_first() {
        let form = [(
            "content-type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )];
        let req = request(
            Method::POST,
            "Action=A&TaskId=1",
            &form,
            "TaskId=2&TargetInfo=a+b%2Bc",
        );
        assert_eq!(req.param("TaskId"), Some("1"));
        assert_eq!(req.param("TargetInfo"), Some("a b+c"));
        assert_eq!(req.params().count(), 4);
    }

    #[test]
    fn the_form_content_type_matches_in_any_letter_case() {
        for content_type in [
            " Application/X-WWW-Form-URLencoded;charset=utf-8",
            "application/x-www-form-urlencoded",
        ] {
            let req = request(Method::POST, "", &[("content-type", content_type)], "A=1");
            assert_eq!(req.param("A"), Some("1"), "{content_type}");
        }
        let short = request(
            Method::POST,
            "",
            &[("content-type", "application/x")],
            "A=1",
        );
        assert_eq!(short.param("A"), None);
    }

    #[test]
    fn a_body_that_is_not_a_form_adds_no_parameters() {
        let req = request(
            Method::POST,
            "",
            &[("content-type", "application/json")],
            "TaskId=2",
        );
        assert_eq!(req.param("TaskId"), None);
    }

    #[test]
    fn action_and_version_fall_back_to_the_acs_headers() {
        let headers = [
            ("x-acs-action", "DescribeScanTaskProgress"),
            ("x-acs-version", "2018-12-03"),
        ];
        let req = request(Method::POST, "TaskId=1", &headers, "");
        assert_eq!(req.action(), Some("DescribeScanTaskProgress"));
        assert_eq!(req.version(), Some("2018-12-03"));
        let explicit = request(Method::GET, "Action=Other&Version=1", &headers, "");
        assert_eq!(
            (explicit.action(), explicit.version()),
            (Some("Other"), Some("1"))
        );
    }

    #[test]
    fn format_is_case_insensitive_and_defaults_to_json() {
        for (query, expected) in [
            ("", Ok(Format::Json)),
            ("Format=json", Ok(Format::Json)),
            ("Format=JSON", Ok(Format::Json)),
            ("Format=xml", Ok(Format::Xml)),
            ("Format=yaml", Err(ApiError::invalid_format())),
        ] {
            assert_eq!(
                request(Method::GET, query, &[], "").format(),
                expected,
                "{query}"
            );
        }
    }

    #[test]
    fn the_access_key_comes_from_the_parameter_or_the_v3_credential() {
        let v2 = request(Method::GET, "AccessKeyId=ak1", &[], "");
        assert_eq!(v2.access_key_id(), Some("ak1"));
        let auth = [(
            "authorization",
            "ACS3-HMAC-SHA256 Credential=ak2,SignedHeaders=host,Signature=00",
        )];
        assert_eq!(
            request(Method::POST, "", &auth, "").access_key_id(),
            Some("ak2")
        );
        assert_eq!(request(Method::POST, "", &[], "").access_key_id(), None);
    }

    #[test]
    fn task_ids_are_read_ignoring_surrounding_spaces() {
        for (query, expected) in [
            ("TaskId=282832", Some(282832)),
            ("TaskId=%20282832+", Some(282832)),
            ("TaskId=-1", Some(-1)),
            ("TaskId=1.5", None),
            ("TaskId=9223372036854775808", None),
            ("TaskId=", None),
        ] {
            assert_eq!(
                request(Method::GET, query, &[], "").task_id(),
                expected,
                "{query}"
            );
        }
    }

    #[test]
    fn methods_other_than_get_and_post_are_refused() {
        let err =
            RpcRequest::parse(Method::PUT, None, HeaderMap::new(), Bytes::new()).expect_err("PUT");
        assert_eq!(err.code, "UnsupportedHTTPMethod");
    }
}
