//! The actions of Sas 2018-12-03 this mock recognises.

/// The API version every action here belongs to.
pub const VERSION: &str = "2018-12-03";

/// Every action the mock recognises.
pub const ACTIONS: &[&str] = &["DescribeScanTaskProgress", "StartVirusScanTask"];

/// The catalogued action called `name` (exact spelling), with its name as a static string.
pub fn action(name: &str) -> Option<&'static str> {
    ACTIONS.iter().copied().find(|known| *known == name)
}

/// What to say about an action name the catalog does not have.
pub fn unknown_action(name: &str) -> String {
    format!("unknown action {name:?}; expected an action of Sas {VERSION} or \"*\"")
}
