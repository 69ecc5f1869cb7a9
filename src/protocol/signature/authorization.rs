//! Reading a V3 `Authorization` header:
//! `ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b;c,Signature=hex`.

use std::fmt;

use super::v3::ALGORITHM as V3_ALGORITHM;

/// The fields of a V3 `Authorization` header, borrowed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Authorization<'a> {
    pub credential: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

/// Why an `Authorization` header could not be read as a V3 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationError {
    WrongAlgorithm,
    MissingField(&'static str),
    Malformed,
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongAlgorithm => {
                write!(f, "the Authorization header does not use {V3_ALGORITHM}")
            }
            Self::MissingField(field) => {
                write!(f, "the Authorization header has no non-empty {field} field")
            }
            Self::Malformed => write!(
                f,
                "the Authorization header is not of the form \
                 `{V3_ALGORITHM} Credential=..,SignedHeaders=..,Signature=..`"
            ),
        }
    }
}

impl std::error::Error for AuthorizationError {}

/// Reads `ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b;c,Signature=hex`.
///
/// Fields may come in any order with spaces around them; unknown fields are ignored. A field
/// without `=`, or one given twice, is malformed; the three known fields must be non-empty.
pub fn parse_v3_authorization(header: &str) -> Result<V3Authorization<'_>, AuthorizationError> {
    let header = header.trim_ascii();
    let (algorithm, fields) = header
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((header, ""));
    if algorithm != V3_ALGORITHM {
        return Err(AuthorizationError::WrongAlgorithm);
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in fields
        .split(',')
        .map(str::trim_ascii)
        .filter(|f| !f.is_empty())
    {
        let (name, value) = field.split_once('=').ok_or(AuthorizationError::Malformed)?;
        let slot = match name.trim_ascii_end() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value.trim_ascii_start()).is_some() {
            return Err(AuthorizationError::Malformed);
        }
    }
    let credential = required(credential, "Credential")?;
    let listed = required(signed_headers, "SignedHeaders")?;
    let mut signed_headers = Vec::with_capacity(listed.bytes().filter(|b| *b == b';').count() + 1);
    signed_headers.extend(
        listed
            .split(';')
            .map(str::trim_ascii)
            .filter(|name| !name.is_empty()),
    );
    if signed_headers.is_empty() {
        return Err(AuthorizationError::MissingField("SignedHeaders"));
    }
    let signature = required(signature, "Signature")?;
    Ok(V3Authorization {
        credential,
        signed_headers,
        signature,
    })
}

fn required<'a>(
    value: Option<&'a str>,
    field: &'static str,
) -> Result<&'a str, AuthorizationError> {
    value
        .filter(|value| !value.is_empty())
        .ok_or(AuthorizationError::MissingField(field))
}
