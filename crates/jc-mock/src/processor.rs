//! The background processor: takes queued jobs in submission order and settles each record as
//! `finished` or `failed` ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 2, 13 and 15).

use crate::ids::{IdGen, Kind};
use crate::store::{JobKind, MockUser, Org, State};
use chrono::{DateTime, Utc};
use jc_models::{
    ApiTime, BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate, Validate, WorkStatus,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// What processing a record leads to.
struct Outcome {
    user_id: Option<String>,
    username: Option<String>,
    email: Option<String>,
    persisted: Map<String, Value>,
}

type Settled = Result<Outcome, String>;

fn read<T: DeserializeOwned>(record: &Value) -> Result<T, String> {
    serde_json::from_value(record.clone()).map_err(|error| format!("invalid record: {error}"))
}

fn check<T: Validate>(record: &T) -> Result<(), String> {
    record
        .validate()
        .map_err(|violations| format!("invalid record: {violations}"))
}

/// The record's own properties that were applied, minus the password.
fn persisted(record: &Value) -> Map<String, Value> {
    let mut fields = record.as_object().cloned().unwrap_or_default();
    fields.remove("password");
    fields
}

pub(crate) fn create(
    org: &mut Org,
    record: &Value,
    (job_id, now): (Option<&str>, DateTime<Utc>),
    ids: &IdGen,
    default_state: &str,
) -> Result<String, String> {
    create_user(org, record, (job_id, now), ids, default_state)
        .and_then(|outcome| outcome.user_id.ok_or_else(String::new))
}

fn create_user(
    org: &mut Org,
    record: &Value,
    (job_id, now): (Option<&str>, DateTime<Utc>),
    ids: &IdGen,
    default_state: &str,
) -> Settled {
    let user: BulkUserCreate = read(record)?;
    check(&user)?;
    let username = user.username.clone().unwrap_or_default().trim().to_owned();
    let email = user.email.clone().unwrap_or_default().trim().to_lowercase();
    let mut conflicts = Vec::new();
    if Org::taken(&org.by_username, &username, None).is_some() {
        conflicts.push(format!("username `{username}` already exists"));
    }
    if Org::taken(&org.by_email, &email, None).is_some() {
        conflicts.push(format!("email `{email}` already exists"));
    }
    if let Some(employee) = &user.employee_identifier {
        if Org::taken(&org.by_employee_id, employee, None).is_some() {
            conflicts.push(format!("employeeIdentifier `{employee}` already exists"));
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts.join("; "));
    }
    let mut fields = persisted(record);
    fields.insert("email".into(), json!(email));
    let id = ids.next(Kind::User);
    org.put_user(MockUser {
        id: id.clone(),
        username: username.clone(),
        email: email.clone(),
        employee_identifier: user.employee_identifier.clone(),
        state: user
            .state
            .map_or_else(|| default_state.to_owned(), |s| s.as_str().to_owned()),
        account_locked: user.account_locked.unwrap_or(false),
        password_expired: false,
        fields: fields.clone(),
        created_by_job: job_id.map(str::to_owned),
        created: now,
    });
    Ok(Outcome {
        user_id: Some(id),
        username: Some(username),
        email: Some(email),
        persisted: fields,
    })
}

fn existing<'a>(org: &'a Org, id: Option<&str>) -> Result<&'a MockUser, String> {
    let id = id.unwrap_or_default();
    org.users
        .get(id)
        .ok_or_else(|| format!("user `{id}` does not exist"))
}

fn update(org: &mut Org, record: &Value) -> Settled {
    let change: BulkUserUpdate = read(record)?;
    check(&change)?;
    let mut user = existing(org, change.id.as_deref())?.clone();
    let mut conflicts = Vec::new();
    if let Some(username) = &change.username {
        if Org::taken(&org.by_username, username, Some(&user.id)).is_some() {
            conflicts.push(format!("username `{username}` already exists"));
        }
    }
    if let Some(email) = &change.email {
        if Org::taken(&org.by_email, email, Some(&user.id)).is_some() {
            conflicts.push(format!("email `{email}` already exists"));
        }
    }
    if let Some(employee) = &change.employee_identifier {
        if Org::taken(&org.by_employee_id, employee, Some(&user.id)).is_some() {
            conflicts.push(format!("employeeIdentifier `{employee}` already exists"));
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts.join("; "));
    }
    let mut fields = persisted(record);
    fields.remove("id");
    if let Some(username) = &change.username {
        user.username = username.trim().to_owned();
    }
    if let Some(email) = &change.email {
        user.email = email.trim().to_lowercase();
        fields.insert("email".into(), json!(user.email));
    }
    if change.employee_identifier.is_some() {
        user.employee_identifier = change.employee_identifier.clone();
    }
    if let Some(state) = change.state {
        user.state = state.as_str().to_owned();
    }
    if let Some(locked) = change.account_locked {
        user.account_locked = locked;
    }
    user.fields.extend(fields.clone());
    let outcome = Outcome {
        user_id: Some(user.id.clone()),
        username: Some(user.username.clone()),
        email: Some(user.email.clone()),
        persisted: fields,
    };
    org.put_user(user);
    Ok(outcome)
}

fn expire_or_unlock(org: &mut Org, record: &Value, kind: JobKind) -> Settled {
    let id = if kind == JobKind::Expire {
        let target: BulkUserExpire = read(record)?;
        check(&target)?;
        target.id
    } else {
        let target: BulkUserUnlock = read(record)?;
        check(&target)?;
        target.id
    };
    let mut user = existing(org, id.as_deref())?.clone();
    let persisted = if kind == JobKind::Expire {
        user.password_expired = true;
        json!({"password_expired": true})
    } else {
        user.account_locked = false;
        json!({"account_locked": false})
    };
    let outcome = Outcome {
        user_id: Some(user.id.clone()),
        username: Some(user.username.clone()),
        email: Some(user.email.clone()),
        persisted: persisted.as_object().cloned().unwrap_or_default(),
    };
    org.put_user(user);
    Ok(outcome)
}

/// Settles record `index` of job `job_id` in `org`.
pub(crate) fn settle(
    org: &mut Org,
    job_id: &str,
    index: usize,
    ids: &IdGen,
    default_state: &str,
    now: DateTime<Utc>,
) {
    let Some(job) = org.jobs.get(job_id) else {
        return;
    };
    let (kind, record) = (job.kind, job.records[index].clone());
    let settled = match kind {
        JobKind::Create => create_user(org, &record, (Some(job_id), now), ids, default_state),
        JobKind::Update => update(org, &record),
        JobKind::Expire | JobKind::Unlock => expire_or_unlock(org, &record, kind),
    };
    let Some(job) = org.jobs.get_mut(job_id) else {
        return;
    };
    let result = &mut job.results[index];
    let meta = result.meta.get_or_insert_with(Map::new);
    match settled {
        Ok(outcome) => {
            result.status = Some(WorkStatus::Finished);
            result.status_msg = Some(String::new());
            for (key, value) in [
                ("username", outcome.username),
                ("email", outcome.email),
                ("userId", outcome.user_id),
            ] {
                if let Some(value) = value {
                    meta.insert(key.into(), json!(value));
                }
            }
            result.persisted_fields = Some(outcome.persisted);
        }
        Err(reason) => {
            // Name the record by what it said, so the client can match it.
            for key in ["username", "email", "id"] {
                if let Some(value) = record.get(key).filter(|v| v.is_string()) {
                    let key = if key == "id" { "userId" } else { key };
                    meta.insert(key.into(), value.clone());
                }
            }
            result.status = Some(WorkStatus::Failed);
            result.status_msg = Some(reason);
            result.persisted_fields = Some(Map::new());
        }
    }
    result.updated_at = Some(ApiTime::from(now));
    job.processed = job.processed.max(index + 1);
    // The record is settled; its text is no longer needed (keeps big runs small).
    job.records[index] = Value::Null;
}

/// Processes up to `budget` records from the front of the queue; returns how many it did.
pub(crate) fn process(
    state: &mut State,
    budget: usize,
    ids: &IdGen,
    default_state: &str,
    now: DateTime<Utc>,
) -> usize {
    let mut done = 0;
    while done < budget {
        let Some((org_id, job_id)) = state.queue.front().cloned() else {
            break;
        };
        let org = state.org(&org_id);
        let next = org
            .jobs
            .get(&job_id)
            .map(|job| (job.processed, job.records.len()));
        match next {
            Some((processed, total)) if processed < total => {
                settle(org, &job_id, processed, ids, default_state, now);
                done += 1;
            }
            _ => {
                state.queue.pop_front();
            }
        }
    }
    if let Some((org_id, job_id)) = state.queue.front().cloned() {
        if state
            .org(&org_id)
            .jobs
            .get(&job_id)
            .is_none_or(|job| job.is_finished())
        {
            state.queue.pop_front();
        }
    }
    done
}
