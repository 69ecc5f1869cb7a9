//! Tasks move through their phases on the manual clock and on poll counts, never backwards.

use axum::http::{Method, StatusCode};
use sas_mock::settings::Settings;
use serde_json::json;

use crate::support::{settings, Mock};

async fn walk(mock: &Mock, task_id: i64, polls: usize) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..polls {
        seen.push(mock.describe(task_id).await.progress().to_owned());
    }
    seen
}

#[tokio::test]
async fn a_started_task_walks_every_state_as_the_manual_clock_advances() {
    let mock = Mock::new();
    let id = mock.start(None).await.json["ScanTaskId"].as_i64().unwrap();
    assert_eq!(mock.describe(id).await.progress(), "init");
    mock.advance("999ms").await;
    assert_eq!(mock.describe(id).await.progress(), "init");
    mock.advance("1ms").await;
    assert_eq!(mock.describe(id).await.progress(), "Processing");
    mock.advance("4999ms").await;
    assert_eq!(mock.describe(id).await.progress(), "Processing");
    mock.advance("1ms").await;
    assert_eq!(mock.describe(id).await.progress(), "Success");
    mock.advance("1h").await;
    assert_eq!(mock.describe(id).await.progress(), "Success");
}

#[tokio::test]
async fn poll_count_schedules_from_the_default_fixtures_succeed_and_fail() {
    let mock = Mock::new();
    assert_eq!(
        walk(&mock, 282832, 5).await,
        ["init", "Processing", "Processing", "Success", "Success"]
    );
    assert_eq!(
        walk(&mock, 282833, 5).await,
        ["init", "Processing", "Processing", "Failed", "Failed"]
    );
}

#[tokio::test]
async fn pinned_fixture_tasks_show_every_state_forever() {
    let mock = Mock::new();
    mock.advance("1h").await;
    for (id, progress) in [
        (100001, "init"),
        (100002, "Processing"),
        (100003, "Success"),
        (100004, "Failed"),
    ] {
        assert_eq!(walk(&mock, id, 3).await, [progress; 3], "task {id}");
    }
}

#[tokio::test]
async fn a_task_created_through_the_admin_api_follows_its_own_schedule() {
    let mock = Mock::new();
    let body = json!({"taskId": 42, "schedule": {"init": {"polls": 2}, "processing": "3s", "outcome": "Failed"}});
    let created = mock.admin(Method::POST, "/tasks", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(walk(&mock, 42, 3).await, ["init", "init", "Processing"]);
    mock.advance("3s").await;
    assert_eq!(mock.describe(42).await.progress(), "Failed");
}

#[tokio::test]
async fn setting_the_clock_back_never_makes_a_task_regress() {
    let mock = Mock::new();
    let id = mock.start(None).await.json["ScanTaskId"].as_i64().unwrap();
    mock.advance("2s").await;
    assert_eq!(mock.describe(id).await.progress(), "Processing");
    let set = mock
        .admin(
            Method::POST,
            "/clock",
            Some(json!({"set": "2000-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(set.json["now"], "2000-01-01T00:00:00Z");
    assert_eq!(mock.describe(id).await.progress(), "Processing");
}

#[tokio::test]
async fn failure_rates_are_drawn_once_per_task_and_reproducible_under_a_seed() {
    let fixture = r#"{"schedule": {"init": {"polls": 0}, "processing": {"polls": 0}, "outcome": {"failureRate": 0.5}}}"#;
    let outcomes = |seed| async move {
        let mock = Mock::with(Settings { seed, ..settings() }, &[fixture]);
        let mut outcomes = Vec::new();
        for id in 1..=40 {
            let first = mock.describe(id).await.progress().to_owned();
            assert_eq!(
                mock.describe(id).await.progress(),
                first,
                "an outcome never changes"
            );
            outcomes.push(first);
        }
        outcomes
    };
    let first = outcomes(3).await;
    let failed = first.iter().filter(|p| *p == "Failed").count();
    assert!(
        (8..=32).contains(&failed),
        "{failed} of 40 failed at rate 0.5"
    );
    assert!(first.iter().all(|p| p == "Failed" || p == "Success"));
    assert_eq!(
        first,
        outcomes(3).await,
        "the same seed draws the same outcomes"
    );
    assert_ne!(first, outcomes(4).await, "another seed draws others");
}

#[tokio::test]
async fn the_system_clock_cannot_be_moved() {
    let mock = Mock::with(
        Settings {
            clock: sas_mock::settings::ClockMode::System,
            ..settings()
        },
        &[],
    );
    let answer = mock
        .admin(Method::POST, "/clock", Some(json!({"advance": "1s"})))
        .await;
    assert_eq!(
        (answer.status.as_u16(), answer.code()),
        (409, "ClockNotManual")
    );
}
