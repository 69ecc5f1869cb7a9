//! `DescribeScanTaskStatistics(Levels)` → the account's alerts of those levels (all without
//! `Levels`): `UserNum` found, `DealedRiskNum` dealt with; and the scans it started, older and
//! newer (`TotalTaskNum`; `PersonalTaskNum` is the same number: every scan in the mock is one a
//! user started).

use serde_json::json;

use super::workflow::{levels, object, settled};
use super::ActionContext;
use crate::protocol::{ApiError, Reply};

pub fn handle(ctx: &ActionContext<'_>) -> Result<Reply, ApiError> {
    let levels = levels(ctx.request, "Levels")?;
    let (found, dealt, scans) = settled(ctx, |ledger| {
        let counted = (ledger.alerts().iter())
            .filter(|a| levels.is_empty() || levels.contains(&a.finding.level));
        let (found, dealt) = counted.fold((0, 0), |(found, dealt), alert| {
            (found + 1, dealt + usize::from(alert.status.dealed()))
        });
        (found, dealt, ledger.scans_started())
    });
    Ok(object(json!({
        "DealedRiskNum": dealt,
        "PersonalTaskNum": scans,
        "TotalTaskNum": scans,
        "UserNum": found,
    })))
}
