//! Applying a sync plan ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 38), in a fixed order: creates, then updates (with managers and the state changes of
//! now), then group changes, then scheduled state changes. The users the plan touches are read
//! again first: a user whose planned fields changed since the plan is refused (per row,
//! `not_submitted`), and a change already made (by an earlier, interrupted apply) is not an
//! error.

use super::plan::{FieldChange, SyncPlan};
use crate::control::ImportControl;
use crate::error::{ConfigError, Error};
use crate::groups::{ChangeOptions, ChangeOutcome, EdgeOp, MemberChange};
use crate::import::{ImportOptions, InputRecord, Outcome};
use crate::partial::normalized;
use crate::request::Endpoint;
use crate::session::Session;
use crate::{CallOptions, Groups, Lookup, UserId, UserKey, Users};
use futures::{Stream, StreamExt};
use jc_models::{BulkScheduledStatechangeCreate, BulkUserCreate, BulkUserUpdate, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::mpsc;

mod jobs;
mod members;
mod recheck;

use recheck::{recheck, Recheck};

/// What a planned change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A user created.
    Create,
    /// Fields updated.
    Update,
    /// Suspended (now or scheduled).
    Suspend,
    /// Activated (now or scheduled).
    Activate,
    /// Added to a group.
    GroupAdd,
    /// Removed from a group.
    GroupRemove,
    /// Its manager set, a user this plan created.
    Manager,
}

/// What became of one planned change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncOutcome {
    /// What was planned.
    pub action: Action,
    /// The row (none for users missing from the file).
    pub line: Option<u64>,
    /// The key's value.
    pub key: String,
    /// The user, when known.
    pub user_id: Option<String>,
    /// The group, for group changes.
    pub group: Option<String>,
    /// `applied`, `unchanged` (already so), `failed`, `not_submitted` or `unknown`.
    pub outcome: String,
    /// Why, or a note.
    pub reason: Option<String>,
}

/// How to apply a plan.
#[derive(Clone, Default)]
pub struct ApplyOptions {
    /// The creates' import (chunking, waiting, a journal).
    pub creates: ImportOptions,
    /// The updates' import.
    pub updates: ImportOptions,
    /// The import that sets the managers this plan creates.
    pub managers: ImportOptions,
    /// The membership changes.
    pub changes: ChangeOptions,
    /// Stops the apply: what is not yet sent ends `not_submitted`.
    pub control: ImportControl,
    /// Re-send the same imports after an interruption: the changes an earlier apply made are
    /// sent again (the journals of `creates` and `updates` re-attach their jobs), not refused.
    pub resume: bool,
}

impl std::fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

impl SyncPlan {
    /// Refuses a plan made against another base URL or org than `client`'s.
    ///
    /// # Errors
    /// The base URL or the org differ.
    pub fn check_target(&self, endpoint: &Endpoint) -> Result<(), Error> {
        let same_base =
            endpoint.base_url().trim_end_matches('/') == self.base_url.trim_end_matches('/');
        let org = endpoint.org_id().map(str::to_owned);
        if !same_base || org != self.org_id {
            return Err(ConfigError::Request {
                method: "sync apply".into(),
                url: endpoint.base_url().to_owned(),
                reason: format!(
                    "the plan was made for {} (org {}), not {} (org {}): make a plan against this org",
                    self.base_url,
                    self.org_id.as_deref().unwrap_or("of the credential"),
                    endpoint.base_url(),
                    org.as_deref().unwrap_or("of the credential")
                ),
            }
            .into());
        }
        Ok(())
    }

    /// Applies the plan through `session` (see the module documentation): every planned change
    /// ends in exactly one [`SyncOutcome`], streamed as it is known. Dropping the stream stops
    /// the work. Callers use [`Client::apply_sync`](crate::Client::apply_sync).
    pub(crate) fn apply(
        &self,
        session: Arc<Session>,
        options: ApplyOptions,
    ) -> impl Stream<Item = SyncOutcome> + Send + 'static {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(self.clone(), session, options, tx));
        let guard = AbortOnDrop(task);
        futures::stream::unfold((rx, guard), |(mut rx, guard)| async move {
            rx.recv().await.map(|item| (item, (rx, guard)))
        })
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Tx = mpsc::UnboundedSender<SyncOutcome>;

/// The planned changes one update record carries: (action, line, key).
type Planned = Vec<(Action, Option<u64>, String)>;

fn state_action(to: jc_models::StateChange) -> Action {
    match to {
        jc_models::StateChange::Suspended => Action::Suspend,
        jc_models::StateChange::Activated => Action::Activate,
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "(nothing)".into(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn send(
    tx: &Tx,
    action: Action,
    line: Option<u64>,
    key: &str,
    user: Option<&str>,
    outcome: &str,
    reason: Option<String>,
) {
    let _ = tx.send(SyncOutcome {
        action,
        line,
        key: key.to_owned(),
        user_id: user.map(str::to_owned),
        group: None,
        outcome: outcome.to_owned(),
        reason,
    });
}

fn outcome_parts(outcome: &Outcome) -> (&'static str, Option<String>) {
    (outcome.name(), outcome.reason().map(ToString::to_string))
}

/// Forwards a stop of the apply to an import's own control.
fn forward_stop(from: &ImportControl, to: ImportControl) -> tokio::task::JoinHandle<()> {
    let mut phase = Some(from.watch());
    tokio::spawn(async move {
        crate::control::reached(&mut phase, crate::control::Phase::Draining).await;
        to.stop_submitting();
    })
}

async fn run(plan: SyncPlan, session: Arc<Session>, options: ApplyOptions, tx: Tx) {
    let checked = match futures::FutureExt::boxed(recheck(&plan, &session, options.resume)).await {
        Ok(checked) => checked,
        Err(error) => {
            let reason = format!("the users could not be read again before applying: {error}");
            return refuse_all(&plan, &tx, &reason);
        }
    };
    use futures::FutureExt;
    let created = jobs::creates(&plan, &session, &options, &checked, &tx)
        .boxed()
        .await;
    jobs::updates(&plan, &session, &options, &checked, &tx)
        .boxed()
        .await;
    jobs::managers(&plan, &session, &options, &created, &tx)
        .boxed()
        .await;
    members::memberships(&plan, &session, &options, &checked, &created, &tx)
        .boxed()
        .await;
    members::scheduled(&plan, &session, &options, &checked, &tx)
        .boxed()
        .await;
}

fn refuse_all(plan: &SyncPlan, tx: &Tx, reason: &str) {
    for m in &plan.managers {
        let user = m.user_id.as_deref();
        send(
            tx,
            Action::Manager,
            Some(m.line),
            &m.key,
            user,
            "not_submitted",
            Some(reason.into()),
        );
    }
    for c in &plan.creates {
        send(
            tx,
            Action::Create,
            Some(c.line),
            &c.key,
            None,
            "not_submitted",
            Some(reason.into()),
        );
    }
    for u in &plan.updates {
        send(
            tx,
            Action::Update,
            Some(u.line),
            &u.key,
            Some(&u.user_id),
            "not_submitted",
            Some(reason.into()),
        );
    }
    for s in &plan.states {
        send(
            tx,
            state_action(s.to),
            s.line,
            &s.key,
            Some(&s.user_id),
            "not_submitted",
            Some(reason.into()),
        );
    }
    for m in &plan.memberships {
        let action = if m.op == EdgeOp::Add {
            Action::GroupAdd
        } else {
            Action::GroupRemove
        };
        let _ = tx.send(SyncOutcome {
            action,
            line: m.line,
            key: m.key.clone(),
            user_id: m.user_id.clone(),
            group: Some(m.group.clone()),
            outcome: "not_submitted".into(),
            reason: Some(reason.into()),
        });
    }
}

fn emit(
    tx: &Tx,
    m: &crate::sync::PlannedMembership,
    user: Option<&str>,
    outcome: &str,
    reason: Option<String>,
) {
    let action = if m.op == EdgeOp::Add {
        Action::GroupAdd
    } else {
        Action::GroupRemove
    };
    let _ = tx.send(SyncOutcome {
        action,
        line: m.line,
        key: m.key.clone(),
        user_id: user.map(str::to_owned),
        group: Some(m.group.clone()),
        outcome: outcome.to_owned(),
        reason,
    });
}
