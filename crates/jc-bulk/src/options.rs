//! Per-call options, and the one options convention of jc-bulk and jc-transport (after
//! azure_core's `ClientOptions` and smithy's `RetryConfig`), one kind per struct, never both:
//! - **Every value valid**: plain structs with public fields and `Default`, no setters and no
//!   `non_exhaustive`, so struct update works: `CallOptions { org_id, ..Default::default() }`.
//!   These per-call options are of that kind; `org_id` overrides the client's org for the call.
//! - **Values that can be invalid** (rates, factors, durations, sizes): private fields, setters
//!   named `with_<name>` that take and return the value (`Result<Self, InvalidSetting>` when the
//!   value is checked), and getters named for their value: [`crate::WaitOptions`],
//!   [`crate::ImportOptions`], [`crate::HttpSettings`], and jc-transport's `RetryPolicy`,
//!   `RateLimitConfig` and `Stack`.
//! - Validation flags have one polarity: `validate` (on by default), never `skip_validation`.

use crate::error::{Error, InvalidInput};
use crate::filter::Filter;
use jc_models::{CreationSource, OrgId};

/// One page of a list: `limit` 1..=100 and `skip` ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    limit: u32,
    skip: u64,
}

impl Page {
    /// The largest page the API serves.
    pub const MAX_LIMIT: u32 = 100;

    /// A page of `limit` items after skipping `skip`.
    ///
    /// # Errors
    /// A limit outside 1..=100.
    pub fn new(limit: u32, skip: u64) -> Result<Self, Error> {
        if (1..=Self::MAX_LIMIT).contains(&limit) {
            Ok(Self { limit, skip })
        } else {
            Err(InvalidInput::Argument(format!("limit must be 1..=100, not {limit}")).into())
        }
    }

    /// The first page of 100.
    pub fn first() -> Self {
        Self {
            limit: Self::MAX_LIMIT,
            skip: 0,
        }
    }

    /// Items per page.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Items skipped.
    pub fn skip(&self) -> u64 {
        self.skip
    }

    /// The page after one that held `len` items.
    pub(crate) fn after(&self, len: usize) -> Self {
        Self {
            limit: self.limit,
            skip: self.skip + len as u64,
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::first()
    }
}

/// Options of calls that take nothing but the org.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// `x-org-id` for this call.
    pub org_id: Option<OrgId>,
}

impl CallOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Options of [`Client::create_users`](crate::Client::create_users).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUsersOptions {
    /// `creation-source` header; absent means the server's default, `jumpcloud:bulk`.
    pub creation_source: Option<CreationSource>,
    /// `suppressEmail` query parameter.
    pub suppress_email: Option<bool>,
    /// Check each record with its `validate()` before sending (default: true).
    pub validate: bool,
    /// `x-org-id` for this call.
    pub org_id: Option<OrgId>,
}

impl Default for CreateUsersOptions {
    fn default() -> Self {
        Self {
            creation_source: None,
            suppress_email: None,
            validate: true,
            org_id: None,
        }
    }
}

impl CreateUsersOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Options of [`Client::update_users`](crate::Client::update_users).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateUsersOptions {
    /// `suppressEmail` query parameter.
    pub suppress_email: Option<bool>,
    /// Check each record with its `validate()` before sending (default: true).
    pub validate: bool,
    /// `x-org-id` for this call.
    pub org_id: Option<OrgId>,
}

impl Default for UpdateUsersOptions {
    fn default() -> Self {
        Self {
            suppress_email: None,
            validate: true,
            org_id: None,
        }
    }
}

impl UpdateUsersOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Options of the scheduled-state list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListScheduledOptions {
    /// Filters, all of which must hold ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 5).
    pub filters: Vec<Filter>,
    /// Only this user's changes (`userid`).
    pub user_id: Option<String>,
    /// `x-org-id` for this call.
    pub org_id: Option<OrgId>,
}

impl ListScheduledOptions {
    /// The defaults: every scheduled change.
    pub fn new() -> Self {
        Self::default()
    }
}
