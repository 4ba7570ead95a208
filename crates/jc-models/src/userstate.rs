//! Scheduled user state changes (suspend / activate at a given time).

use crate::enums::{StateChange, UserState};
use crate::time::{ApiTime, Timestamp};
use crate::validate::{Checker, Problem, Validate, Violations};
use serde_json::{Map, Value};

/// Schedules a state change for users (`bulk-scheduled-statechange-create`).
///
/// ```
/// use jc_models::{BulkScheduledStatechangeCreate, StateChange, Timestamp};
/// let at = Timestamp::parse("2026-01-01T09:00:00Z").unwrap();
/// let body = BulkScheduledStatechangeCreate::new(StateChange::Suspended, at, ["5be9fb4ddb01290001e85109"]);
/// assert_eq!(
///     serde_json::to_value(&body).unwrap(),
///     serde_json::json!({
///         "state": "SUSPENDED",
///         "start_date": "2026-01-01T09:00:00.000Z",
///         "user_ids": ["5be9fb4ddb01290001e85109"]
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BulkScheduledStatechangeCreate {
    /// Send the activation e-mail to this address instead; only with `ACTIVATED` and exactly
    /// one user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_email_override: Option<String>,
    /// Send (true) or suppress (false) activation e-mails; only with `ACTIVATED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_activation_emails: Option<bool>,
    /// When the change happens (sent as RFC 3339 UTC).
    pub start_date: Timestamp,
    /// The state to move the users to.
    pub state: StateChange,
    /// The users.
    pub user_ids: Vec<String>,
    /// Properties this SDK does not model: kept when read and written back when sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl BulkScheduledStatechangeCreate {
    /// A change of `user_ids` to `state` at `start_date`.
    pub fn new<I, S>(state: StateChange, start_date: Timestamp, user_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            activation_email_override: None,
            send_activation_emails: None,
            start_date,
            state,
            user_ids: user_ids.into_iter().map(Into::into).collect(),
            extra: Map::new(),
        }
    }
}

impl Validate for BulkScheduledStatechangeCreate {
    /// At least one non-blank user id; activation e-mail options only with `ACTIVATED`, and an
    /// override only for exactly one user ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 8).
    fn validate(&self) -> Result<(), Violations> {
        let mut check = Checker::default();
        if self.user_ids.is_empty() {
            check.push("user_ids", Problem::Required);
        }
        for (i, id) in self.user_ids.iter().enumerate() {
            check.required(&format!("user_ids[{i}]"), Some(id));
        }
        let activating = self.state == StateChange::Activated;
        if self.send_activation_emails.is_some() && !activating {
            check.push(
                "send_activation_emails",
                Problem::Invalid("can only be used with state ACTIVATED".into()),
            );
        }
        if let Some(address) = &self.activation_email_override {
            if !activating {
                check.push(
                    "activation_email_override",
                    Problem::Invalid("can only be used with state ACTIVATED".into()),
                );
            }
            if self.user_ids.len() != 1 {
                check.push(
                    "activation_email_override",
                    Problem::Invalid(format!(
                        "can only be used with exactly one user id ({} given)",
                        self.user_ids.len()
                    )),
                );
            }
            check.email("activation_email_override", Some(address));
        }
        check.finish()
    }
}

model! {
    /// One scheduled change (`scheduled-userstate-result`).
    pub struct ScheduledUserstateResult {
        /// When the change happens (UTC).
        #[serde(rename = "scheduledDate")]
        pub scheduled_date: ApiTime,
        /// Id of this scheduled change; DELETE /bulk/userstates/{id} cancels it.
        #[serde(rename = "scheduledJobId")]
        pub scheduled_job_id: String,
        /// The state the user will be in.
        pub state: UserState,
        /// The user.
        #[serde(rename = "systemUserId")]
        pub system_user_id: String,
    }
}

model! {
    /// The answer of GET /bulk/userstates/eventlist/next (`BulkUserStatesGetNextScheduledResponse`).
    pub struct BulkUserStatesGetNextScheduledResponse {
        /// Number of events for the queried users; more than the page size means more pages.
        pub events_count: i64,
        /// The next events.
        pub results: Vec<ScheduledUserstateResult>,
    }
}
