//! `DescribeSuspEvents` → the account's alerts, filtered, newest first, one page at a time:
//! `CurrentPage`, `PageSize` (at most 100), `Count` (on this page), `TotalCount`, `SuspEvents`.
//!
//! Honoured filters: `Uuids`, `Levels`, `Dealed` (N/Y), `Status` (a comma list; 0 is all), `Name`
//! and `Remark` (part of the alert's name or of the machine's name, address or uuid), `TimeStart`
//! / `TimeEnd` (the last occurrence, `YYYY-MM-DD HH:mm:ss` in UTC+8), `Id`, `GroupId`,
//! `ParentEventTypes` (alert types). With `Dealed=Y`, `SortColumn` (lastTime / operateTime) and
//! `SortType` (asc / desc) order the list. Every other parameter (`TacticId`, `Lang`, the
//! container and multi-account ones, …) is accepted and ignored.

use std::cmp::Reverse;

use serde_json::{json, Value};

use super::params::{comma_list, whole, Page};
use super::susp_event::event;
use super::workflow::{levels, object, settled};
use super::ActionContext;
use crate::model::alert::Alert;
use crate::model::clock::Millis;
use crate::model::finding::Level;
use crate::model::local_time::parse_local;
use crate::protocol::{ApiError, Reply, RpcRequest};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let filter = Filter::read(ctx.request)?;
    let page = Page::read(ctx.request)?;
    let account = &ctx.caller.account;
    let (total, events) = settled(ctx, |ledger| {
        let mut found: Vec<&Alert> = ledger
            .alerts()
            .iter()
            .filter(|a| filter.admits(a))
            .collect();
        found.sort_by_key(|a| filter.order(a));
        let total = found.len();
        let events: Vec<Value> = page
            .of(found)
            .into_iter()
            .map(|a| event(a, account))
            .collect();
        (total, events)
    });
    Ok(object(json!({
        "Count": events.len(),
        "CurrentPage": page.current,
        "PageSize": page.size,
        "SuspEvents": events,
        "TotalCount": total,
    })))
}

/// The honoured filters; `None` or empty: no filter.
struct Filter<'r> {
    uuids: Vec<&'r str>,
    levels: Vec<Level>,
    dealed: Option<bool>,
    statuses: Vec<i64>,
    texts: Vec<&'r str>,
    time: (Option<Millis>, Option<Millis>),
    id: Option<i64>,
    group_id: Option<i64>,
    types: Vec<&'r str>,
    sort: Option<(bool, bool)>,
}

impl<'r> Filter<'r> {
    fn read(req: &'r RpcRequest) -> Result<Self, ApiError> {
        let dealed = match req.non_empty_param("Dealed") {
            None => None,
            Some(d) if d.eq_ignore_ascii_case("y") => Some(true),
            Some(d) if d.eq_ignore_ascii_case("n") => Some(false),
            Some(d) => {
                return Err(invalid(
                    "Dealed",
                    format!("Dealed must be N or Y, found {d:?}"),
                ))
            }
        };
        let statuses = (comma_list(req, "Status").into_iter())
            .map(|s| {
                s.parse()
                    .map_err(|_| invalid("Status", format!("{s:?} is not a status")))
            })
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(Filter {
            uuids: comma_list(req, "Uuids"),
            levels: levels(req, "Levels")?,
            dealed,
            statuses: statuses.into_iter().filter(|s| *s != 0).collect(),
            texts: ["Name", "Remark"]
                .into_iter()
                .filter_map(|n| req.non_empty_param(n))
                .collect(),
            time: (time(req, "TimeStart", 0)?, time(req, "TimeEnd", 999)?),
            id: whole(req, "Id")?,
            group_id: whole(req, "GroupId")?,
            types: comma_list(req, "ParentEventTypes"),
            sort: (dealed == Some(true)).then(|| {
                let by_operate = req.param("SortColumn") != Some("lastTime");
                (by_operate, req.param("SortType") == Some("asc"))
            }),
        })
    }

    fn admits(&self, alert: &Alert) -> bool {
        let (machine, finding) = (&alert.machine, &alert.finding);
        let within = |(from, to): (Option<Millis>, Option<Millis>)| {
            from.is_none_or(|f| alert.last_seen >= f) && to.is_none_or(|t| alert.last_seen <= t)
        };
        (self.uuids.is_empty() || self.uuids.contains(&&*machine.uuid))
            && (self.levels.is_empty() || self.levels.contains(&finding.level))
            && self.dealed.is_none_or(|d| d == alert.status.dealed())
            && (self.statuses.is_empty() || self.statuses.contains(&alert.status.code()))
            && (self.texts.iter()).all(|t| finding.name.contains(t) || machine.mentions(t))
            && within(self.time)
            && self.id.is_none_or(|id| id == alert.id)
            && self.group_id.is_none_or(|g| g == machine.group_id)
            && (self.types.is_empty() || self.types.contains(&finding.kind.as_str()))
    }

    /// The sort key: newest last occurrence first; with `Dealed=Y`, as `SortColumn`/`SortType` say.
    fn order(&self, alert: &Alert) -> (Reverse<i128>, Reverse<i64>) {
        let operated = alert.handling.as_ref().map_or(0, |h| h.at);
        let (key, ascending) = match self.sort {
            Some((true, ascending)) => (operated, ascending),
            Some((false, ascending)) => (alert.last_seen, ascending),
            None => (alert.last_seen, false),
        };
        let key = if ascending {
            -i128::from(key)
        } else {
            i128::from(key)
        };
        (Reverse(key), Reverse(alert.id))
    }
}

fn invalid(name: &str, why: String) -> ApiError {
    ApiError::invalid_parameter(name).because(why)
}

/// A `YYYY-MM-DD HH:mm:ss` bound, plus `extra` milliseconds (999 makes an end inclusive).
fn time(req: &RpcRequest, name: &str, extra: Millis) -> Result<Option<Millis>, ApiError> {
    match req.non_empty_param(name) {
        None => Ok(None),
        Some(text) => parse_local(text).map(|t| Some(t + extra)).ok_or_else(|| {
            invalid(
                name,
                format!("{name} must read YYYY-MM-DD HH:mm:ss, found {text:?}"),
            )
        }),
    }
}
