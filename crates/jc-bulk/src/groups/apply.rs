//! Sending a membership plan ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 29-31): one `POST
//! /usergroups/{group_id}/members` per change, paced by the session's shared rate limit with a
//! bounded number in flight, retried as reads (an edge change is idempotent in effect), and
//! each answer read as the outcome of that change.

use super::plan::{EdgeOp, MemberChange, MemberPlan};
use crate::control::ImportControl;
use crate::error::InvalidInput;
use crate::request::encode_segment;
use crate::response;
use crate::session::Session;
use futures::{stream, Stream, StreamExt};
use http::{Method, StatusCode};
use jc_models::{GraphOperationUserGroupMember, MemberOp};
use std::sync::Arc;

/// What became of one membership change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeOutcome {
    /// The user was added. `confirmed_on_retry`: a resend after a failure was answered
    /// "already exists", so an earlier attempt did it (section 30).
    Added {
        /// A resend found the change made.
        confirmed_on_retry: bool,
    },
    /// The user was removed (`confirmed_on_retry` as for `Added`).
    Removed {
        /// A resend found the change made.
        confirmed_on_retry: bool,
    },
    /// Already a member: nothing to do (seen in the snapshot, or answered 409 to a first
    /// attempt: someone added it after the snapshot).
    AlreadyMember,
    /// Not a member: nothing to do (as for `AlreadyMember`, with 404).
    NotMember,
    /// The change failed.
    Failed {
        /// Why, in the server's words where it gave some.
        reason: String,
        /// The HTTP status, when an answer came.
        status: Option<u16>,
        /// The server's request id, when it gave one.
        request_id: Option<String>,
    },
    /// The change was not sent.
    NotSent {
        /// Why (a dynamic group, an interruption).
        reason: String,
    },
}

impl ChangeOutcome {
    /// `added`, `removed`, `already_member`, `not_member`, `failed` or `not_sent`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Added { .. } => "added",
            Self::Removed { .. } => "removed",
            Self::AlreadyMember => "already_member",
            Self::NotMember => "not_member",
            Self::Failed { .. } => "failed",
            Self::NotSent { .. } => "not_sent",
        }
    }

    /// True when the membership is as asked (changed now or already so).
    pub fn is_success(&self) -> bool {
        !matches!(self, Self::Failed { .. } | Self::NotSent { .. })
    }

    /// The reason of a failure or of a change not sent, or the note of a confirmation.
    pub fn reason(&self) -> Option<String> {
        match self {
            Self::Failed { reason, .. } | Self::NotSent { reason } => Some(reason.clone()),
            Self::Added {
                confirmed_on_retry: true,
            }
            | Self::Removed {
                confirmed_on_retry: true,
            } => Some("confirmed on retry".into()),
            _ => None,
        }
    }
}

/// One change and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeResult {
    /// The change.
    pub change: MemberChange,
    /// Its outcome.
    pub outcome: ChangeOutcome,
}

/// How a plan is sent.
#[derive(Debug, Clone)]
pub struct ChangeOptions {
    concurrency: usize,
    users_verified: bool,
}

impl Default for ChangeOptions {
    fn default() -> Self {
        Self {
            concurrency: Self::DEFAULT_CONCURRENCY,
            users_verified: true,
        }
    }
}

impl ChangeOptions {
    /// Changes in flight at once by default (section 31).
    pub const DEFAULT_CONCURRENCY: usize = 4;

    /// At most `n` changes in flight (1..=16).
    ///
    /// # Errors
    /// `n` outside 1..=16.
    pub fn with_concurrency(mut self, n: usize) -> Result<Self, InvalidInput> {
        if !(1..=16).contains(&n) {
            return Err(InvalidInput::Argument(format!(
                "the membership changes in flight must be 1..=16, not {n}"
            )));
        }
        self.concurrency = n;
        Ok(self)
    }

    /// Changes in flight at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// Whether the plan's user ids come from this run's reads (the default). Only then is a
    /// 404 to a remove read as `not_member`; otherwise it fails as "group or user not found".
    #[must_use]
    pub fn with_users_verified(mut self, verified: bool) -> Self {
        self.users_verified = verified;
        self
    }
}

/// Every change of `plan` with its outcome: refused changes first (`not_sent`), then no-ops
/// (no request), then the changes as their answers arrive.
pub(crate) fn apply(
    session: Arc<Session>,
    org: Option<String>,
    plan: MemberPlan,
    options: &ChangeOptions,
    control: ImportControl,
) -> impl Stream<Item = ChangeResult> + Send + 'static {
    let settled: Vec<ChangeResult> = plan
        .refused
        .into_iter()
        .map(|(change, reason)| ChangeResult {
            change,
            outcome: ChangeOutcome::NotSent { reason },
        })
        .chain(plan.no_ops.into_iter().map(|change| {
            let outcome = match change.op {
                EdgeOp::Add => ChangeOutcome::AlreadyMember,
                EdgeOp::Remove => ChangeOutcome::NotMember,
            };
            ChangeResult { change, outcome }
        }))
        .collect();
    let verified = options.users_verified;
    let sent = stream::iter(plan.changes)
        .map(move |change| {
            let (session, org, control) = (session.clone(), org.clone(), control.clone());
            async move {
                let outcome = if control.is_stopping() {
                    ChangeOutcome::NotSent {
                        reason: "interrupted before it was sent".into(),
                    }
                } else {
                    send(&session, org.as_deref(), &change, verified).await
                };
                ChangeResult { change, outcome }
            }
        })
        .buffer_unordered(options.concurrency);
    stream::iter(settled).chain(sent)
}

/// Sends one change and reads its answer (sections 29-30).
async fn send(
    session: &Session,
    org: Option<&str>,
    change: &MemberChange,
    users_verified: bool,
) -> ChangeOutcome {
    let op = match change.op {
        EdgeOp::Add => MemberOp::Add,
        EdgeOp::Remove => MemberOp::Remove,
    };
    let body = GraphOperationUserGroupMember::user(op, change.user_id.clone());
    let path = format!("/usergroups/{}/members", encode_segment(&change.group_id));
    let request = session
        .endpoint()
        .json(Method::POST, &path, &body, org)
        .map(|mut request| {
            request
                .extensions_mut()
                .insert(jc_transport::Idempotency::Idempotent);
            request
        });
    let response = match request {
        Ok(request) => session.send(request).await,
        Err(error) => Err(error),
    };
    let response = match response {
        Ok(response) => response,
        Err(error) => {
            return ChangeOutcome::Failed {
                reason: error.to_string(),
                status: error.status().map(|s| s.as_u16()),
                request_id: None,
            }
        }
    };
    let retried = response
        .extensions()
        .get::<jc_transport::Attempt>()
        .is_some_and(|a| a.0 > 1);
    let status = response.status();
    if status.is_success() {
        return match change.op {
            EdgeOp::Add => ChangeOutcome::Added {
                confirmed_on_retry: false,
            },
            EdgeOp::Remove => ChangeOutcome::Removed {
                confirmed_on_retry: false,
            },
        };
    }
    let error = response::api_error(&response);
    let message = error.summary();
    let exists = status == StatusCode::CONFLICT
        || (status == StatusCode::BAD_REQUEST && message.to_lowercase().contains("already exist"));
    match change.op {
        EdgeOp::Add if exists && retried => ChangeOutcome::Added {
            confirmed_on_retry: true,
        },
        EdgeOp::Add if exists => ChangeOutcome::AlreadyMember,
        EdgeOp::Remove if status == StatusCode::NOT_FOUND && users_verified && retried => {
            ChangeOutcome::Removed {
                confirmed_on_retry: true,
            }
        }
        EdgeOp::Remove if status == StatusCode::NOT_FOUND && users_verified => {
            ChangeOutcome::NotMember
        }
        _ => ChangeOutcome::Failed {
            reason: if status == StatusCode::NOT_FOUND {
                format!("group or user not found ({message})")
            } else {
                format!("{status}: {message}")
            },
            status: Some(status.as_u16()),
            request_id: error.request_id,
        },
    }
}
