//! Paging through a product's devices as `QueryDevice` requires: `CurrentPage` and `PageSize`,
//! and, once the previous page gave one, its `NextToken` (the platform refuses a page past the
//! 10,000th device without it). Pure: the client sends what [`DevicePaging::request`] says and
//! tells [`DevicePaging::answered`] what came back.

use alloc::string::String;
use alloc::vec::Vec;

use super::attempts::push_u64;

/// The most devices one `QueryDevice` page holds.
pub const MAX_DEVICE_PAGE: u32 = 50;
/// Past this many devices (`PageSize` × `CurrentPage`) a page needs the previous `NextToken`.
pub const NEXT_TOKEN_AFTER: u64 = 10_000;
/// The most devices `QueryDevice` lists (with a token, `PageSize` × `CurrentPage` stays under).
pub const MAX_DEVICES_LISTED: u64 = 1_000_000;

/// Where a walk through a product's devices is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePaging {
    page_size: u32,
    page: u32,
    token: Option<String>,
    seen: u64,
    done: bool,
}

impl DevicePaging {
    /// A walk `page_size` devices a page (1 to 50).
    pub fn new(page_size: u32) -> Result<Self, &'static str> {
        if !(1..=MAX_DEVICE_PAGE).contains(&page_size) {
            return Err("pageSize: a whole number from 1 to 50");
        }
        Ok(Self {
            page_size,
            page: 1,
            token: None,
            seen: 0,
            done: false,
        })
    }

    /// Whether every page has been read.
    pub fn done(&self) -> bool {
        self.done
    }

    /// The paging parameters of the next page (`None` when done): `CurrentPage`, `PageSize` and
    /// the previous page's `NextToken` when it gave one.
    pub fn request(&self) -> Option<Vec<(String, String)>> {
        if self.done {
            return None;
        }
        let number = |n: u64| {
            let mut s = String::new();
            push_u64(&mut s, n);
            s
        };
        let mut p = Vec::with_capacity(3);
        p.push(("CurrentPage".into(), number(self.page.into())));
        p.push(("PageSize".into(), number(self.page_size.into())));
        if let Some(t) = &self.token {
            p.push(("NextToken".into(), t.clone()));
        }
        Some(p)
    }

    /// A page came back with `got` devices, the product's `total` (when given) and its
    /// `NextToken` (when given).
    pub fn answered(&mut self, got: usize, total: Option<u64>, next_token: Option<String>) {
        self.seen += got as u64;
        let token = next_token.filter(|t| !t.is_empty());
        let more = match (&token, total) {
            (Some(_), _) => true,
            // Without a token, the page size says whether the list went on: a full page may
            // have a successor, which `Total` settles when it is given.
            (None, Some(total)) => self.seen < total && got == self.page_size as usize,
            (None, None) => got == self.page_size as usize,
        };
        let next_page = u64::from(self.page) + 1;
        let beyond = next_page * u64::from(self.page_size);
        self.done = !more
            || got == 0
            || (token.is_none() && beyond > NEXT_TOKEN_AFTER)
            || beyond >= MAX_DEVICES_LISTED;
        self.page += 1;
        self.token = token;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_checked() {
        assert!(DevicePaging::new(0).is_err());
        assert!(DevicePaging::new(51).is_err());
        assert!(DevicePaging::new(50).is_ok());
    }

    #[test]
    fn the_token_is_carried_and_the_end_found() {
        let mut p = DevicePaging::new(10).unwrap();
        let first = p.request().unwrap();
        assert_eq!(
            first,
            [
                ("CurrentPage".into(), "1".into()),
                ("PageSize".into(), "10".into())
            ]
        );
        p.answered(10, Some(25), Some("t1".into()));
        let second = p.request().unwrap();
        assert_eq!(second[0].1, "2");
        assert_eq!(second[2], ("NextToken".into(), "t1".into()));
        p.answered(10, Some(25), Some("t2".into()));
        p.answered(5, Some(25), None);
        assert!(p.done());
        assert_eq!(p.request(), None);
    }
}
