//! The fixture parser and merging into a registry that already holds the default fixtures.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sas_mock::fixtures::{default_document, parse_document};
use sas_mock::settings::Settings;
use sas_mock::AppState;

/// The default fixtures loaded into a state, made once (its documents are what is shared).
fn base() -> &'static (String, sas_mock::fixtures::FixtureDoc) {
    static BASE: OnceLock<(String, sas_mock::fixtures::FixtureDoc)> = OnceLock::new();
    BASE.get_or_init(|| default_document().expect("default fixtures"))
}

/// What a load may change, to check that a failed load changed nothing.
fn shape(state: &AppState) -> (usize, usize, usize, String) {
    let seeds = state.tasks.seeds();
    (
        state.accounts.keys().len(),
        seeds.len(),
        state.faults.rules.list().len(),
        format!("{:?}", seeds.default_schedule),
    )
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let doc = match parse_document("fuzz.json", text) {
        Ok(doc) => doc,
        Err(err) => {
            assert!(!err.message.is_empty());
            assert!(err.to_string().starts_with("fuzz.json: "));
            return;
        }
    };
    // A parsed document survives a round trip through its own serialisation.
    let written = serde_json::to_string(&doc).expect("a document serialises");
    let reread = parse_document("again.json", &written).expect("a written document parses");
    assert_eq!(reread, doc, "{written}");

    let state = AppState::new(Settings::default(), std::slice::from_ref(base()))
        .expect("the default fixtures load");
    let before = shape(&state);
    match state.load_fixture("fuzz.json", &doc) {
        Ok(summary) => {
            assert_eq!(summary.tasks, doc.tasks.len());
            assert_eq!(summary.faults, doc.faults.len());
            assert_eq!(state.faults.rules.list().len(), before.2 + doc.faults.len());
        }
        Err(err) => {
            assert!(err.to_string().starts_with("fuzz.json: "));
            assert_eq!(shape(&state), before, "a failed load changed the state");
        }
    }
});
