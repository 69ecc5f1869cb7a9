//! Who is calling, and whether to believe them: the `--auth` modes over the two signature schemes.
//!
//! * `off`: nothing is checked; `AccessKeyId` (or a V3 credential) only selects the account.
//! * `lenient`: unsigned requests pass (the account of the `AccessKeyId` they name, else the
//!   default one); requests signed by a fixture key are verified exactly as in `strict`; requests
//!   signed by an unknown key pass into that key's own account.
//! * `strict`: every request must be signed by a fixture key.
//!
//! Verification follows the gateway's order: key, signature method, timestamp, signature, STS
//! token, then the nonce (recorded only once the signature is proven, so forgeries cannot burn
//! nonces).

use axum::http::header::{HeaderName, AUTHORIZATION};

use crate::model::clock::{parse_rfc3339, Millis};
use crate::protocol::signature::{
    parse_v3_authorization, sha256_hex, signatures_match, v2, v3, V3Authorization,
};
use crate::protocol::{ApiError, RpcRequest};
use crate::settings::AuthMode;
use crate::state::accounts::{caller_with_key, AccessKey, Caller, Keys};
use crate::state::nonces::{NonceStore, NONCE_WINDOW_MILLIS};

static X_ACS_DATE: HeaderName = HeaderName::from_static("x-acs-date");
static X_ACS_SIGNATURE_NONCE: HeaderName = HeaderName::from_static("x-acs-signature-nonce");
static X_ACS_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-acs-security-token");

/// What verification needs besides the request.
pub struct AuthContext<'a> {
    pub mode: AuthMode,
    pub keys: &'a Keys,
    pub nonces: &'a NonceStore,
    /// The mock's clock, for nonce expiry.
    pub now: Millis,
    /// The time request timestamps are judged against; `None` skips the check.
    pub stamp_now: Option<Millis>,
}

/// How a request is signed, as the journal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Unsigned,
    V2,
    V3,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Unsigned => "unsigned",
            Scheme::V2 => "v2",
            Scheme::V3 => "v3",
        }
    }
}

/// What a request presents: no signature, an HMAC-SHA1 one by a key, or a V3 header.
enum Presented<'a> {
    Unsigned,
    HmacSha1 { access_key_id: &'a str },
    V3 { header: &'a str },
}

/// A signed request's scheme, with the V3 header read once.
enum Signed<'a> {
    HmacSha1,
    V3(V3Authorization<'a>),
}

fn presented(req: &RpcRequest) -> Result<Presented<'_>, ApiError> {
    if let Some(header) = req
        .header(&AUTHORIZATION)
        .filter(|h| h.starts_with("ACS3-"))
    {
        return Ok(Presented::V3 { header });
    }
    let signed = req.param("Signature").is_some() || req.param("SignatureMethod").is_some();
    match (req.non_empty_param("AccessKeyId"), signed) {
        (Some(access_key_id), true) => Ok(Presented::HmacSha1 { access_key_id }),
        (None, true) => Err(ApiError::missing("AccessKeyId")),
        (_, false) => Ok(Presented::Unsigned),
    }
}

/// The scheme a request is signed with, as far as it can be told (for the journal).
pub fn scheme(req: &RpcRequest) -> Scheme {
    match presented(req) {
        Ok(Presented::V3 { .. }) => Scheme::V3,
        Ok(Presented::HmacSha1 { .. }) | Err(_) => Scheme::V2,
        Ok(Presented::Unsigned) => Scheme::Unsigned,
    }
}

/// Identifies the caller, verifying the signature as the mode demands.
pub fn authenticate(req: &RpcRequest, ctx: &AuthContext<'_>) -> Result<Caller, ApiError> {
    if ctx.mode == AuthMode::Off {
        return Ok(ctx.keys.caller(req.access_key_id()));
    }
    let (access_key_id, signed) = match presented(req)? {
        Presented::Unsigned if ctx.mode == AuthMode::Strict => {
            return Err(ApiError::missing("AccessKeyId"))
        }
        Presented::Unsigned => return Ok(ctx.keys.caller(req.non_empty_param("AccessKeyId"))),
        Presented::HmacSha1 { access_key_id } => (access_key_id, Signed::HmacSha1),
        Presented::V3 { header } => {
            let algorithm_then_space = header
                .strip_prefix(v3::ALGORITHM)
                .is_some_and(|rest| rest.starts_with(' '));
            if !algorithm_then_space {
                return Err(ApiError::catalog("InvalidSignatureMethod"));
            }
            let auth = parse_v3_authorization(header)
                .map_err(|_| incomplete(&v3::string_to_sign(&v3_canonical(req, None))))?;
            (auth.credential, Signed::V3(auth))
        }
    };
    let Some(key) = ctx.keys.get(access_key_id) else {
        return match ctx.mode {
            AuthMode::Strict => Err(ApiError::catalog("InvalidAccessKeyId.NotFound")),
            _ => Ok(ctx.keys.caller(Some(access_key_id))),
        };
    };
    verify_known(req, key, &signed, ctx)?;
    Ok(caller_with_key(key))
}

fn verify_known(
    req: &RpcRequest,
    key: &AccessKey,
    signed: &Signed<'_>,
    ctx: &AuthContext<'_>,
) -> Result<(), ApiError> {
    if !key.active {
        return Err(ApiError::catalog("InvalidAccessKeyId.Inactive"));
    }
    let (nonce, token) = match signed {
        Signed::V3(auth) => {
            verify_v3(req, key, auth, ctx.stamp_now)?;
            (
                req.header(&X_ACS_SIGNATURE_NONCE),
                req.header(&X_ACS_SECURITY_TOKEN),
            )
        }
        Signed::HmacSha1 => {
            verify_hmac_sha1(req, key, ctx.stamp_now)?;
            (req.param("SignatureNonce"), req.param("SecurityToken"))
        }
    };
    check_token(key, token)?;
    let nonce = nonce
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::missing("SignatureNonce"))?;
    if !ctx.nonces.check_and_insert(&key.id, nonce, ctx.now) {
        return Err(ApiError::catalog("SignatureNonceUsed"));
    }
    Ok(())
}

fn verify_hmac_sha1(
    req: &RpcRequest,
    key: &AccessKey,
    now: Option<Millis>,
) -> Result<(), ApiError> {
    match req.param("SignatureMethod") {
        None | Some("") => return Err(ApiError::missing("SignatureMethod")),
        Some("HMAC-SHA1") => {}
        Some(_) => return Err(ApiError::catalog("InvalidSignatureMethod")),
    }
    let timestamp = req
        .non_empty_param("Timestamp")
        .ok_or_else(|| ApiError::missing("Timestamp"))?;
    check_time(timestamp, now)?;
    let server_string = v2::string_to_sign(req.method.as_str(), req.params());
    let presented = req
        .param("Signature")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| incomplete(&server_string))?;
    if !key.signing.v2_verify(&server_string, presented) {
        return Err(mismatch(&server_string));
    }
    Ok(())
}

fn verify_v3(
    req: &RpcRequest,
    key: &AccessKey,
    auth: &V3Authorization<'_>,
    now: Option<Millis>,
) -> Result<(), ApiError> {
    let date = req.header(&X_ACS_DATE).filter(|d| !d.is_empty());
    let canonical = v3_canonical(req, Some(&auth.signed_headers));
    let Some(date) = date else {
        return Err(incomplete(&v3::string_to_sign(&canonical)));
    };
    check_time(date, now)?;
    let string_to_sign = v3::string_to_sign(&canonical);
    if !key.signing.v3_verify(&string_to_sign, auth.signature) {
        return Err(mismatch(&string_to_sign));
    }
    Ok(())
}

/// The V3 canonical request the server computes, over the headers the request says it signed
/// (or, when the header is unreadable, the minimal documented set).
fn v3_canonical(req: &RpcRequest, signed: Option<&[&str]>) -> String {
    let headers: Vec<(&str, &str)> = (req.headers.iter())
        .map(|(name, value)| {
            let value = std::str::from_utf8(value.as_bytes()).unwrap_or("");
            (name.as_str(), value)
        })
        .collect();
    v3::canonical_request(
        req.method.as_str(),
        req.query(),
        &headers,
        signed.unwrap_or(&v3::MINIMAL_SIGNED_HEADERS),
        &sha256_hex(&req.body),
    )
}

fn check_time(text: &str, now: Option<Millis>) -> Result<(), ApiError> {
    let at = parse_rfc3339(text).ok_or_else(|| ApiError::catalog("InvalidTimeStamp.Format"))?;
    if now.is_some_and(|now| (now - at).abs() > NONCE_WINDOW_MILLIS) {
        return Err(ApiError::catalog("InvalidTimeStamp.Expired"));
    }
    Ok(())
}

fn check_token(key: &AccessKey, token: Option<&str>) -> Result<(), ApiError> {
    match (&key.security_token, token.filter(|t| !t.is_empty())) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(ApiError::missing("SecurityToken")),
        (Some(expected), Some(given)) if signatures_match(expected, given) => Ok(()),
        (Some(_), Some(_)) => Err(ApiError::new(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        )),
    }
}

fn mismatch(server_string: &str) -> ApiError {
    ApiError::new(400, "SignatureDoesNotMatch", format!("Specified signature is not matched with our calculation. server string to sign is:{server_string}"))
}

fn incomplete(server_string: &str) -> ApiError {
    ApiError::new(400, "IncompleteSignature", format!("The request signature does not conform to Aliyun standards. server string to sign is:{server_string}"))
}
