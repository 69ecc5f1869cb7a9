//! The fixture parser and merging into a registry that already holds the default fixtures.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sas_mock::fixtures::parse_document;
use sas_mock::registry::Registry;

fn base() -> &'static Registry {
    static BASE: OnceLock<Registry> = OnceLock::new();
    BASE.get_or_init(|| Registry::with_default_fixtures().expect("default fixtures"))
}

/// What a merge may change, to check that a failed merge changed nothing.
fn shape(r: &Registry) -> (usize, usize, usize, usize, String) {
    (
        r.keys.len(),
        r.shared.len(),
        r.owned.len(),
        r.faults.len(),
        format!("{:?}", r.default_schedule),
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

    let mut registry = base().clone();
    let before = shape(&registry);
    match registry.merge("fuzz.json", &doc) {
        Ok(summary) => {
            assert_eq!(summary.tasks, doc.tasks.len());
            assert_eq!(summary.faults, doc.faults.len());
            assert_eq!(registry.faults.len(), before.3 + doc.faults.len());
            for (owner, id) in &summary.touched {
                match owner {
                    Some(account) => assert!(registry.owned.contains_key(&(account.clone(), *id))),
                    None => assert!(registry.shared.contains_key(id)),
                }
            }
        }
        Err(err) => {
            assert!(err.to_string().starts_with("fuzz.json: "));
            assert_eq!(
                shape(&registry),
                before,
                "a failed merge changed the registry"
            );
        }
    }
});
