//! What the scan-workflow operations share: reaching the caller's ledger with every finished scan
//! settled, the `Levels` filter, and the pieces of their answers.

use serde_json::{json, Value};

use super::params::Page;
use super::ActionContext;
use crate::model::finding::Level;
use crate::protocol::{ApiError, Reply, RpcRequest};
use crate::state::machines::Ledger;

/// Runs `f` on the caller's ledger once every scan finished by now is settled (an operation
/// that reads or changes alerts is what observes a scan finished).
pub fn settled<R>(ctx: &ActionContext<'_>, f: impl FnOnce(&mut Ledger) -> R) -> R {
    (ctx.state.machines).settled(&ctx.caller.account, &ctx.state.tasks.live, ctx.now, f)
}

/// The fields of a JSON object, as an answer.
pub fn object(value: Value) -> Reply {
    match value {
        Value::Object(fields) => fields,
        _ => Reply::new(),
    }
}

/// `PageInfo` of the `List*` operations.
pub fn page_info(page: Page, total: usize) -> Value {
    json!({ "CurrentPage": page.current, "PageSize": page.size, "TotalCount": total })
}

/// The levels a comma-separated parameter names (none: every level); a name that is not a level
/// is `InvalidParameter`.
pub fn levels(req: &RpcRequest, name: &str) -> Result<Vec<Level>, ApiError> {
    (super::params::comma_list(req, name).into_iter())
        .map(|text| {
            Level::parse(text).ok_or_else(|| {
                ApiError::invalid_parameter(name).because(format!(
                    "{name}: {text:?} is not serious, suspicious or remind"
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, Method};

    #[test]
    fn levels_are_read_from_a_comma_list_and_checked() {
        let read = |q: &str| {
            let req = RpcRequest::parse(Method::GET, Some(q), HeaderMap::new(), Default::default())
                .expect("parses");
            levels(&req, "Levels").map_err(|e| e.code.into_owned())
        };
        assert_eq!(
            read("Levels=serious,remind"),
            Ok(vec![Level::Serious, Level::Remind])
        );
        assert_eq!(read(""), Ok(vec![]));
        assert_eq!(read("Levels=high"), Err("InvalidParameter".to_owned()));
    }
}
