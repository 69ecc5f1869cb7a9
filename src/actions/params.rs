//! Readers for the parameters the scan-workflow operations share: paging, comma-separated lists,
//! `Name.N` lists. The catalog has already checked each value's type; these read the meaning.

use crate::protocol::{ApiError, RpcRequest};

/// The most a page holds: a larger `PageSize` is cut to it.
pub const MAX_PAGE_SIZE: usize = 100;
const DEFAULT_PAGE_SIZE: usize = 20;

/// A page of a list: `CurrentPage` (from 1) and `PageSize` (1..=100), as the request asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub current: usize,
    pub size: usize,
}

impl Page {
    /// Reads `CurrentPage` (default 1; below 1 is 1) and `PageSize` (default 20; below 1 is the
    /// default, above 100 is 100). Text that is not a whole number is `InvalidParameter`.
    pub fn read(req: &RpcRequest) -> Result<Page, ApiError> {
        let current = whole(req, "CurrentPage")?.map_or(1, |n| n.max(1));
        let size = match whole(req, "PageSize")? {
            Some(n) if n >= 1 => n.min(MAX_PAGE_SIZE as i64),
            _ => DEFAULT_PAGE_SIZE as i64,
        };
        Ok(Page {
            current: usize::try_from(current).unwrap_or(usize::MAX),
            size: usize::try_from(size).unwrap_or(DEFAULT_PAGE_SIZE),
        })
    }

    /// This page of `items`.
    pub fn of<T>(&self, items: Vec<T>) -> Vec<T> {
        let skip = (self.current - 1).saturating_mul(self.size);
        items.into_iter().skip(skip).take(self.size).collect()
    }
}

/// A whole-number parameter (spaces around it ignored); absent or empty is `None`.
pub fn whole(req: &RpcRequest, name: &str) -> Result<Option<i64>, ApiError> {
    match req.non_empty_param(name) {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            ApiError::invalid_parameter(name)
                .because(format!("{name} must be a whole number, found {text:?}"))
        }),
    }
}

/// A boolean parameter (`true`/`false` in any letter case, as the catalog accepts).
pub fn flag(req: &RpcRequest, name: &str) -> Option<bool> {
    req.non_empty_param(name)
        .map(|text| text.eq_ignore_ascii_case("true"))
}

/// The items of a comma-separated parameter, trimmed, empty ones left out.
pub fn comma_list<'r>(req: &'r RpcRequest, name: &str) -> Vec<&'r str> {
    (req.param(name).unwrap_or_default().split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect()
}

/// The items of a list parameter (`Name.1`, `Name.2`, …), in the order of their numbers.
pub fn indexed_list<'r>(req: &'r RpcRequest, name: &str) -> Vec<&'r str> {
    let mut items: Vec<(u64, &str)> = (req.params())
        .filter_map(|(wire, value)| {
            let index = wire.strip_prefix(name)?.strip_prefix('.')?.parse().ok()?;
            Some((index, value))
        })
        .collect();
    items.sort_by_key(|(index, _)| *index);
    items.into_iter().map(|(_, value)| value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::request::get as request;

    #[test]
    fn pages_default_and_are_kept_within_bounds() {
        let page = |q: &str| Page::read(&request(q)).map(|p| (p.current, p.size));
        assert_eq!(page(""), Ok((1, 20)));
        assert_eq!(page("CurrentPage=3&PageSize=5"), Ok((3, 5)));
        assert_eq!(page("CurrentPage=0&PageSize=0"), Ok((1, 20)));
        assert_eq!(page("CurrentPage=-2&PageSize=1000"), Ok((1, 100)));
        assert_eq!(page("PageSize=%2010%20"), Ok((1, 10)));
        let err = page("PageSize=ten").expect_err("not a number");
        assert_eq!(err.message, "Specified parameter PageSize is not valid.");
    }

    #[test]
    fn a_page_slices_its_items() {
        let page = Page {
            current: 2,
            size: 3,
        };
        assert_eq!(page.of((1..=8).collect()), vec![4, 5, 6]);
        assert_eq!(
            Page {
                current: 4,
                size: 3
            }
            .of((1..=8).collect()),
            Vec::<i32>::new()
        );
    }

    #[test]
    fn lists_are_read_from_commas_and_from_numbered_names() {
        let req = request("Levels=serious,%20remind,,&Ids.10=c&Ids.2=b&Ids.1=a&Idsx.3=no&Ids.x=no");
        assert_eq!(comma_list(&req, "Levels"), ["serious", "remind"]);
        assert_eq!(comma_list(&req, "Absent"), Vec::<&str>::new());
        assert_eq!(indexed_list(&req, "Ids"), ["a", "b", "c"]);
        assert_eq!(flag(&request("RootTask=True"), "RootTask"), Some(true));
        assert_eq!(whole(&request("Status="), "Status"), Ok(None));
    }
}
