//! Properties that must hold for any input: the wire encoding round-trips, task progress never
//! goes backwards, and fault rules answer with their own error or not at all.

use axum::http::{Method, StatusCode};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use sas_mock::model::bucket::{Bucket, Shape};
use sas_mock::model::schedule::{Outcome, Phase, Progress, Schedule};
use sas_mock::model::task::{Task, TaskSeed};
use sas_mock::protocol::encoding::encode_pairs;
use sas_mock::protocol::encoding::pct_encode;
use sas_mock::protocol::error::CATALOG;
use sas_mock::protocol::signature::client::pairs as borrowed;
use sas_mock::protocol::Params;
use serde_json::{json, Value};

use crate::support::Mock;

// ---- encoding ----------------------------------------------------------------------------------

/// How Tea TS writes a value: RFC 3986, but `*`, `!`, `'`, `(` and `)` raw, and a space as `+`
/// the way `quote_plus` (Tea Python) does.
fn sdk_style_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"-_.~*!'()".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decoded pairs, owned.
fn parse_form(bytes: &[u8]) -> Vec<(String, String)> {
    let params = Params::parse(bytes);
    params
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// One form-encoded value (it holds no `&` or `=` of its own), decoded.
fn form_decode(value: &str) -> String {
    let mut pairs = parse_form(format!("v={value}").as_bytes());
    pairs.pop().map(|(_, value)| value).unwrap_or_default()
}

proptest! {
    #[test]
    fn percent_encoding_then_form_decoding_gives_back_any_string(text in any::<String>()) {
        prop_assert_eq!(form_decode(&pct_encode(&text)), text);
    }

    #[test]
    fn the_sdks_looser_encodings_decode_to_the_same_string(text in any::<String>()) {
        prop_assert_eq!(form_decode(&sdk_style_encode(&text)), text);
    }

    #[test]
    fn an_encoded_pair_list_parses_back_to_the_same_pairs(
        pairs in vec((any::<String>(), any::<String>()), 0..8)
    ) {
        prop_assert_eq!(parse_form(encode_pairs(borrowed(&pairs)).as_bytes()), pairs);
    }

    #[test]
    fn form_decoding_leaves_text_without_escapes_or_plus_signs_alone(text in "[^%+&=]*") {
        prop_assert_eq!(form_decode(&text), text);
    }
}

// ---- task progress -----------------------------------------------------------------------------

fn rank(progress: Progress) -> u8 {
    match progress {
        Progress::Init => 0,
        Progress::Processing => 1,
        Progress::Success | Progress::Failed => 2,
    }
}

fn phase() -> impl Strategy<Value = Phase> {
    prop_oneof![
        (0u64..10_000).prop_map(Phase::Time),
        (0u64..5).prop_map(Phase::Polls),
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Success),
        Just(Outcome::Failed),
        (0.0f64..=1.0).prop_map(Outcome::FailureRate),
    ]
}

fn schedule() -> impl Strategy<Value = Schedule> {
    (phase(), phase(), outcome()).prop_map(|(init, processing, outcome)| Schedule {
        init,
        processing,
        outcome,
    })
}

fn pinned() -> impl Strategy<Value = Option<Progress>> {
    option::weighted(0.2, select(Progress::ALL.to_vec()))
}

const START: i64 = 1_000_000;

fn new_task(schedule: Schedule, pinned: Option<Progress>, draw: f64) -> Task {
    Task::new(TaskSeed::new("[]", schedule, pinned), START, draw)
}

/// Observes `task` at each `(now, poll)` and checks that progress never goes backwards, ends in
/// the task's outcome and ignores everything when pinned.
fn check_never_regresses(
    mut task: Task,
    observations: impl IntoIterator<Item = (i64, bool)>,
) -> Result<(), TestCaseError> {
    let mut last = Progress::Init;
    for (now, poll) in observations {
        let seen = task.observe(now, poll);
        if let Some(pin) = task.seed.pinned {
            prop_assert_eq!(seen, pin);
            continue;
        }
        prop_assert!(rank(seen) >= rank(last), "{last} then {seen} at {now}");
        if seen.is_final() {
            prop_assert_eq!(seen, task.outcome);
        }
        last = seen;
    }
    Ok(())
}

proptest! {
    #[test]
    fn progress_never_regresses_as_time_moves_forward_and_polls_come_in(
        schedule in schedule(),
        pinned in pinned(),
        draw in 0.0f64..1.0,
        steps in vec((0i64..3_000, any::<bool>()), 0..40),
    ) {
        let mut now = START;
        let observations = steps.into_iter().map(|(delta, poll)| {
            now += delta;
            (now, poll)
        });
        check_never_regresses(new_task(schedule, pinned, draw), observations)?;
    }

    #[test]
    fn progress_never_regresses_even_when_the_clock_jumps_around(
        schedule in schedule(),
        pinned in pinned(),
        draw in 0.0f64..1.0,
        steps in vec((any::<i64>(), any::<bool>()), 0..40),
    ) {
        check_never_regresses(new_task(schedule, pinned, draw), steps)?;
    }

    #[test]
    fn time_phases_show_exactly_the_state_of_the_instant_observed(
        init in 0u64..10_000,
        processing in 0u64..10_000,
        outcome in outcome(),
        draw in 0.0f64..1.0,
        deltas in vec((0i64..3_000, any::<bool>()), 1..30),
    ) {
        let schedule = Schedule { init: Phase::Time(init), processing: Phase::Time(processing), outcome };
        let mut task = new_task(schedule, None, draw);
        let (init_end, processing_end) = (START + init as i64, START + (init + processing) as i64);
        let mut now = START;
        for (delta, poll) in deltas {
            now += delta;
            let expected = if now < init_end {
                Progress::Init
            } else if now < processing_end {
                Progress::Processing
            } else {
                outcome.resolve(draw)
            };
            prop_assert_eq!(task.observe(now, poll), expected, "at +{}ms", now - START);
        }
    }

    #[test]
    fn poll_phases_show_each_state_for_exactly_their_number_of_polls(
        init in 0u64..5,
        processing in 0u64..5,
        outcome in outcome(),
        draw in 0.0f64..1.0,
        reads in vec((any::<i64>(), any::<bool>()), 1..40),
    ) {
        let schedule = Schedule { init: Phase::Polls(init), processing: Phase::Polls(processing), outcome };
        let mut task = new_task(schedule, None, draw);
        let mut polls = 0;
        for (now, poll) in reads {
            let seen = task.observe(now, poll);
            if !poll {
                continue;
            }
            polls += 1;
            let expected = if polls <= init {
                Progress::Init
            } else if polls <= init + processing {
                Progress::Processing
            } else {
                outcome.resolve(draw)
            };
            prop_assert_eq!(seen, expected, "poll {}", polls);
        }
    }
}

// ---- fault rules through the router ------------------------------------------------------------

#[derive(Debug, Clone)]
struct Rule {
    action: Option<&'static str>,
    task_id: Option<i64>,
    access_key_id: Option<&'static str>,
    /// (status, code, message); `None` for a delay-only rule.
    error: Option<(u16, String, String)>,
    catalog: bool,
    times: Option<u64>,
    probability: Option<f64>,
    delay_ms: Option<u64>,
}

impl Rule {
    fn to_json(&self) -> Value {
        let mut rule = json!({ "match": {} });
        if let Some(action) = self.action {
            rule["match"]["action"] = json!(action);
        }
        if let Some(id) = self.task_id {
            rule["match"]["taskId"] = json!(id);
        }
        if let Some(key) = self.access_key_id {
            rule["match"]["accessKeyId"] = json!(key);
        }
        if let Some((status, code, message)) = &self.error {
            rule["error"] = if self.catalog {
                json!(code)
            } else {
                json!({"status": status, "code": code, "message": message})
            };
        }
        if let Some(times) = self.times {
            rule["times"] = json!(times);
        }
        if let Some(p) = self.probability {
            rule["probability"] = json!(p);
        }
        if let Some(ms) = self.delay_ms {
            rule["delay"] = json!(format!("{ms}ms"));
        }
        rule
    }

    fn matches(&self, call: &Call) -> bool {
        self.action.is_none_or(|a| a == "*" || a == call.action)
            && self.task_id.is_none_or(|id| call.task_id == Some(id))
            && self
                .access_key_id
                .is_none_or(|k| call.access_key_id == Some(k))
    }

    /// Fires on the first request it matches, whatever the draw.
    fn certain(&self) -> bool {
        self.probability.is_none_or(|p| p >= 1.0) && self.times != Some(0)
    }
}

#[derive(Debug, Clone)]
struct Call {
    action: &'static str,
    task_id: Option<i64>,
    access_key_id: Option<&'static str>,
}

const DESCRIBE: &str = "DescribeScanTaskProgress";
const START_TASK: &str = "StartVirusScanTask";

fn error() -> impl Strategy<Value = (u16, String, String, bool)> {
    prop_oneof![
        select(CATALOG.to_vec()).prop_map(|e| (
            e.status,
            e.code.to_owned(),
            e.message.to_owned(),
            true
        )),
        (400u16..=599, "[A-Z][a-zA-Z.]{0,12}", "[ -~]{0,20}")
            .prop_map(|(status, code, message)| (status, code, message, false)),
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        option::of(select(vec!["*", DESCRIBE, START_TASK])),
        option::of(select(vec![100_003i64, 282_832, 555])),
        option::of(select(vec!["testid", "otherid"])),
        option::weighted(0.85, error()),
        option::of(select(vec![0u64, 1, 3])),
        option::of(select(vec![0.0f64, 0.5, 1.0])),
        option::weighted(0.2, 1u64..2_000),
    )
        .prop_map(
            |(action, task_id, access_key_id, error, times, probability, delay_ms)| {
                let catalog = error.as_ref().is_some_and(|e| e.3);
                // A rule needs an error, a delay or both.
                let delay_ms = if error.is_none() {
                    Some(delay_ms.unwrap_or(10))
                } else {
                    delay_ms
                };
                Rule {
                    action,
                    task_id,
                    access_key_id,
                    error: error.map(|(s, c, m, _)| (s, c, m)),
                    catalog,
                    times,
                    probability,
                    delay_ms,
                }
            },
        )
}

fn call() -> impl Strategy<Value = Call> {
    (
        select(vec![DESCRIBE, START_TASK]),
        select(vec![100_003i64, 282_832, 555]),
        option::of(select(vec!["testid", "otherid"])),
    )
        .prop_map(|(action, task_id, access_key_id)| Call {
            action,
            task_id: (action == DESCRIBE).then_some(task_id),
            access_key_id,
        })
}

async fn answer_with_rules(rules: &[Rule], call: &Call) -> Result<(), TestCaseError> {
    let mock = Mock::new();
    mock.admin(Method::DELETE, "/faults", None).await;
    for rule in rules {
        let added = mock
            .admin(Method::POST, "/faults", Some(rule.to_json()))
            .await;
        prop_assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    }
    let answer = match call.task_id {
        Some(id) => match call.access_key_id {
            Some(key) => mock.describe_as(key, id).await,
            None => mock.describe(id).await,
        },
        None => mock.start(call.access_key_id).await,
    };

    // The first matching rule that fires decides; rules after the first certain one never get to.
    let matching: Vec<&Rule> = rules.iter().filter(|r| r.matches(call)).collect();
    let window = match matching.iter().position(|r| r.certain()) {
        Some(i) => &matching[..=i],
        None => &matching[..],
    };
    let may_pass =
        matching.iter().all(|r| !r.certain()) || window.iter().any(|r| r.error.is_none());
    if answer.status == StatusCode::OK {
        prop_assert!(
            may_pass,
            "passed although a rule had to fire: {}",
            answer.text
        );
        if call.action == DESCRIBE {
            prop_assert!(
                Progress::parse(answer.progress()).is_some(),
                "{}",
                answer.text
            );
        } else {
            prop_assert!(answer.json["ScanTaskId"].is_i64(), "{}", answer.text);
        }
    } else {
        let got = (
            answer.status.as_u16(),
            answer.code().to_owned(),
            answer.json["Message"].as_str().unwrap_or("").to_owned(),
        );
        prop_assert!(
            window.iter().any(|r| r.error.as_ref() == Some(&got)),
            "{got:?} is no matching rule's error: {}",
            answer.text
        );
        for field in ["RequestId", "HostId", "Recommend"] {
            prop_assert!(answer.json[field].is_string(), "{}", answer.text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_fault_rule_set_answers_a_matching_rules_error_or_the_normal_answer(
        rules in vec(rule(), 0..6),
        call in call(),
    ) {
        // A paused clock: fault delays pass at once, no test waits for real time.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("runtime");
        runtime.block_on(answer_with_rules(&rules, &call))?;
    }
}

// ---- flow control --------------------------------------------------------------------------

fn shape() -> impl Strategy<Value = Shape> {
    (
        1u64..50,
        prop::sample::select(vec![1u64, 1_000, 60_000]),
        1u64..10,
    )
        .prop_map(|(count, per_millis, capacity)| Shape {
            count,
            per_millis,
            capacity,
        })
}

proptest! {
    /// The wait a refusal names is exact: a token is there after it, and not a millisecond before.
    #[test]
    fn a_refusal_names_exactly_when_the_next_token_comes(
        shape in shape(), gaps in vec(0i64..5_000, 1..60)
    ) {
        let mut bucket = Bucket::full(&shape, 0);
        let mut now = 0;
        for gap in gaps {
            now += gap;
            let before = bucket;
            if let Err(wait) = bucket.take(&shape, now) {
                let wait = i64::try_from(wait).unwrap();
                prop_assert!(wait >= 1);
                let mut early = before;
                prop_assert!(early.take(&shape, now + wait - 1).is_err());
                let mut on_time = before;
                prop_assert!(on_time.take(&shape, now + wait).is_ok());
                bucket = before;
            }
        }
    }

    /// Over any stretch from full, a bucket lets through at most its burst plus what its rate
    /// brings back in that time, and never refuses while it has a token.
    #[test]
    fn a_bucket_lets_through_its_burst_plus_its_rate_and_no_more(
        shape in shape(), gaps in vec(0i64..3_000, 1..200)
    ) {
        let mut bucket = Bucket::full(&shape, 0);
        let (mut now, mut passed) = (0i64, 0u64);
        for gap in gaps {
            now += gap;
            if bucket.take(&shape, now).is_ok() {
                passed += 1;
            }
            let refilled = u64::try_from(now).unwrap() * shape.count / shape.per_millis;
            prop_assert!(passed <= shape.capacity + refilled, "{passed} through by {now} ms");
        }
    }
}
