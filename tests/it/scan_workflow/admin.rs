//! `/__admin/machines` and `/__admin/alerts`, and machines in fixtures.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{call, events, scan_web, start, SCAN_TIME, WEB};
use crate::support::{settings, Mock};

#[tokio::test]
async fn machines_are_added_listed_and_removed_and_a_reset_restores_the_fixtures() {
    let mock = Mock::new();
    let listed = mock.admin(Method::GET, "/machines", None).await;
    assert_eq!(listed.json["machines"].as_array().unwrap().len(), 2);
    let spec = json!({"uuid": "u-9", "accessKeyId": "testid", "instanceName": "app-9", "groupId": 9,
                      "findings": [{"name": "Miner", "level": "remind"}]});
    let added = mock.admin(Method::POST, "/machines", Some(spec)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(
        (
            added.json["origin"].as_str(),
            added.json["accountId"].as_str()
        ),
        (Some("admin"), Some("1234567890123456"))
    );
    let mine = mock
        .admin(Method::GET, "/machines?accessKeyId=testid", None)
        .await;
    assert_eq!(mine.json["machines"].as_array().unwrap().len(), 3);
    let theirs = mock
        .admin(Method::GET, "/machines?accessKeyId=otherid", None)
        .await;
    assert_eq!(theirs.json["machines"].as_array().unwrap().len(), 2);
    start(&mock, "testid", &[("groupId", "9")]).await;
    mock.advance(SCAN_TIME).await;
    assert_eq!(
        events(&mock, &[("Levels", "remind")]).await["TotalCount"],
        1
    );
    let bad = mock
        .admin(
            Method::POST,
            "/machines",
            Some(json!({"uuid": "x", "findings": [{"name": "n", "level": "bad"}]})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("findings[0].level"), "{}", bad.text);
    let id = added.json["id"].as_u64().unwrap();
    assert_eq!(
        mock.admin(Method::DELETE, &format!("/machines/{id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        mock.admin(Method::DELETE, &format!("/machines/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    mock.admin(Method::DELETE, "/machines", None).await;
    assert_eq!(
        mock.admin(Method::GET, "/machines", None).await.json["machines"],
        json!([])
    );
    mock.admin(Method::POST, "/reset", None).await;
    assert_eq!(
        mock.admin(Method::GET, "/machines", None).await.json["machines"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn admin_alerts_show_every_accounts_alerts_once_their_scans_have_ended() {
    let mock = Mock::new();
    scan_web(&mock).await;
    start(&mock, "otherid", &[("uuid", WEB)]).await;
    let before = mock.admin(Method::GET, "/alerts", None).await;
    assert_eq!(
        before.json["alerts"].as_array().unwrap().len(),
        2,
        "otherid's scan is still running"
    );
    mock.advance(SCAN_TIME).await;
    let all = mock.admin(Method::GET, "/alerts", None).await;
    let accounts: Vec<&str> = (all.json["alerts"].as_array().unwrap().iter())
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(
        accounts,
        [
            "1234567890123456",
            "1234567890123456",
            "6543210987654321",
            "6543210987654321"
        ]
    );
    let one = mock
        .admin(Method::GET, "/alerts?accountId=6543210987654321", None)
        .await;
    let alert = &one.json["alerts"][0];
    assert_eq!(
        (
            alert["uuid"].as_str(),
            alert["status"].as_i64(),
            alert["dealed"].as_bool()
        ),
        (Some(WEB), Some(1), Some(false))
    );
    assert_eq!(alert["name"], "Trojan:Linux/Mirai.B");
}

#[tokio::test]
async fn a_fixture_machine_with_a_problem_is_refused_with_its_path() {
    let cases = [
        (
            r#"{"machines": [{"uuid": "a", "accessKeyId": "nobody"}]}"#,
            "machines[0].accessKeyId",
        ),
        (
            r#"{"machines": [{"uuid": "a", "findings": [{"name": "x", "level": "serious", "colour": 1}]}]}"#,
            "machines[0].findings[0]",
        ),
        (
            r#"{"machines": [{"uuid": "a"}, {"uuid": "a"}]}"#,
            "machines[1].uuid",
        ),
    ];
    for (text, path) in cases {
        let doc = sas_mock::fixtures::parse_document("f.json", text);
        let err = doc
            .and_then(|doc| {
                sas_mock::AppState::new(settings(), &[("f.json".to_owned(), doc)]).map(|_| ())
            })
            .expect_err(text);
        assert!(
            err.to_string().starts_with(&format!("f.json: {path}")),
            "{text}: {err}"
        );
    }
    let loaded = Mock::new()
        .admin(
            Method::POST,
            "/fixtures",
            Some(json!({"machines": [{"uuid": "z"}]})),
        )
        .await;
    assert_eq!(loaded.json["loaded"]["machines"], 1);
    assert_eq!(
        call(&Mock::new(), "DescribeLatestScanTask", &[])
            .await
            .status,
        StatusCode::OK
    );
}
