//! Per-call options. Every value of their fields is valid, so they are plain structs with public
//! fields and `Default` (struct update works: `CallOptions { org_id, ..Default::default() }`),
//! plus chained setters for convenience; `org` overrides the client's org id for that call.
//! Options whose values can be invalid have private fields and checked setters instead
//! ([`crate::WaitOptions`], [`crate::ImportOptions`], [`crate::HttpSettings`]).

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

macro_rules! org_setter {
    () => {
        /// Send this call to another org (`x-org-id`) than the client's.
        #[must_use]
        pub fn org(mut self, org_id: impl Into<OrgId>) -> Self {
            self.org_id = Some(org_id.into());
            self
        }
    };
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
    org_setter!();
}

/// Options of [`Client::create_users`](crate::Client::create_users).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateUsersOptions {
    /// `creation-source` header; absent means the server's default, `jumpcloud:bulk`.
    pub creation_source: Option<CreationSource>,
    /// `suppressEmail` query parameter.
    pub suppress_email: Option<bool>,
    /// Skip the client-side `validate()` of each record.
    pub skip_validation: bool,
    /// `x-org-id` for this call.
    pub org_id: Option<OrgId>,
}

impl CreateUsersOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The `creation-source` header.
    #[must_use]
    pub fn creation_source(mut self, source: CreationSource) -> Self {
        self.creation_source = Some(source);
        self
    }

    /// The `suppressEmail` parameter.
    #[must_use]
    pub fn suppress_email(mut self, suppress: bool) -> Self {
        self.suppress_email = Some(suppress);
        self
    }

    /// Send records without checking them first (the server still checks).
    #[must_use]
    pub fn skip_validation(mut self, skip: bool) -> Self {
        self.skip_validation = skip;
        self
    }
    org_setter!();
}

/// Options of [`Client::update_users`](crate::Client::update_users).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateUsersOptions {
    /// `suppressEmail` query parameter.
    pub suppress_email: Option<bool>,
    /// Skip the client-side `validate()` of each record.
    pub skip_validation: bool,
    /// `x-org-id` for this call.
    pub org_id: Option<OrgId>,
}

impl UpdateUsersOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The `suppressEmail` parameter.
    #[must_use]
    pub fn suppress_email(mut self, suppress: bool) -> Self {
        self.suppress_email = Some(suppress);
        self
    }

    /// Send records without checking them first.
    #[must_use]
    pub fn skip_validation(mut self, skip: bool) -> Self {
        self.skip_validation = skip;
        self
    }
    org_setter!();
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

    /// Adds a filter.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Only this user's changes.
    #[must_use]
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }
    org_setter!();
}
