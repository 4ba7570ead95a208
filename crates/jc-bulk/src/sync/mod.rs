//! Desired state ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 38): a [`SyncPlan`] says what a desired-state file would change in an org (users to
//! create, fields to update with their old and new values, state changes, group adds and
//! removes, the number unchanged), built from the file's rows ([`DesiredUser`]) and one read of
//! the org ([`OrgState`]); [`Client::apply_sync`](crate::Client::apply_sync) does it through
//! bulk jobs and membership changes, as a stream of per-change outcomes. A plan never deletes a user; applying a plan and planning
//! again from the same file gives an empty plan.

mod apply;
mod builder;
mod org;
mod plan;
#[cfg(test)]
mod tests;

pub use apply::{Action, ApplyOptions, SyncOutcome};
pub use org::{OrgState, OrgUser, ScopeFilter, BASE_FIELDS};
pub use plan::{
    counts, BrakeError, DesiredUser, FieldChange, Limit, PlanOptions, PlannedCreate,
    PlannedManager, PlannedMembership, PlannedState, PlannedUpdate, RowProblem, SyncKey, SyncPlan,
};
