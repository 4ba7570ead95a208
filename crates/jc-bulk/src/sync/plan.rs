//! The plan of a desired-state sync ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 38): what a desired-state file would change in an org, computed from the file and
//! one read of the org ([`OrgState`]). Pure: no I/O. A plan never deletes a user.

use super::org::OrgState;
use crate::groups::EdgeOp;
use crate::partial::Edit;
use jc_models::{BulkUserCreate, StateChange};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The column that names each user of a desired-state file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum SyncKey {
    /// `username` (the default).
    #[default]
    Username,
    /// `email`.
    Email,
    /// `employeeIdentifier`.
    EmployeeIdentifier,
}

impl SyncKey {
    /// The field it reads.
    pub fn field(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Email => "email",
            Self::EmployeeIdentifier => "employeeIdentifier",
        }
    }
}

/// One row of a desired-state file.
#[derive(Debug, Clone)]
pub struct DesiredUser {
    /// Where it came from (a line number).
    pub line: u64,
    /// The key's value.
    pub key: String,
    /// The record that creates the user when the org has none with this key, as compact JSON
    /// (a plan over 100,000 rows keeps one per row: [`DesiredUser::record_of`] makes it), or
    /// why the row cannot create one (a row that only edits existing users may lack `email`).
    pub record: Result<Box<str>, String>,
    /// What the row sets on an existing user (only the cells it holds).
    pub edits: Vec<Edit>,
    /// The state it asks (`ACTIVATED` or `SUSPENDED`), when it says.
    pub state: Option<StateChange>,
    /// Its manager: an id, a username or an e-mail.
    pub manager: Option<String>,
    /// The ids of the groups it lists, when the file has a `groups` column.
    pub groups: Option<Vec<String>>,
}

impl DesiredUser {
    /// The `record` of a row that can create `user`.
    pub fn record_of(user: &BulkUserCreate) -> Result<Box<str>, String> {
        serde_json::to_string(user)
            .map(String::into_boxed_str)
            .map_err(|e| e.to_string())
    }
}

/// A most: a count, or a share of a base.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// At most this many.
    Count(usize),
    /// At most this percentage (0-100) of the base, rounded up.
    Percent(f64),
}

impl Limit {
    /// The most allowed out of `base`.
    pub fn of(self, base: usize) -> usize {
        match self {
            Self::Count(n) => n,
            Self::Percent(p) => (base as f64 * p / 100.0).ceil() as usize,
        }
    }
}

/// How to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The key column.
    pub key: SyncKey,
    /// Plan the suspension of scoped active users missing from the file.
    pub suspend_missing: bool,
    /// Schedule the state changes at this instant (RFC 3339) instead of now.
    pub at: Option<String>,
    /// The groups whose membership the plan manages (ids); `None`: the groups the file names.
    pub managed_groups: Option<Vec<String>>,
    /// The most suspensions (default 5 % of the scoped active users).
    pub max_suspend: Limit,
    /// The most membership removals (default 10 % of the managed groups' members).
    pub max_remove: Limit,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            key: SyncKey::default(),
            suspend_missing: false,
            at: None,
            managed_groups: None,
            max_suspend: Limit::Percent(5.0),
            max_remove: Limit::Percent(10.0),
        }
    }
}

/// One field an update changes, with the value it holds now (checked again before applying).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The top-level field.
    pub field: String,
    /// What the user holds now (`null`: nothing).
    pub old: Value,
    /// What it will hold.
    pub new: Value,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedCreate {
    /// The row.
    pub line: u64,
    /// The key's value.
    pub key: String,
    /// The record sent.
    pub record: BulkUserCreate,
}

/// A user to update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedUpdate {
    /// The row.
    pub line: u64,
    /// The key's value.
    pub key: String,
    /// The user.
    pub user_id: String,
    /// The fields that change.
    pub changes: Vec<FieldChange>,
}

/// A state change: now (in a bulk update) or at the plan's time (a scheduled change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedState {
    /// The row (none for a user missing from the file).
    pub line: Option<u64>,
    /// The key's value.
    pub key: String,
    /// The user.
    pub user_id: String,
    /// Its state now.
    pub from: String,
    /// The state it moves to.
    pub to: StateChange,
}

/// A membership to add or remove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedMembership {
    /// The row (none for a member missing from the file).
    pub line: Option<u64>,
    /// The key's value.
    pub key: String,
    /// The user; none for a user this plan creates.
    pub user_id: Option<String>,
    /// The group.
    pub group_id: String,
    /// Its name.
    pub group: String,
    /// Add or remove.
    pub op: EdgeOp,
}

/// A manager this plan creates, set once the creates settled (section 37).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedManager {
    /// The row whose manager it is.
    pub line: u64,
    /// Its key's value.
    pub key: String,
    /// Its user; none when this plan creates it.
    pub user_id: Option<String>,
    /// The row that creates the manager.
    pub manager_line: u64,
    /// The manager's key.
    pub manager_key: String,
}

/// A row the plan leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowProblem {
    /// The row.
    pub line: u64,
    /// The key's value.
    pub key: String,
    /// Why.
    pub message: String,
}

/// What a desired-state file would change in an org: serialisable, to be applied later by
/// [`Client::apply_sync`](crate::Client::apply_sync), after
/// [`SyncPlan::check_target`] made sure it is applied to the same org and base URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncPlan {
    /// The format of this document (1).
    pub format: u32,
    /// The API's base URL the plan was made against.
    pub base_url: String,
    /// The org (`x-org-id`), when one was set.
    pub org_id: Option<String>,
    /// The key column.
    pub key: SyncKey,
    /// When the state changes are scheduled (RFC 3339), or none for now.
    pub at: Option<String>,
    /// Users to create.
    pub creates: Vec<PlannedCreate>,
    /// Users to update.
    pub updates: Vec<PlannedUpdate>,
    /// State changes.
    pub states: Vec<PlannedState>,
    /// Membership changes.
    pub memberships: Vec<PlannedMembership>,
    /// Managers this plan creates, set after the creates.
    #[serde(default)]
    pub managers: Vec<PlannedManager>,
    /// Rows whose user already holds everything the row asks.
    pub unchanged: u64,
    /// Rows left out of the plan.
    pub problems: Vec<RowProblem>,
}

/// A plan refused as a whole by a brake: nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused: the plan would {what} {planned} (more than the limit of {limit}, of {base}); nothing was written")]
pub struct BrakeError {
    /// `suspend users` or `remove memberships`.
    pub what: &'static str,
    /// How many the plan holds.
    pub planned: usize,
    /// The most allowed.
    pub limit: usize,
    /// What the limit is a share of (`1000 scoped active users`).
    pub base: String,
}

impl SyncPlan {
    /// True when it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.creates.is_empty()
            && self.updates.is_empty()
            && self.states.is_empty()
            && self.memberships.is_empty()
            && self.managers.is_empty()
    }

    /// The plan that brings `org` to what `desired` asks (see the module documentation), made
    /// against `base_url` and `org_id`.
    ///
    /// # Errors
    /// A brake: more suspensions or membership removals than the options allow.
    pub fn build(
        desired: impl IntoIterator<Item = DesiredUser>,
        org: &OrgState,
        options: &PlanOptions,
        target: (&str, Option<&str>),
    ) -> Result<Self, BrakeError> {
        let mut builder = super::builder::Builder::new(org, options);
        for row in desired {
            builder.row(row);
        }
        builder.managers();
        builder.missing();
        builder.memberships();
        builder.brakes()?;
        let plan = builder.plan;
        Ok(Self {
            base_url: target.0.to_owned(),
            org_id: target.1.map(str::to_owned),
            ..plan
        })
    }
}

/// Counts of a plan by kind, for summaries.
pub fn counts(plan: &SyncPlan) -> BTreeMap<&'static str, usize> {
    let count = |op| plan.memberships.iter().filter(|m| m.op == op).count();
    let states = |to| plan.states.iter().filter(|s| s.to == to).count();
    BTreeMap::from([
        ("create", plan.creates.len()),
        ("update", plan.updates.len()),
        ("suspend", states(StateChange::Suspended)),
        ("activate", states(StateChange::Activated)),
        ("group_add", count(EdgeOp::Add)),
        ("group_remove", count(EdgeOp::Remove)),
        ("manager", plan.managers.len()),
        ("unchanged", plan.unchanged as usize),
        ("problems", plan.problems.len()),
    ])
}
