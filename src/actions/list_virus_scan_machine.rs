//! `ListVirusScanMachine(CurrentPage, PageSize, Uuid, Remark)` → the account's machines with
//! alerts still pending, in the order their first such alert was raised, each with `EventCount`
//! (its pending alerts), in `Data`, with `PageInfo`. `Uuid` keeps one machine; `Remark` those whose
//! name, address or uuid contains it.

use std::sync::Arc;

use serde_json::{json, Value};

use super::params::Page;
use super::workflow::{object, page_info, settled};
use super::ActionContext;
use crate::model::alert::Status;
use crate::model::machine::Machine;
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let page = Page::read(ctx.request)?;
    let uuid = ctx.request.non_empty_param("Uuid");
    let remark = ctx.request.non_empty_param("Remark");
    let machines = settled(ctx, |ledger| {
        let mut counted: Vec<(Arc<Machine>, usize)> = Vec::new();
        for alert in ledger
            .alerts()
            .iter()
            .filter(|a| a.status == Status::Pending)
        {
            match counted
                .iter_mut()
                .find(|(m, _)| m.uuid == alert.machine.uuid)
            {
                Some((_, count)) => *count += 1,
                None => counted.push((Arc::clone(&alert.machine), 1)),
            }
        }
        counted
    });
    let rows: Vec<Value> = (machines.into_iter())
        .filter(|(m, _)| uuid.is_none_or(|u| *m.uuid == *u))
        .filter(|(m, _)| remark.is_none_or(|r| m.mentions(r)))
        .map(|(m, count)| {
            json!({
                "EventCount": count,
                "InstanceId": m.instance_id,
                "InstanceName": m.instance_name,
                "InternetIp": m.internet_ip,
                "IntranetIp": m.intranet_ip,
                "Uuid": &*m.uuid,
            })
        })
        .collect();
    let total = rows.len();
    Ok(object(
        json!({ "Data": page.of(rows), "PageInfo": page_info(page, total) }),
    ))
}
