//! Signature checking in every auth mode, with real SDK requests and hand-signed ones.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use sas_mock::fixtures::DEFAULT_FIXTURES;
use sas_mock::model::clock::{format_rfc3339, parse_rfc3339};
use sas_mock::protocol::encoding::encode_pairs;
use sas_mock::protocol::signature::client::{pairs, sign_v2_params, v3_authorization_header};
use sas_mock::protocol::signature::EMPTY_SHA256;
use sas_mock::settings::{AuthMode, Settings};
use serde_json::{json, Value};

use crate::support::{settings, Answer, Mock};

const VECTORS: &str = include_str!("../vectors/signature-vectors.json");
const STS_FIXTURE: &str = r#"{"accounts": [{"accessKeyId": "testid", "accessKeySecret": "testsecret", "accountId": "1", "securityToken": "testststoken"}]}"#;
const EXTRA_KEYS: &str = r#"{"accounts": [
    {"accessKeyId": "sleepy", "accessKeySecret": "s", "accountId": "9", "active": false},
    {"accessKeyId": "STS.k", "accessKeySecret": "s", "accountId": "9", "securityToken": "tok"}]}"#;

fn strict() -> Mock {
    Mock::with(
        Settings {
            auth: AuthMode::Strict,
            ..settings()
        },
        &[DEFAULT_FIXTURES, EXTRA_KEYS],
    )
}

/// Replays one recorded SDK request with the mock's clock set to when it was made.
async fn replay(mock: &Mock, vector: &Value) -> Answer {
    let headers: Vec<(String, String)> = vector["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_owned(),
                h[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let target = vector["target"].as_str().unwrap();
    let date = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-acs-date"))
        .map(|(_, v)| v.clone());
    let stamp = date.unwrap_or_else(|| {
        let encoded = target
            .split("Timestamp=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        encoded.replace("%3A", ":")
    });
    mock.admin(Method::POST, "/clock", Some(json!({"set": stamp})))
        .await;
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("content-length"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let method = Method::from_bytes(vector["method"].as_str().unwrap().as_bytes()).unwrap();
    mock.send(
        method,
        target,
        &refs,
        vector["body"].as_str().unwrap().to_owned(),
    )
    .await
}

#[tokio::test]
async fn every_recorded_sdk_request_is_accepted_in_strict_mode() {
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).unwrap();
    for vector in &vectors {
        let sts = vector["target"].as_str().unwrap().contains("SecurityToken")
            || vector["headers"]
                .to_string()
                .contains("x-acs-security-token");
        let fixture = if sts { STS_FIXTURE } else { DEFAULT_FIXTURES };
        let mock = Mock::with(
            Settings {
                auth: AuthMode::Strict,
                ..settings()
            },
            &[fixture],
        );
        let answer = replay(&mock, vector).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{} {}: {}",
            vector["sdk"],
            vector["scheme"],
            answer.text
        );
        let again = replay(&mock, vector).await;
        assert_eq!(
            again.code(),
            "SignatureNonceUsed",
            "a replayed request is refused"
        );
    }
}

#[tokio::test]
async fn a_wrong_secret_shows_the_servers_string_to_sign() {
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).unwrap();
    let fixture = r#"{"accounts": [{"accessKeyId": "testid", "accessKeySecret": "not-the-secret", "accountId": "1"}]}"#;
    for vector in vectors.iter().filter(|v| {
        v["scheme"].as_str().unwrap().starts_with("HMAC")
            && !v["target"].as_str().unwrap().contains("SecurityToken")
    }) {
        for auth in [AuthMode::Strict, AuthMode::Lenient] {
            let mock = Mock::with(Settings { auth, ..settings() }, &[fixture]);
            let answer = replay(&mock, vector).await;
            assert_eq!(
                (answer.status.as_u16(), answer.code()),
                (400, "SignatureDoesNotMatch")
            );
            let expected = format!("Specified signature is not matched with our calculation. server string to sign is:{}", vector["string_to_sign"].as_str().unwrap());
            assert_eq!(answer.json["Message"], expected.as_str());
        }
    }
}

/// Builds an HMAC-SHA1-signed GET query for the mock's current time.
fn v2_query(mock: &Mock, key: &str, secret: &str, nonce: &str, extra: &[(&str, &str)]) -> String {
    let now = format_rfc3339(mock.state.clock.now() / 1000 * 1000);
    let mut params: Vec<(String, String)> = [
        ("AccessKeyId", key),
        ("Action", "DescribeScanTaskProgress"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("TaskId", "100003"),
        ("Timestamp", now.as_str()),
        ("Version", "2018-12-03"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (name, value) in extra {
        params.retain(|(k, _)| k != name);
        if !value.is_empty() {
            params.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    sign_v2_params("GET", &mut params, secret);
    format!("/?{}", encode_pairs(pairs(&params)))
}

async fn v2(mock: &Mock, key: &str, secret: &str, nonce: &str, extra: &[(&str, &str)]) -> Answer {
    let uri = v2_query(mock, key, secret, nonce, extra);
    mock.send(Method::GET, &uri, &[], Body::empty()).await
}

async fn v3(
    mock: &Mock,
    key: &str,
    secret: &str,
    nonce: &str,
    date: Option<&str>,
    token: Option<&str>,
) -> Answer {
    let now = format_rfc3339(mock.state.clock.now() / 1000 * 1000);
    let mut headers = vec![
        ("host", "127.0.0.1:8080"),
        ("x-acs-action", "DescribeScanTaskProgress"),
        ("x-acs-version", "2018-12-03"),
        ("x-acs-date", date.unwrap_or(&now)),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-content-sha256", EMPTY_SHA256),
    ];
    if let Some(token) = token {
        headers.push(("x-acs-security-token", token));
    }
    let query = vec![("TaskId".to_owned(), "100003".to_owned())];
    let auth = v3_authorization_header(key, secret, "POST", &query, &headers, EMPTY_SHA256);
    headers.push(("authorization", &auth));
    mock.send(Method::POST, "/?TaskId=100003", &headers, Body::empty())
        .await
}

#[tokio::test]
async fn hand_signed_requests_pass_in_both_schemes_and_tampering_fails() {
    let mock = strict();
    assert_eq!(
        v2(&mock, "testid", "testsecret", "n1", &[])
            .await
            .progress(),
        "Success"
    );
    assert_eq!(
        v3(&mock, "testid", "testsecret", "n2", None, None)
            .await
            .progress(),
        "Success"
    );
    let tampered = v2_query(&mock, "testid", "testsecret", "n3", &[])
        .replace("TaskId=100003", "TaskId=100004");
    assert_eq!(
        mock.send(Method::GET, &tampered, &[], Body::empty())
            .await
            .code(),
        "SignatureDoesNotMatch"
    );
    let v3_wrong = v3(&mock, "testid", "wrong", "n4", None, None).await;
    assert_eq!(v3_wrong.code(), "SignatureDoesNotMatch");
    assert!(
        v3_wrong.json["Message"]
            .as_str()
            .unwrap()
            .contains("server string to sign is:ACS3-HMAC-SHA256\n"),
        "{}",
        v3_wrong.text
    );
}

#[tokio::test]
async fn the_gateways_credential_errors_have_their_codes_and_statuses() {
    let mock = strict();
    let cases = [
        (
            v2(&mock, "nobody", "x", "a1", &[]).await,
            404,
            "InvalidAccessKeyId.NotFound",
        ),
        (
            v2(&mock, "sleepy", "s", "a2", &[]).await,
            400,
            "InvalidAccessKeyId.Inactive",
        ),
        (
            v2(
                &mock,
                "testid",
                "testsecret",
                "a3",
                &[("SignatureMethod", "HMAC-SHA256")],
            )
            .await,
            400,
            "InvalidSignatureMethod",
        ),
        (
            v2(
                &mock,
                "testid",
                "testsecret",
                "a4",
                &[("Timestamp", "yesterday")],
            )
            .await,
            400,
            "InvalidTimeStamp.Format",
        ),
        (
            v2(
                &mock,
                "testid",
                "testsecret",
                "a5",
                &[("Timestamp", "2020-01-01T00:00:00Z")],
            )
            .await,
            400,
            "InvalidTimeStamp.Expired",
        ),
        (
            v2(&mock, "testid", "testsecret", "", &[("SignatureNonce", "")]).await,
            400,
            "MissingSignatureNonce",
        ),
        (
            v2(&mock, "STS.k", "s", "a6", &[]).await,
            400,
            "MissingSecurityToken",
        ),
        (
            v2(&mock, "STS.k", "s", "a7", &[("SecurityToken", "other")]).await,
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
        ),
        (
            v3(
                &mock,
                "testid",
                "testsecret",
                "a8",
                Some("2020-01-01T00:00:00Z"),
                None,
            )
            .await,
            400,
            "InvalidTimeStamp.Expired",
        ),
        (mock.describe(100003).await, 400, "MissingAccessKeyId"),
    ];
    for (answer, status, code) in cases {
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (status, code),
            "{}",
            answer.text
        );
    }
    let action = [
        ("x-acs-action", "DescribeScanTaskProgress"),
        ("x-acs-version", "2018-12-03"),
    ];
    let sm3 = mock
        .send(
            Method::POST,
            "/?TaskId=1",
            &[
                action[0],
                action[1],
                (
                    "authorization",
                    "ACS3-HMAC-SM3 Credential=testid,SignedHeaders=host,Signature=00",
                ),
            ],
            Body::empty(),
        )
        .await;
    assert_eq!(sm3.code(), "InvalidSignatureMethod");
    let broken = mock
        .send(
            Method::POST,
            "/?TaskId=1",
            &[
                action[0],
                action[1],
                ("authorization", "ACS3-HMAC-SHA256 Credential=testid"),
            ],
            Body::empty(),
        )
        .await;
    assert_eq!(broken.code(), "IncompleteSignature");
    assert!(broken.json["Message"].as_str().unwrap().starts_with(
        "The request signature does not conform to Aliyun standards. server string to sign is:"
    ));
}

#[tokio::test]
async fn sts_credentials_work_with_their_token_in_both_schemes() {
    let mock = strict();
    assert_eq!(
        v2(&mock, "STS.k", "s", "t1", &[("SecurityToken", "tok")])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        v3(&mock, "STS.k", "s", "t2", None, Some("tok"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn nonces_are_remembered_for_fifteen_minutes_of_the_mocks_clock() {
    let mock = strict();
    assert_eq!(
        v2(&mock, "testid", "testsecret", "same", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        v2(&mock, "testid", "testsecret", "same", &[]).await.code(),
        "SignatureNonceUsed"
    );
    assert_eq!(
        v3(&mock, "testid", "testsecret", "same", None, None)
            .await
            .code(),
        "SignatureNonceUsed"
    );
    mock.advance("15m").await;
    assert_eq!(
        v2(&mock, "testid", "testsecret", "same", &[]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn timestamps_are_judged_by_the_mocks_clock_fifteen_minutes_either_way() {
    let mock = strict();
    mock.admin(
        Method::POST,
        "/clock",
        Some(json!({"set": "2026-06-01T12:00:00Z"})),
    )
    .await;
    let now = mock.state.clock.now();
    for (offset, ok) in [
        (-15 * 60_000, true),
        (15 * 60_000, true),
        (-15 * 60_000 - 1000, false),
        (15 * 60_000 + 1000, false),
    ] {
        let stamp = format_rfc3339((now + offset) / 1000 * 1000);
        assert!(parse_rfc3339(&stamp).is_some());
        let answer = v3(
            &mock,
            "testid",
            "testsecret",
            &format!("skew{offset}"),
            Some(&stamp),
            None,
        )
        .await;
        assert_eq!(
            answer.status == StatusCode::OK,
            ok,
            "offset {offset}: {}",
            answer.text
        );
    }
}

#[tokio::test]
async fn lenient_mode_verifies_known_keys_and_lets_the_rest_in() {
    let mock = Mock::with_auth(AuthMode::Lenient);
    assert_eq!(
        mock.describe(100003).await.status,
        StatusCode::OK,
        "unsigned"
    );
    assert_eq!(
        v2(&mock, "stranger", "anything", "l1", &[]).await.status,
        StatusCode::OK,
        "unknown key"
    );
    assert_eq!(
        v2(&mock, "testid", "wrong", "l2", &[]).await.code(),
        "SignatureDoesNotMatch",
        "known key, wrong secret"
    );
    let journal = mock
        .admin(Method::GET, "/requests?accessKeyId=stranger", None)
        .await;
    assert_eq!(journal.json["requests"][0]["accountId"], "ak/stranger");
}

#[tokio::test]
async fn auth_off_checks_nothing_but_still_selects_the_account() {
    let mock = Mock::with_auth(AuthMode::Off);
    let answer = v2(&mock, "testid", "wrong", "o1", &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    let journal = mock.admin(Method::GET, "/requests", None).await;
    assert_eq!(journal.json["requests"][0]["accountId"], "1234567890123456");
}

#[tokio::test]
async fn the_sign_command_builds_requests_the_strict_mock_accepts() {
    use clap::Parser;
    use sas_mock::cli::{Cli, Command};
    let mock = strict();
    let at = format_rfc3339(mock.state.clock.now());
    for scheme in ["v2", "v3"] {
        let cli = Cli::try_parse_from([
            "sas-mock",
            "sign",
            "--scheme",
            scheme,
            "--timestamp",
            &at,
            "Action=DescribeScanTaskProgress",
            "TaskId=100003",
        ])
        .unwrap();
        let Some(Command::Sign(args)) = cli.command else {
            panic!("sign expected")
        };
        let line = sas_mock::cli::sign::build(&args, &format!("nonce-{scheme}")).unwrap();
        let url = line.rsplit(' ').next().unwrap().trim_matches('\'');
        let path = url.strip_prefix("http://127.0.0.1:8080").unwrap();
        let headers: Vec<(String, String)> = line
            .split(" -H '")
            .skip(1)
            .map(|h| h.split('\'').next().unwrap())
            .map(|h| {
                h.split_once(": ")
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .unwrap()
            })
            .collect();
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain([("host", "127.0.0.1:8080")])
            .collect();
        let answer = mock.send(Method::GET, path, &refs, Body::empty()).await;
        assert_eq!(
            answer.progress(),
            "Success",
            "{scheme}: {line}\n{}",
            answer.text
        );
    }
}

#[tokio::test]
async fn timestamps_can_be_judged_by_real_time_or_not_at_all_once_the_clock_has_moved() {
    use sas_mock::settings::TimestampCheck;
    let real_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        * 1000;
    let real_stamp = format_rfc3339(real_now);
    for (check, accepted) in [
        (TimestampCheck::Clock, false),
        (TimestampCheck::System, true),
        (TimestampCheck::Off, true),
    ] {
        let mock = Mock::with(
            Settings {
                auth: AuthMode::Strict,
                timestamp_check: check,
                ..settings()
            },
            &[DEFAULT_FIXTURES],
        );
        mock.advance("1h").await;
        let answer = v3(&mock, "testid", "testsecret", "rt", Some(&real_stamp), None).await;
        assert_eq!(
            answer.status == StatusCode::OK,
            accepted,
            "{check:?}: {}",
            answer.text
        );
    }
    let off = Mock::with(
        Settings {
            auth: AuthMode::Strict,
            timestamp_check: TimestampCheck::Off,
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    );
    assert_eq!(
        v3(&off, "testid", "testsecret", "f", Some("not a time"), None)
            .await
            .code(),
        "InvalidTimeStamp.Format"
    );
}

#[tokio::test]
async fn secrets_signatures_and_tokens_never_reach_the_journal() {
    let fixture = r#"{"accounts": [{"accessKeyId": "STS.k", "accessKeySecret": "s", "accountId": "9", "securityToken": "tok-XYZ"}]}"#;
    let mock = Mock::with(
        Settings {
            auth: AuthMode::Strict,
            ..settings()
        },
        &[fixture],
    );
    let uri = v2_query(
        &mock,
        "STS.k",
        "s",
        "secret-nonce",
        &[("SecurityToken", "tok-XYZ")],
    );
    let signature = uri.split("Signature=").nth(1).unwrap().to_owned();
    assert_eq!(
        mock.send(Method::GET, &uri, &[], Body::empty())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        v3(&mock, "STS.k", "s", "n-v3", None, Some("tok-XYZ"))
            .await
            .status,
        StatusCode::OK
    );
    let journal = mock.admin(Method::GET, "/requests", None).await;
    for secret in ["tok-XYZ", signature.as_str(), "\"s\""] {
        assert!(
            !journal.text.contains(secret),
            "{secret} leaked: {}",
            journal.text
        );
    }
    let params = &journal.json["requests"][0]["params"];
    let masked: Vec<&Value> = ["Signature", "SecurityToken"]
        .iter()
        .map(|name| {
            let pair = params.as_array().unwrap().iter().find(|p| p[0] == *name);
            &pair.unwrap_or_else(|| panic!("{name} is journaled, masked"))[1]
        })
        .collect();
    assert_eq!(masked, [&json!("***"), &json!("***")]);
}
