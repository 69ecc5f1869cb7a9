//! An alert as `DescribeSuspEvents` shows it: every field of the SDK's event model, with the JSON
//! type it declares. What the mock knows (machine, finding, status, times, handling) is filled in;
//! what it does not model (containers, Kubernetes, sandboxes, notes, tactics) is empty or false.

use serde_json::{json, Map, Value};

use crate::model::alert::Alert;
use crate::model::local_time::format_local;
use crate::model::rng;

/// The event of `alert` in `account`.
pub fn event(alert: &Alert, account: &str) -> Value {
    let mut fields = known(alert, account);
    for (name, value) in UNMODELLED {
        fields.entry(*name).or_insert_with(|| value.to_value());
    }
    Value::Object(fields)
}

fn known(alert: &Alert, account: &str) -> Map<String, Value> {
    let (machine, finding) = (&alert.machine, &alert.finding);
    let handling = alert.handling.as_ref();
    let unique = format!(
        "{:016x}",
        rng::hash(0, &[machine.uuid.as_bytes(), finding.name.as_bytes()])
    );
    let fields = json!({
        "AlarmEventName": finding.name,
        "AlarmEventNameDisplay": finding.name,
        "AlarmEventType": finding.kind,
        "AlarmEventTypeDisplay": finding.kind,
        "AlarmUniqueInfo": unique,
        "CanBeDealOnLine": true,
        "Desc": format!("{} found on {} by a virus scan", finding.name, machine.uuid),
        "Details": details(alert),
        "EventStatus": alert.status.code(),
        "EventSubType": finding.kind,
        "Id": alert.id,
        "InstanceId": machine.instance_id,
        "InstanceName": machine.instance_name,
        "InternetIp": machine.internet_ip,
        "IntranetIp": machine.intranet_ip,
        "LastTime": format_local(alert.last_seen),
        "LastTimeStamp": alert.last_seen,
        "Level": finding.level.as_str(),
        "Name": finding.name,
        "OccurrenceTime": format_local(alert.first_seen),
        "OccurrenceTimeStamp": alert.first_seen,
        "OperateMsg": handling.map_or("", |h| h.code.as_str()),
        "OperateTime": handling.map_or(0, |h| h.at),
        "SecurityEventIds": alert.id.to_string(),
        "SourceAliUid": account.parse::<i64>().unwrap_or(0),
        "UniqueInfo": format!("{unique}{:016x}", alert.id),
        "Uuid": &*machine.uuid,
    });
    match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn details(alert: &Alert) -> Vec<Value> {
    (alert.finding.details.iter())
        .map(|(name, value)| {
            json!({ "NameDisplay": name, "Type": "text", "Value": value, "ValueDisplay": value })
        })
        .collect()
}

/// A value of a field the mock does not model.
#[derive(Clone, Copy)]
enum Empty {
    Text,
    No,
    List,
}

impl Empty {
    fn to_value(self) -> Value {
        match self {
            Empty::Text => Value::from(""),
            Empty::No => Value::from(false),
            Empty::List => Value::Array(Vec::new()),
        }
    }
}

const UNMODELLED: &[(&str, Empty)] = &[
    ("Advanced", Empty::No),
    ("AppName", Empty::Text),
    ("AutoBreaking", Empty::No),
    ("CanCancelFault", Empty::No),
    ("ContainHwMode", Empty::No),
    ("ContainerId", Empty::Text),
    ("ContainerImageId", Empty::Text),
    ("ContainerImageName", Empty::Text),
    ("DataSource", Empty::Text),
    ("DeepAnalyzeReportUrl", Empty::Text),
    ("DetectSource", Empty::Text),
    ("DisplaySandboxResult", Empty::No),
    ("EventNotes", Empty::List),
    ("HasTraceInfo", Empty::No),
    ("ImageUuid", Empty::Text),
    ("K8sClusterId", Empty::Text),
    ("K8sClusterName", Empty::Text),
    ("K8sNamespace", Empty::Text),
    ("K8sNodeId", Empty::Text),
    ("K8sNodeName", Empty::Text),
    ("K8sPodName", Empty::Text),
    ("LargeModel", Empty::No),
    ("MaliciousRuleStatus", Empty::Text),
    ("MarkList", Empty::List),
    ("MarkMisRules", Empty::Text),
    ("OperateErrorCode", Empty::Text),
    ("SaleVersion", Empty::Text),
    ("Stages", Empty::Text),
    ("SupportOperateCode", Empty::Text),
    ("TacticItems", Empty::List),
    // The one field the SDK spells with a lower-case first letter on the wire.
    ("clusterId", Empty::Text),
];
