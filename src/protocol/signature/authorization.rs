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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::signature::v3;

    #[test]
    fn authorization_fields_split_on_the_first_separator_only() {
        let auth = parse_v3_authorization(
        "ACS3-HMAC-SHA256\tSignature=a=b , Credential=id,, Unknown=x,SignedHeaders= host ;;x-acs-date;",
    )
    .expect("parses");
        assert_eq!(auth.credential, "id");
        assert_eq!(auth.signature, "a=b");
        assert_eq!(auth.signed_headers, ["host", "x-acs-date"]);
        for bad in [
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=s,Oops",
            "ACS3-HMAC-SHA256 Credential=id,Credential=id,SignedHeaders=host,Signature=s",
        ] {
            assert_eq!(
                parse_v3_authorization(bad).map(|_| ()),
                Err(AuthorizationError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            parse_v3_authorization("ACS3-HMAC-SHA256 Credential=id,SignedHeaders=;,Signature=s")
                .map(|_| ()),
            Err(AuthorizationError::MissingField("SignedHeaders"))
        );
    }

    #[test]
    fn authorization_headers_are_read_tolerantly_in_any_field_order() {
        let signed_headers = vec!["host", "x-acs-date"];
        let expected = V3Authorization {
            credential: "id",
            signed_headers,
            signature: "ab12",
        };
        for header in [
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=ab12",
            "  ACS3-HMAC-SHA256   Credential=id, SignedHeaders=host;x-acs-date, Signature=ab12 ",
            "ACS3-HMAC-SHA256 Signature=ab12,Other=1,SignedHeaders=host;x-acs-date,Credential=id,",
        ] {
            assert_eq!(
                parse_v3_authorization(header),
                Ok(expected.clone()),
                "{header}"
            );
        }
    }

    #[test]
    fn authorization_headers_with_a_wrong_algorithm_or_missing_fields_are_rejected() {
        use AuthorizationError::*;
        let fields = "Credential=id,SignedHeaders=host,Signature=ab";
        for header in [
            String::new(),
            format!("AWS4-HMAC-SHA256 {fields}"),
            format!("acs3-hmac-sha256 {fields}"),
        ] {
            assert_eq!(
                parse_v3_authorization(&header),
                Err(WrongAlgorithm),
                "{header}"
            );
        }
        let cases = [
            ("", MissingField("Credential")),
            (
                "Credential=,SignedHeaders=host,Signature=ab",
                MissingField("Credential"),
            ),
            (
                "Credential=id,SignedHeaders=;,Signature=ab",
                MissingField("SignedHeaders"),
            ),
            ("Credential=id,Signature=ab", MissingField("SignedHeaders")),
            (
                "Credential=id,SignedHeaders=host",
                MissingField("Signature"),
            ),
            ("Credential=id,SignedHeaders=host,Signature", Malformed),
            (
                "Credential=a,Credential=b,SignedHeaders=host,Signature=ab",
                Malformed,
            ),
        ];
        for (fields, error) in cases {
            let header = format!("{} {fields}", v3::ALGORITHM);
            assert_eq!(parse_v3_authorization(&header), Err(error), "{header}");
        }
        let missing = "the Authorization header has no non-empty Signature field";
        assert_eq!(MissingField("Signature").to_string(), missing);
        assert!(WrongAlgorithm.to_string().contains(v3::ALGORITHM));
        assert!(Malformed
            .to_string()
            .contains("Credential=..,SignedHeaders=..,Signature=.."));
    }
}
