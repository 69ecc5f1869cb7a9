//! The action catalog: every action of Sas 2018-12-03 with its parameters, generated from the
//! pinned official Python SDK by `catalog/generate.py` (see `catalog/README.md`) and embedded.
//!
//! A request for an action outside the catalog is answered `InvalidAction.NotFound`; for a
//! catalogued one, [`Action::validate`] checks its parameters as the gateway does: a required one
//! missing or empty is `Missing<Name>`, a value of the wrong type is `InvalidParameter`.

use std::collections::HashMap;

/// Looked up on every request: foldhash, not the default SipHash.
type FastHash = foldhash::fast::RandomState;
use std::sync::LazyLock;

use serde::Deserialize;

use super::error::ApiError;
use super::request::RpcRequest;

/// The API version every action here belongs to.
pub const VERSION: &str = "2018-12-03";

/// The generated catalog, as committed.
const CATALOG_JSON: &str = include_str!("../../catalog/sas-2018-12-03.json");

/// One action and its parameters, in the order the SDK's request model declares them.
#[derive(Debug, Deserialize)]
pub struct Action {
    #[serde(skip)]
    pub name: String,
    pub params: Vec<Param>,
}

/// One request parameter.
#[derive(Debug, Deserialize)]
pub struct Param {
    /// The wire name (`TaskId`; a list travels as `Name.1`, `Name.2`, …).
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// For arrays: the type of the items.
    #[serde(default)]
    pub items: Option<Kind>,
    pub required: bool,
    /// `query` or `body` (form body), where the SDK puts it; the mock accepts either.
    #[serde(rename = "in")]
    pub location: String,
    /// `json` or `simple` for a list or map the SDK sends serialised in one string.
    #[serde(default)]
    pub style: Option<String>,
}

/// A parameter's type, as the SDK's model declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

#[derive(Deserialize)]
struct File {
    actions: HashMap<String, Action, FastHash>,
}

static CATALOG: LazyLock<HashMap<String, Action, FastHash>> = LazyLock::new(|| {
    // The file is generated and checked by a test; a broken one is a build of this crate that
    // must not pass, so an empty catalog (every action unknown) is the fallback.
    let mut actions = serde_json::from_str::<File>(CATALOG_JSON)
        .map(|file| file.actions)
        .unwrap_or_default();
    for (name, action) in &mut actions {
        action.name.clone_from(name);
    }
    actions
});

/// The catalogued action called `name` (exact spelling).
pub fn action(name: &str) -> Option<&'static Action> {
    CATALOG.get(name)
}

/// How many actions the catalog has. The first call parses the embedded file (about 2 ms), so
/// the server calls it while starting, not on its first request.
pub fn len() -> usize {
    CATALOG.len()
}

/// The catalogued action closest to a name that is not one (a typo, another letter case), if one
/// is close enough to be what was meant.
pub fn nearest(name: &str) -> Option<&'static str> {
    // The longest action name has 51 characters; a far longer name resembles none, and comparing
    // it would cost time quadratic in its length.
    if name.len() > 80 {
        return None;
    }
    let wanted = name.to_ascii_lowercase();
    let (distance, best) = (CATALOG.keys())
        .map(|known| {
            (
                strsim::levenshtein(&wanted, &known.to_ascii_lowercase()),
                known,
            )
        })
        .min()?;
    (distance <= 2.max(name.len() / 10)).then_some(best.as_str())
}

/// What to say about an action name the catalog does not have.
pub fn unknown_action(name: &str) -> String {
    let hint = nearest(name)
        .map(|near| format!(" (did you mean {near:?}?)"))
        .unwrap_or_default();
    format!("unknown action {name:?}{hint}; expected an action of Sas {VERSION} or \"*\"")
}

impl Action {
    /// The parameter with this wire name, or the list or map it is an item of (`Name.1`,
    /// `Name.1.Field`, `Name.Key`).
    pub fn param(&self, wire_name: &str) -> Option<&Param> {
        self.params.iter().find(|p| {
            wire_name == p.name
                || (matches!(p.kind, Kind::Array | Kind::Object)
                    && wire_name
                        .strip_prefix(p.name.as_str())
                        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.')))
        })
    }

    /// Checks the request's parameters: required ones present, values of their declared type.
    pub fn validate(&self, req: &RpcRequest) -> Result<(), ApiError> {
        for param in &self.params {
            param.check(req)?;
        }
        Ok(())
    }
}

impl Param {
    fn check(&self, req: &RpcRequest) -> Result<(), ApiError> {
        match self.kind {
            Kind::Array | Kind::Object => {
                let mut items = req.params().filter(|(name, _)| self.is_item(name));
                let first = items.next();
                if self.required && first.is_none() {
                    return Err(ApiError::missing(&self.name));
                }
                let scalar = self
                    .items
                    .filter(|k| *k != Kind::Object && self.kind == Kind::Array);
                match scalar {
                    Some(kind) => first
                        .into_iter()
                        .chain(items)
                        .try_for_each(|(name, value)| check_value(kind, name, value)),
                    None => Ok(()),
                }
            }
            kind => match req.param(&self.name).filter(|v| !v.is_empty()) {
                None if self.required => Err(ApiError::missing(&self.name)),
                None => Ok(()),
                Some(value) => check_value(kind, &self.name, value),
            },
        }
    }

    /// Whether a wire name is one of this list's or map's items (`Name.1`, `Name.1.Field`).
    fn is_item(&self, wire_name: &str) -> bool {
        wire_name
            .strip_prefix(self.name.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|rest| !rest.is_empty())
    }
}

/// A value of a scalar type: an integer is a 64-bit whole number (spaces around it ignored), a
/// boolean `true` or `false` in any letter case (the Python SDK sends `True`), a number anything
/// that reads as one.
fn check_value(kind: Kind, name: &str, value: &str) -> Result<(), ApiError> {
    let valid = match kind {
        Kind::Integer => value.trim().parse::<i64>().is_ok(),
        Kind::Number => value.trim().parse::<f64>().is_ok_and(f64::is_finite),
        Kind::Boolean => ["true", "false"]
            .iter()
            .any(|b| value.eq_ignore_ascii_case(b)),
        Kind::String | Kind::Array | Kind::Object => true,
    };
    if valid || value.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(name).because(format!(
            "{name} must be {}, found {value:?}",
            match kind {
                Kind::Integer => "a whole number",
                Kind::Number => "a number",
                _ => "true or false",
            }
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::request::get as request;

    fn check(action: &str, query: &str) -> Result<(), (String, String)> {
        let action = super::action(action).expect("catalogued");
        action
            .validate(&request(query))
            .map_err(|e| (e.code.into_owned(), e.message.into_owned()))
    }

    #[test]
    fn the_embedded_catalog_has_every_action_of_the_pinned_sdk() {
        assert_eq!(len(), 965);
        let describe = action("DescribeScanTaskProgress").expect("catalogued");
        let task_id = describe.param("TaskId").expect("a TaskId parameter");
        assert_eq!((task_id.kind, task_id.required), (Kind::Integer, true));
        let handle = action("HandleSecurityEvents").expect("catalogued");
        let ids = handle
            .param("SecurityEventIds.3")
            .expect("an item of the list");
        assert_eq!(
            (ids.kind, ids.items, ids.required),
            (Kind::Array, Some(Kind::String), true)
        );
        assert!(action("DescribeSuspEvents")
            .and_then(|a| a.param("TacticId"))
            .is_some_and(|p| p.location == "body"));
        assert!(action("NoSuchAction").is_none());
    }

    #[test]
    fn a_missing_or_empty_required_parameter_is_missing_name() {
        let missing = (
            "MissingTaskId".to_owned(),
            "TaskId is mandatory for this action.".to_owned(),
        );
        assert_eq!(check("DescribeScanTaskProgress", ""), Err(missing.clone()));
        assert_eq!(check("DescribeScanTaskProgress", "TaskId="), Err(missing));
        assert_eq!(
            check("DescribeScanTaskProgress", "TaskId=%20282832+"),
            Ok(())
        );
        let list = check("HandleSecurityEvents", "OperationCode=ignore");
        assert_eq!(
            list.map_err(|e| e.0),
            Err("MissingSecurityEventIds".to_owned())
        );
        assert_eq!(
            check(
                "HandleSecurityEvents",
                "OperationCode=ignore&SecurityEventIds.1=7"
            ),
            Ok(())
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_invalid_parameter_naming_it() {
        let invalid = |name: &str| {
            Err((
                "InvalidParameter".to_owned(),
                format!("Specified parameter {name} is not valid."),
            ))
        };
        assert_eq!(
            check("DescribeScanTaskProgress", "TaskId=abc"),
            invalid("TaskId")
        );
        assert_eq!(
            check("DescribeScanTaskProgress", "TaskId=1.5"),
            invalid("TaskId")
        );
        assert_eq!(
            check("ListVirusScanMachine", "CurrentPage=1&PageSize=x"),
            invalid("PageSize")
        );
        assert_eq!(
            check("CreateVirusScanOnceTask", "DryRun=maybe"),
            invalid("DryRun")
        );
        assert_eq!(check("CreateVirusScanOnceTask", "DryRun=True"), Ok(()));
        let items = "StatusList.1=1&StatusList.2=two";
        assert_eq!(check("ListVirusScanTask", items), invalid("StatusList.2"));
    }

    #[test]
    fn a_near_miss_suggests_the_action_that_was_meant() {
        assert_eq!(
            nearest("DescribeScanTaskProgres"),
            Some("DescribeScanTaskProgress")
        );
        assert_eq!(
            nearest("describescantaskprogress"),
            Some("DescribeScanTaskProgress")
        );
        assert_eq!(nearest("Hello"), None);
        assert!(
            unknown_action("StartVirusScanTsk").contains("did you mean \"StartVirusScanTask\"?")
        );
    }
}
