//! Scheduled state changes: create, list, cancel, and the next events per user
//! ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 3, 5, 6, 7 and 8).

use crate::ids::Kind;
use crate::query::{all, filters, page, slice};
use crate::reply::{field_violation, Reply};
use crate::shared::{ApiRequest, Shared};
use crate::store::ScheduledChange;
use http::StatusCode;
use jc_models::{
    ApiTime, BulkScheduledStatechangeCreate, ScheduledUserstateResult, StateChange, Validate,
};
use serde_json::{json, Value};

/// The wire form of a scheduled change.
fn result(change: &ScheduledChange) -> ScheduledUserstateResult {
    ScheduledUserstateResult {
        scheduled_date: Some(ApiTime::from(change.at)),
        scheduled_job_id: Some(change.id.clone()),
        state: Some(change.state.into()),
        system_user_id: Some(change.user_id.clone()),
        ..ScheduledUserstateResult::default()
    }
}

fn to_json(changes: &[ScheduledChange]) -> Value {
    Value::Array(
        changes
            .iter()
            .map(|c| serde_json::to_value(result(c)).unwrap_or_default())
            .collect(),
    )
}

/// Changes in the order they happen (then by id).
fn in_order(mut changes: Vec<ScheduledChange>) -> Vec<ScheduledChange> {
    changes.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    changes
}

/// POST /bulk/userstates: one scheduled change per user id.
pub(crate) fn create(shared: &Shared, request: &ApiRequest) -> Reply {
    let body: BulkScheduledStatechangeCreate = match serde_json::from_slice(&request.body) {
        Ok(body) => body,
        Err(error) => {
            return Reply::bad_request(
                format!("invalid body: {error}"),
                vec![field_violation(
                    "body",
                    "not a bulk-scheduled-statechange-create",
                )],
            )
        }
    };
    if let Err(violations) = body.validate() {
        let details = violations
            .iter()
            .map(|v| field_violation(&v.field, &v.problem.to_string()))
            .collect();
        return Reply::bad_request(format!("invalid body: {violations}"), details);
    }
    let mut state = shared.state();
    let org = state.org(&request.caller.org);
    let unknown: Vec<&String> = body
        .user_ids
        .iter()
        .filter(|id| !org.users.contains_key(id.as_str()))
        .collect();
    if !unknown.is_empty() {
        let list = unknown
            .iter()
            .map(|id| id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Reply::bad_request(
            format!("unknown user ids: {list}"),
            vec![field_violation("user_ids", "unknown user id")],
        );
    }
    let created: Vec<ScheduledChange> = body
        .user_ids
        .iter()
        .map(|user_id| ScheduledChange {
            id: shared.ids.next(Kind::Scheduled),
            user_id: user_id.clone(),
            state: body.state,
            at: body.start_date.instant(),
            send_activation_emails: body.send_activation_emails,
            activation_email_override: body.activation_email_override.clone(),
        })
        .collect();
    for change in &created {
        org.scheduled.insert(change.id.clone(), change.clone());
    }
    Reply::json(StatusCode::CREATED, to_json(&created))
}

/// GET /bulk/userstates: filtered by `filter` and `userid`, paged by `limit` and `skip`.
pub(crate) fn list(shared: &Shared, request: &ApiRequest) -> Reply {
    let (limit, skip) = match page(&request.query) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let filters = match filters(&all(&request.query, "filter")) {
        Ok(filters) => filters,
        Err(reply) => return reply,
    };
    let user = all(&request.query, "userid")
        .last()
        .map(|id| id.to_string());
    let mut state = shared.state();
    let org = state.org(&request.caller.org);
    let matching = in_order(
        org.scheduled
            .values()
            .filter(|c| user.as_deref().is_none_or(|u| c.user_id == u))
            .filter(|c| filters.iter().all(|f| f.matches(c)))
            .cloned()
            .collect(),
    );
    Reply::json(StatusCode::OK, to_json(&slice(&matching, limit, skip)))
}

/// DELETE /bulk/userstates/{id}.
pub(crate) fn delete(shared: &Shared, request: &ApiRequest, id: &str) -> Reply {
    let mut state = shared.state();
    match state.org(&request.caller.org).scheduled.remove(id) {
        Some(_) => Reply::no_content(),
        None => Reply::error(
            StatusCode::NOT_FOUND,
            format!("scheduled job {id} not found"),
        ),
    }
}

/// GET /bulk/userstates/eventlist/next: per user, the next change of each state.
pub(crate) fn next(shared: &Shared, request: &ApiRequest) -> Reply {
    let (limit, skip) = match page(&request.query) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let users: Vec<String> = all(&request.query, "users")
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    if users.is_empty() {
        return Reply::bad_request(
            "users is required: one or more user ids",
            vec![field_violation("users", "required")],
        );
    }
    if users.len() > 100 {
        return Reply::bad_request(
            format!("users holds at most 100 ids; {} were given", users.len()),
            vec![field_violation("users", "more than 100 items")],
        );
    }
    let mut state = shared.state();
    let org = state.org(&request.caller.org);
    let mut events = Vec::new();
    for user in &users {
        for target in StateChange::ALL {
            let first = org
                .scheduled
                .values()
                .filter(|c| &c.user_id == user && c.state == *target)
                .min_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
            if let Some(change) = first {
                if !events.iter().any(|e: &ScheduledChange| e.id == change.id) {
                    events.push(change.clone());
                }
            }
        }
    }
    let events = in_order(events);
    Reply::json(
        StatusCode::OK,
        json!({
            "events_count": events.len(),
            "results": to_json(&slice(&events, limit, skip)),
        }),
    )
}
