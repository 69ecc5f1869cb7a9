//! The scenario file format, reading it from files and directories, and precise errors.
//!
//! A problem is reported as `FILE: PATH: what was expected`, where PATH is the JSON path of the
//! offending value (`tasks[1].schedule.init`).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::schedule::{PartialSchedule, Progress};
use crate::faults::FaultSpec;

/// The embedded default scenario, served when no `--fixtures` are given.
pub const DEFAULT_FIXTURES: &str = include_str!("../fixtures/default.json");
/// The name the embedded default goes by in messages.
pub const DEFAULT_SOURCE: &str = "<embedded fixtures/default.json>";

/// One fixture document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FixtureDoc {
    /// Free text for the reader; ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub accounts: Vec<AccountSpec>,
    /// The default schedule: for this file's tasks, and for tasks created later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<PartialSchedule>,
    #[serde(default)]
    pub tasks: Vec<TaskSpec>,
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

/// An access key and the account it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccountSpec {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub account_id: String,
    #[serde(default)]
    pub deny: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Makes this an STS credential: requests must carry this token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_token: Option<String>,
}

fn yes() -> bool {
    true
}

/// A task to seed. Without `accessKeyId`/`accountId` it is shared: every account sees its own copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TaskSpec {
    pub task_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// A JSON array of `{type, name, target}`, or that array serialised as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_info: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<PartialSchedule>,
    /// Pins the task at this progress for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
}

/// A fixture problem: which file, where in it, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureError {
    pub source: String,
    pub path: String,
    pub message: String,
}

impl FixtureError {
    pub fn new(source: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        FixtureError {
            source: source.to_owned(),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.source, self.message)
        } else {
            write!(f, "{}: {}: {}", self.source, self.path, self.message)
        }
    }
}

impl std::error::Error for FixtureError {}

/// Parses one document; `source` names it in errors.
pub fn parse_document(source: &str, text: &str) -> Result<FixtureDoc, FixtureError> {
    if !starts_an_object(text.as_bytes()) {
        let msg = "expected a JSON object such as {\"accounts\": [...], \"tasks\": [...], \"faults\": [...]}";
        return Err(FixtureError::new(source, "", msg));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let doc: FixtureDoc = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let path = if path == "." || path == "?" {
            String::new()
        } else {
            path
        };
        FixtureError::new(source, path, err.into_inner().to_string())
    })?;
    deserializer.end().map_err(|err| {
        FixtureError::new(
            source,
            "",
            format!("unexpected data after the document: {err}"),
        )
    })?;
    Ok(doc)
}

/// The embedded default document, with the name messages give it.
pub fn default_document() -> Result<(String, FixtureDoc), FixtureError> {
    let doc = parse_document(DEFAULT_SOURCE, DEFAULT_FIXTURES)?;
    Ok((DEFAULT_SOURCE.to_owned(), doc))
}

/// Whether the first non-blank byte opens an object (serde would otherwise read a struct from an
/// array and report a confusing field error).
pub fn starts_an_object(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Expands files and directories (a directory contributes its `*.json` files, sorted by name).
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FixtureError> {
    let mut files = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|err| FixtureError::new(&shown, "", format!("cannot read: {err}")))?;
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|err| {
            FixtureError::new(&shown, "", format!("cannot list directory: {err}"))
        })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            })
            .collect();
        if found.is_empty() {
            return Err(FixtureError::new(
                &shown,
                "",
                "directory contains no .json fixture files",
            ));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Reads and parses every fixture file the paths name, in order.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<(String, FixtureDoc)>, FixtureError> {
    expand_paths(paths)?
        .iter()
        .map(|file| read_file(file).map(|doc| (file.display().to_string(), doc)))
        .collect()
}

fn read_file(file: &Path) -> Result<FixtureDoc, FixtureError> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|err| FixtureError::new(&shown, "", format!("cannot read: {err}")))?;
    parse_document(&shown, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_default_parses() {
        let doc = parse_document(DEFAULT_SOURCE, DEFAULT_FIXTURES).expect("default fixtures parse");
        assert!(!doc.tasks.is_empty() && !doc.faults.is_empty() && !doc.accounts.is_empty());
    }

    #[test]
    fn errors_name_the_json_path_and_what_was_expected() {
        let cases = [
            (
                r#"{"tasks": [{"taskId": 1}, {"taskId": 2, "schedule": {"init": "soon"}}]}"#,
                "tasks[1].schedule.init",
                "expected a duration",
            ),
            (
                r#"{"tasks": [{"taskId": "x"}]}"#,
                "tasks[0].taskId",
                "invalid type",
            ),
            (
                r#"{"accounts": [{"accessKeyId": "a"}]}"#,
                "accounts[0]",
                "missing field",
            ),
            (r#"{"taks": []}"#, "taks", "unknown field `taks`"),
            (
                r#"{"faults": [{"error": "Oops"}]}"#,
                "faults[0].error",
                "unknown error code",
            ),
            (
                r#"{"tasks": [{"taskId": 1, "progress": "done"}]}"#,
                "tasks[0].progress",
                "expected one of",
            ),
            (r#"{"tasks": []} {}"#, "", "unexpected data"),
            ("{", "", "EOF"),
            ("[[]]", "", "expected a JSON object"),
        ];
        for (text, path, needle) in cases {
            let err = parse_document("f.json", text).expect_err(text);
            assert_eq!(err.path, path, "{text}: {err}");
            assert!(err.to_string().starts_with("f.json: "), "{err}");
            assert!(err.message.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn a_directory_without_fixture_files_is_an_error() {
        let dir = std::env::temp_dir().join(format!("sas-mock-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let err = expand_paths(std::slice::from_ref(&dir)).expect_err("empty dir");
        assert!(err.message.contains("no .json"), "{err}");
        let _ = std::fs::remove_dir(&dir);
    }
}
