//! What the mock remembers, per org: users, bulk jobs with their results, scheduled changes.

use chrono::{DateTime, Utc};
use jc_models::{JobWorkresult, StateChange};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// A user in a mock org.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MockUser {
    /// Object id.
    pub id: String,
    /// Username as given.
    pub username: String,
    /// E-mail, lowercased ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 13).
    pub email: String,
    /// Employee identifier, unique in the org.
    pub employee_identifier: Option<String>,
    /// `STAGED`, `ACTIVATED` or `SUSPENDED`.
    pub state: String,
    /// Whether the account is locked (bulk unlock clears it).
    pub account_locked: bool,
    /// Whether the password was expired (bulk expire sets it).
    pub password_expired: bool,
    /// Every other property set by create and update records (never the password).
    pub fields: Map<String, Value>,
    /// The job that created the user, if a job did.
    pub created_by_job: Option<String>,
    /// When it was created (`created` in the v1 reads). Users the mock starts with
    /// (`seed_users`) were created on [`SEED_CREATED`](crate::SEED_CREATED), before any run.
    pub created: DateTime<Utc>,
}

/// What a bulk job does to each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// POST /bulk/users.
    Create,
    /// PATCH /bulk/users.
    Update,
    /// POST /bulk/user/expires.
    Expire,
    /// POST /bulk/user/unlocks.
    Unlock,
}

impl JobKind {
    /// The job's name in `job-details`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Create => "bulk-user-create",
            Self::Update => "bulk-user-update",
            Self::Expire => "bulk-user-expire",
            Self::Unlock => "bulk-user-unlock",
        }
    }
}

/// A bulk job and its results.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MockJob {
    /// Job id.
    pub id: String,
    /// What it does.
    pub kind: JobKind,
    /// The admin's API key index (for `adminId`).
    pub admin_id: String,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// The submitted records, as sent; each becomes `null` once processed (memory).
    pub records: Vec<Value>,
    /// One result per record, in submission order.
    pub results: Vec<JobWorkresult>,
    /// How many records are processed.
    pub processed: usize,
    /// `creation-source` of a create job.
    pub creation_source: Option<String>,
    /// `suppressEmail` of a create or update job.
    pub suppress_email: Option<bool>,
}

impl MockJob {
    /// True once every record is processed.
    pub fn is_finished(&self) -> bool {
        self.processed >= self.records.len()
    }
}

/// A scheduled state change.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ScheduledChange {
    /// `scheduledJobId`.
    pub id: String,
    /// `systemUserId`.
    pub user_id: String,
    /// The state to move to.
    pub state: StateChange,
    /// When.
    pub at: DateTime<Utc>,
    /// `send_activation_emails` as given.
    pub send_activation_emails: Option<bool>,
    /// `activation_email_override` as given.
    pub activation_email_override: Option<String>,
}

/// One org's data.
#[derive(Debug, Default)]
pub(crate) struct Org {
    pub(crate) users: BTreeMap<String, MockUser>,
    pub(crate) by_username: HashMap<String, String>,
    pub(crate) by_email: HashMap<String, String>,
    pub(crate) by_employee_id: HashMap<String, String>,
    pub(crate) jobs: HashMap<String, MockJob>,
    pub(crate) job_order: Vec<String>,
    pub(crate) scheduled: BTreeMap<String, ScheduledChange>,
    /// User groups in creation order (`crate::groups`).
    pub(crate) groups: Vec<crate::groups::MockGroup>,
}

/// Case-insensitive key for uniqueness checks.
pub(crate) fn key(text: &str) -> String {
    text.trim().to_lowercase()
}

impl Org {
    /// Adds or replaces a user, keeping the uniqueness indexes right.
    pub(crate) fn put_user(&mut self, user: MockUser) {
        if let Some(old) = self.users.get(&user.id).cloned() {
            self.by_username.remove(&key(&old.username));
            self.by_email.remove(&key(&old.email));
            if let Some(e) = &old.employee_identifier {
                self.by_employee_id.remove(&key(e));
            }
        }
        self.by_username
            .insert(key(&user.username), user.id.clone());
        self.by_email.insert(key(&user.email), user.id.clone());
        if let Some(e) = &user.employee_identifier {
            self.by_employee_id.insert(key(e), user.id.clone());
        }
        self.users.insert(user.id.clone(), user);
    }

    /// The id holding `value` in `index`, if another user than `except` holds it.
    pub(crate) fn taken<'a>(
        index: &'a HashMap<String, String>,
        value: &str,
        except: Option<&str>,
    ) -> Option<&'a String> {
        index
            .get(&key(value))
            .filter(|holder| Some(holder.as_str()) != except)
    }

    /// Applies every scheduled change due at `now` and removes it.
    pub(crate) fn apply_due(&mut self, now: DateTime<Utc>) {
        let due: Vec<ScheduledChange> = self
            .scheduled
            .values()
            .filter(|change| change.at <= now)
            .cloned()
            .collect();
        let mut due = due;
        due.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        for change in due {
            self.scheduled.remove(&change.id);
            if let Some(user) = self.users.get_mut(&change.user_id) {
                user.state = change.state.as_str().to_owned();
            }
        }
    }
}

/// Everything, across orgs, plus the queue of jobs waiting for the processor.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) orgs: HashMap<String, Org>,
    pub(crate) queue: VecDeque<(String, String)>,
}

impl State {
    pub(crate) fn org(&mut self, org: &str) -> &mut Org {
        self.orgs.entry(org.to_owned()).or_default()
    }
}
