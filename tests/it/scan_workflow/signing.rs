//! A V3-signed POST whose form body is part of the signature: DescribeSuspEvents sends `TacticId`
//! in the body, so `x-acs-content-sha256` is the hash of a non-empty body, and the body must be
//! the one that was signed.

use axum::body::Body;
use axum::http::Method;
use sas_mock::fixtures::DEFAULT_FIXTURES;
use sas_mock::model::clock::format_rfc3339;
use sas_mock::protocol::signature::client::v3_authorization_header;
use sas_mock::protocol::signature::sha256_hex;
use sas_mock::settings::{AuthMode, Settings};

use crate::support::{settings, Answer, Mock};

/// Signs `signed_body` (its hash in `x-acs-content-sha256`) and sends `sent_body`.
async fn post(mock: &Mock, nonce: &str, signed_body: &str, sent_body: &str) -> Answer {
    let now = format_rfc3339(mock.state.clock.now() / 1000 * 1000);
    let hashed = sha256_hex(signed_body.as_bytes());
    let mut headers = vec![
        ("host", "127.0.0.1:8080"),
        ("content-type", "application/x-www-form-urlencoded"),
        ("x-acs-action", "DescribeSuspEvents"),
        ("x-acs-version", "2018-12-03"),
        ("x-acs-date", &now),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-content-sha256", &hashed),
    ];
    let query = vec![("PageSize".to_owned(), "10".to_owned())];
    let auth = v3_authorization_header("testid", "testsecret", "POST", &query, &headers, &hashed);
    headers.push(("authorization", &auth));
    let body = Body::from(sent_body.to_owned());
    mock.send(Method::POST, "/?PageSize=10", &headers, body)
        .await
}

#[tokio::test]
async fn a_v3_signature_over_a_form_body_verifies_and_a_changed_body_does_not() {
    let mock = Mock::with(
        Settings {
            auth: AuthMode::Strict,
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    );
    let signed = post(&mock, "b1", "TacticId=TA0002", "TacticId=TA0002").await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    assert_eq!(signed.json["PageSize"], 10);
    let journal = mock
        .admin(Method::GET, "/requests?action=DescribeSuspEvents", None)
        .await;
    let params = journal.json["requests"][0]["params"].to_string();
    assert!(params.contains(r#"["TacticId","TA0002"]"#), "{params}");
    let changed = post(&mock, "b2", "TacticId=TA0002", "TacticId=TA0003").await;
    assert_eq!(changed.code(), "SignatureDoesNotMatch");
    let unhashed = post(&mock, "b3", "", "TacticId=TA0002").await;
    assert_eq!(unhashed.code(), "SignatureDoesNotMatch");
}
