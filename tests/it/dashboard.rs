//! The dashboard's server side: the page and its assets (served without the token, with a strict
//! content security policy), its config, and the account list it offers.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use sas_mock::fixtures::DEFAULT_FIXTURES;
use sas_mock::settings::Settings;
use serde_json::{json, Value};

use crate::support::{settings, Answer, Mock};

const TOKEN: &str = "s3cret";

fn with_token() -> Mock {
    Mock::with(
        Settings {
            admin_token: Some(TOKEN.into()),
            ..settings()
        },
        &[DEFAULT_FIXTURES],
    )
}

async fn get(mock: &Mock, path: &str, token: Option<&str>) -> Answer {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|b| ("authorization", b.as_str()))
        .collect();
    mock.send(Method::GET, path, &headers, Body::empty()).await
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_without_the_token_even_when_one_is_set() {
    let mock = with_token();
    let cases = [
        ("/__admin/ui", "text/html; charset=utf-8", "<!doctype html>"),
        (
            "/__admin/ui/",
            "text/html; charset=utf-8",
            "<!doctype html>",
        ),
        (
            "/__admin/ui/app.js",
            "text/javascript; charset=utf-8",
            "'use strict';",
        ),
        ("/__admin/ui/style.css", "text/css; charset=utf-8", ":root"),
    ];
    for (path, content_type, start) in cases {
        let answer = get(&mock, path, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.header("content-type"), content_type, "{path}");
        assert_eq!(answer.header("cache-control"), "no-store", "{path}");
        assert_eq!(answer.header("x-content-type-options"), "nosniff", "{path}");
        assert!(
            answer.text.contains(start),
            "{path}: {}",
            &answer.text[..80]
        );
    }
}

#[tokio::test]
async fn the_page_has_a_strict_content_security_policy_and_no_inline_script_or_style() {
    let mock = Mock::new();
    let page = get(&mock, "/__admin/ui", None).await;
    let csp = page.header("content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert!(!page.text.contains("<style"), "styles live in style.css");
    assert!(!page.text.contains(" style="), "no inline style attributes");
    let scripts: Vec<&str> = page.text.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "one script, app.js");
    assert!(scripts[0].starts_with(r#" src="/__admin/ui/app.js" defer></script>"#));
    assert!(
        !page.text.contains("http://") && !page.text.contains("https://"),
        "nothing is fetched from elsewhere"
    );
}

#[tokio::test]
async fn the_data_routes_still_need_the_token() {
    let mock = with_token();
    for path in [
        "/accounts",
        "/requests",
        "/tasks",
        "/clock",
        "/faults",
        "/stubs",
    ] {
        let path = format!("/__admin{path}");
        let refused = get(&mock, &path, None).await;
        assert_eq!(
            (refused.status.as_u16(), refused.code()),
            (401, "InvalidAdminToken"),
            "{path}"
        );
        assert_eq!(get(&mock, &path, Some("wrong")).await.status.as_u16(), 401);
        assert_eq!(get(&mock, &path, Some(TOKEN)).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn the_page_config_says_whether_a_token_is_needed_and_which_sections_this_build_has() {
    for (mock, token_required) in [(Mock::new(), false), (with_token(), true)] {
        let config = get(&mock, "/__admin/ui/config", None).await;
        assert_eq!(config.status, StatusCode::OK, "{}", config.text);
        assert_eq!(config.json["tokenRequired"], token_required);
        let sections = config.json["sections"].as_object().unwrap();
        assert_eq!(
            sections.keys().collect::<Vec<_>>(),
            ["machines", "alerts", "limits"]
        );
        for (name, present) in sections {
            let answer = get(&mock, &format!("/__admin/{name}"), Some(TOKEN)).await;
            let answers = answer.status != StatusCode::NOT_FOUND;
            assert_eq!(present.as_bool(), Some(answers), "{name}: {}", answer.text);
        }
    }
}

#[tokio::test]
async fn accounts_lists_the_fixtures_and_those_seen_in_tasks_the_journal_and_rules_with_their_keys()
{
    let mock = Mock::new();
    mock.describe_as("testid", 100001).await;
    mock.describe_as("readonly-id", 100002).await;
    mock.describe_as("otherid", 100001).await;
    let fault = json!({"match": {"accountId": "fault-only"}, "error": "ServerError"});
    let added = mock.admin(Method::POST, "/faults", Some(fault)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);

    let answer = mock.admin(Method::GET, "/accounts", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let accounts = answer.json["accounts"].as_array().unwrap();
    let ids: Vec<&str> = accounts
        .iter()
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1234567890123456", "6543210987654321", "fault-only"]);
    assert_eq!(
        accounts[0],
        json!({"accountId": "1234567890123456",
               "accessKeyIds": ["STS.testid", "denied-id", "readonly-id", "testid"],
               "tasks": 2, "requests": 2}),
        "every key the fixtures give the account, whether it called or not"
    );
    assert_eq!(accounts[2]["accessKeyIds"], json!([]));
}

#[tokio::test]
async fn accounts_forget_what_a_reset_forgets_and_keep_the_fixtures() {
    let mock = Mock::new();
    let fixture_accounts = account_ids(&mock).await;
    assert_eq!(fixture_accounts, ["1234567890123456", "6543210987654321"]);
    mock.describe_as("newcomer", 100001).await;
    assert_eq!(
        account_ids(&mock).await,
        ["1234567890123456", "6543210987654321", "ak/newcomer"]
    );
    assert_eq!(
        mock.admin(Method::POST, "/reset", None).await.status,
        StatusCode::OK
    );
    assert_eq!(account_ids(&mock).await, fixture_accounts);
}

async fn account_ids(mock: &Mock) -> Vec<String> {
    let answer = mock.admin(Method::GET, "/accounts", None).await;
    (answer.json["accounts"].as_array().unwrap().iter())
        .map(|a| a["accountId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_journal_gives_the_detail_view_the_rule_parameters_and_answer_of_an_error() {
    let mock = Mock::new();
    let answer = mock.describe(403403).await;
    assert_eq!(answer.code(), "NoPermission");
    let journal = mock
        .admin(Method::GET, "/requests?code=NoPermission", None)
        .await;
    let entry: &Value = &journal.json["requests"][0];
    assert_eq!(entry["status"], 403);
    assert!(entry["faultId"].as_u64().is_some(), "{entry}");
    assert!(
        (entry["params"].as_array().unwrap().iter()).any(|p| p == &json!(["TaskId", "403403"])),
        "{entry}"
    );
    let body: Value = serde_json::from_str(entry["response"].as_str().unwrap()).unwrap();
    assert_eq!(body["Code"], "NoPermission");
}
