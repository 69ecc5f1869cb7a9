//! A machine (a server with the Security Center agent) and which scan targets cover it.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::finding::Finding;
use super::target::Target;

/// A machine as the mock keeps it: what the API shows about it, and what a scan of it finds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    pub uuid: Arc<str>,
    pub instance_id: String,
    pub instance_name: String,
    pub internet_ip: String,
    pub intranet_ip: String,
    pub group_id: i64,
    pub findings: Vec<Finding>,
}

impl Machine {
    /// Whether a `TargetInfo` entry names this machine: by its uuid, or by its group id (the
    /// target written as a number or as text).
    pub fn covered_by(&self, target: &Target) -> bool {
        let named = match &target.target {
            Value::String(text) => text.trim(),
            Value::Number(n) => {
                return target.kind == "groupId" && n.as_i64() == Some(self.group_id)
            }
            _ => return false,
        };
        match target.kind.as_str() {
            "uuid" => named == &*self.uuid,
            "groupId" => named.parse::<i64>().ok() == Some(self.group_id),
            _ => false,
        }
    }

    /// Whether a text filter (`Remark`, `Name`) finds this machine: part of its name, an address
    /// or its uuid.
    pub fn mentions(&self, text: &str) -> bool {
        [
            &*self.uuid,
            &self.instance_name,
            &self.instance_id,
            &self.internet_ip,
            &self.intranet_ip,
        ]
        .iter()
        .any(|field| !field.is_empty() && field.contains(text))
    }
}

/// What a `TargetInfo` covers among an account's machines: those it names (in the order given),
/// and the uuids it names that the account does not have (scanned as clean machines).
pub fn coverage(
    machines: &[Arc<Machine>],
    targets: &[Target],
) -> (Vec<Arc<Machine>>, Vec<Arc<str>>) {
    let covered: Vec<Arc<Machine>> = (machines.iter())
        .filter(|m| targets.iter().any(|t| m.covered_by(t)))
        .cloned()
        .collect();
    let mut unknown: Vec<Arc<str>> = Vec::new();
    for target in targets.iter().filter(|t| t.kind == "uuid") {
        let Some(uuid) = target.target.as_str().map(str::trim) else {
            continue;
        };
        if !covered.iter().any(|m| &*m.uuid == uuid) && !unknown.iter().any(|u| &**u == uuid) {
            unknown.push(Arc::from(uuid));
        }
    }
    (covered, unknown)
}

/// For the crate's unit tests: a machine with only a uuid and these findings.
#[cfg(test)]
pub(crate) fn bare(uuid: &str, findings: Vec<Finding>) -> Machine {
    Machine {
        uuid: Arc::from(uuid),
        instance_id: String::new(),
        instance_name: String::new(),
        internet_ip: String::new(),
        intranet_ip: String::new(),
        group_id: 0,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn machine(uuid: &str, group_id: i64) -> Arc<Machine> {
        Arc::new(Machine {
            uuid: Arc::from(uuid),
            instance_id: String::new(),
            instance_name: format!("host-{uuid}"),
            internet_ip: String::new(),
            intranet_ip: "172.16.0.5".to_owned(),
            group_id,
            findings: Vec::new(),
        })
    }

    fn target(kind: &str, value: serde_json::Value) -> Target {
        Target {
            kind: kind.to_owned(),
            name: None,
            target: value,
        }
    }

    #[test]
    fn targets_cover_machines_by_uuid_or_by_group_written_either_way() {
        let m = machine("u-1", 1001);
        assert!(m.covered_by(&target("uuid", json!("u-1"))));
        assert!(m.covered_by(&target("groupId", json!("1001"))));
        assert!(m.covered_by(&target("groupId", json!(1001))));
        assert!(!m.covered_by(&target("uuid", json!("u-2"))));
        assert!(!m.covered_by(&target("groupId", json!("u-1"))));
        assert!(!m.covered_by(&target("uuid", json!(1001))));
    }

    #[test]
    fn uuids_the_account_lacks_are_covered_as_clean_machines_once() {
        let machines = [machine("a", 1), machine("b", 2), machine("c", 2)];
        let targets = [
            target("groupId", json!(2)),
            target("uuid", json!("a")),
            target("uuid", json!("zz")),
            target("uuid", json!("zz")),
        ];
        let (covered, unknown) = coverage(&machines, &targets);
        let uuids: Vec<&str> = covered.iter().map(|m| &*m.uuid).collect();
        assert_eq!(uuids, ["a", "b", "c"]);
        assert_eq!(unknown, [Arc::from("zz")]);
    }

    #[test]
    fn text_filters_find_a_machine_by_any_of_its_names_and_addresses() {
        let m = machine("u-1", 1);
        assert!(m.mentions("host-") && m.mentions("172.16") && m.mentions("u-1"));
        assert!(!m.mentions("47.0"));
    }
}
