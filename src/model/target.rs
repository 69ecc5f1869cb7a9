//! `TargetInfo`: the assets a scan runs on, a JSON array carried as a string.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One asset: a server (`uuid`) or a server group (`groupId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub target: Value,
}

/// Parses `TargetInfo` and returns it in the compact form the API answers with
/// (`[{"type":…,"name":…,"target":…}]`), or a sentence saying what is wrong.
pub fn normalize_target_info(text: &str) -> Result<String, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|err| format!("TargetInfo is not valid JSON: {err}"))?;
    normalize_target_value(&value)
}

/// The same check for a value already parsed (a fixture's `targetInfo` array).
pub fn normalize_target_value(value: &Value) -> Result<String, String> {
    let Value::Array(items) = value else {
        return Err("TargetInfo must be a JSON array of {type, name, target} objects".to_owned());
    };
    if items.is_empty() {
        return Err("TargetInfo must name at least one asset".to_owned());
    }
    let mut targets = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        targets.push(check_target(item).map_err(|why| format!("TargetInfo[{index}]: {why}"))?);
    }
    serde_json::to_string(&targets).map_err(|err| err.to_string())
}

fn check_target(item: &Value) -> Result<Target, String> {
    let target: Target = serde_json::from_value(item.clone())
        .map_err(|err| format!("expected an object with \"type\" and \"target\" ({err})"))?;
    if target.kind != "uuid" && target.kind != "groupId" {
        return Err(format!(
            "type must be \"uuid\" or \"groupId\", found {:?}",
            target.kind
        ));
    }
    let usable = match &target.target {
        Value::String(s) => !s.trim().is_empty(),
        Value::Number(_) => true,
        _ => false,
    };
    if !usable {
        return Err("target must be a non-empty string (a server UUID or a group id)".to_owned());
    }
    Ok(target)
}

/// A stored `TargetInfo` as the API shows it: itself, or for a task nobody described (stored
/// empty: a real `TargetInfo` is never empty, it is a non-empty JSON array) the placeholder for
/// the task's id. A million tasks without a target thus keep no text at all.
pub fn shown_target_info(stored: &str, task_id: i64) -> String {
    if stored.is_empty() {
        placeholder_target_info(task_id)
    } else {
        stored.to_owned()
    }
}

/// The `TargetInfo` of a task nobody described: one made-up server derived from the task id,
/// `[{"type":"uuid","name":"mock-host-ID","target":"00000000-0000-4000-8000-<low 48 bits of ID>"}]`.
pub fn placeholder_target_info(task_id: i64) -> String {
    let suffix = task_id.unsigned_abs() & 0xFFFF_FFFF_FFFF;
    format!(
        r#"[{{"type":"uuid","name":"mock-host-{task_id}","target":"00000000-0000-4000-8000-{suffix:012x}"}}]"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_info_is_returned_in_the_vendors_compact_form() {
        let sent = r#"[ {"target": "503201a7", "name": "host 001*é中", "type": "uuid"}, {"type":"groupId","target":42} ]"#;
        assert_eq!(
            normalize_target_info(sent),
            Ok(r#"[{"type":"uuid","name":"host 001*é中","target":"503201a7"},{"type":"groupId","target":42}]"#.to_owned())
        );
    }

    #[test]
    fn placeholders_name_the_task_and_a_uuid_derived_from_it() {
        let cases = [
            (
                282832,
                "mock-host-282832",
                "00000000-0000-4000-8000-0000000450d0",
            ),
            (-5, "mock-host--5", "00000000-0000-4000-8000-000000000005"),
            (
                i64::MAX,
                "mock-host-9223372036854775807",
                "00000000-0000-4000-8000-ffffffffffff",
            ),
        ];
        for (task_id, name, target) in cases {
            let expected = format!(r#"[{{"type":"uuid","name":"{name}","target":"{target}"}}]"#);
            assert_eq!(placeholder_target_info(task_id), expected);
        }
    }

    #[test]
    fn placeholders_are_valid_target_info() {
        let text = placeholder_target_info(282832);
        assert_eq!(normalize_target_info(&text), Ok(text));
    }

    #[test]
    fn an_empty_target_is_shown_as_the_placeholder_of_the_tasks_id() {
        assert_eq!(shown_target_info("", 7), placeholder_target_info(7));
        assert_eq!(shown_target_info("[{}]", 7), "[{}]");
    }

    #[test]
    fn malformed_target_info_is_explained() {
        let cases = [
            ("", "not valid JSON"),
            ("{}", "JSON array"),
            ("[]", "at least one"),
            (
                r#"[{"type":"host","target":"x"}]"#,
                "TargetInfo[0]: type must be",
            ),
            (r#"[{"type":"uuid"}]"#, "TargetInfo[0]: expected an object"),
            (r#"[{"type":"uuid","target":""}]"#, "non-empty"),
            (r#"[{"type":"uuid","target":"a"}, 5]"#, "TargetInfo[1]"),
        ];
        for (text, needle) in cases {
            let err = normalize_target_info(text).expect_err(text);
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
