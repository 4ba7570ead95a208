//! Bulk user jobs: submission (create, update, expire, unlock), results, and the legacy
//! `/jobs` paths ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 1, 2, 3, 11, 12, 13, 14, 15).

use crate::ids::Kind;
use crate::query::{all, page, slice};
use crate::reply::{field_violation, Reply};
use crate::shared::{ApiRequest, Shared};
use crate::store::{JobKind, MockJob};
use http::StatusCode;
use jc_models::{ApiTime, CreationSource, JobDetails, JobWorkresult, WorkStatus};
use serde_json::{json, Map, Value};

fn suppress_email(request: &ApiRequest) -> Result<Option<bool>, Reply> {
    match all(&request.query, "suppressEmail").last() {
        None => Ok(None),
        Some(text) => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(Reply::bad_request(
                format!("suppressEmail must be true or false, not `{text}`"),
                vec![field_violation("suppressEmail", "not a boolean")],
            )),
        },
    }
}

fn creation_source(request: &ApiRequest) -> Result<Option<String>, Reply> {
    let Some(value) = request.headers.get("creation-source") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    text.parse::<CreationSource>()
        .map(|source| Some(source.as_str().to_owned()))
        .map_err(|error| {
            Reply::bad_request(
                format!("invalid creation-source header: {error}"),
                vec![field_violation("creation-source", "unknown value")],
            )
        })
}

/// The body as records: a JSON array of objects, 1..=cap of them.
fn records(request: &ApiRequest, cap: usize) -> Result<Vec<Value>, Reply> {
    let not_array = |why: String| {
        Reply::bad_request(
            format!("the body must be a JSON array of objects: {why}"),
            vec![field_violation("body", "not a JSON array of objects")],
        )
    };
    let value: Value = serde_json::from_slice(&request.body)
        .map_err(|error| not_array(format!("not JSON ({error})")))?;
    let Value::Array(items) = value else {
        return Err(not_array("the JSON is not an array".into()));
    };
    if let Some(i) = items.iter().position(|item| !item.is_object()) {
        return Err(not_array(format!("element {i} is not an object")));
    }
    if items.is_empty() {
        return Err(Reply::bad_request(
            "the body holds no records",
            vec![field_violation("body", "empty array")],
        ));
    }
    if items.len() > cap {
        return Err(Reply::bad_request(
            format!(
                "a job holds at most {cap} records; this one has {}",
                items.len()
            ),
            vec![field_violation("body", "too many records")],
        ));
    }
    Ok(items)
}

/// POST/PATCH /bulk/users, POST /bulk/user/expires, POST /bulk/user/unlocks.
pub(crate) fn submit(shared: &Shared, request: &ApiRequest, kind: JobKind) -> Reply {
    let creation_source = match kind {
        JobKind::Create => match creation_source(request) {
            Ok(source) => Some(source.unwrap_or_else(|| CreationSource::Bulk.as_str().to_owned())),
            Err(reply) => return reply,
        },
        _ => None,
    };
    let suppress_email = match kind {
        JobKind::Create | JobKind::Update => match suppress_email(request) {
            Ok(flag) => flag,
            Err(reply) => return reply,
        },
        _ => None,
    };
    let records = match records(request, shared.config.job_cap) {
        Ok(records) => records,
        Err(reply) => return reply,
    };
    let now = shared.clock.now();
    let job_id = shared.ids.next(Kind::Job);
    let results = (0..records.len())
        .map(|index| {
            let mut meta = Map::new();
            meta.insert("index".into(), json!(index));
            JobWorkresult {
                id: Some(shared.ids.next(Kind::WorkResult)),
                status: Some(WorkStatus::Pending),
                status_msg: Some(String::new()),
                meta: Some(meta),
                persisted_fields: Some(Map::new()),
                created_at: Some(ApiTime::from(now)),
                updated_at: Some(ApiTime::from(now)),
                ..JobWorkresult::default()
            }
        })
        .collect();
    let job = MockJob {
        id: job_id.clone(),
        kind,
        admin_id: format!("{:024x}", request.caller.admin_index + 1),
        created_at: now,
        records,
        results,
        processed: 0,
        creation_source,
        suppress_email,
    };
    {
        let mut state = shared.state();
        let org = state.org(&request.caller.org);
        org.jobs.insert(job_id.clone(), job);
        org.job_order.push(job_id.clone());
        state
            .queue
            .push_back((request.caller.org.clone(), job_id.clone()));
    }
    shared.work.notify_one();
    Reply::json(StatusCode::CREATED, json!({ "jobId": job_id }))
}

fn unknown_job(job_id: &str) -> Reply {
    Reply::error(StatusCode::NOT_FOUND, format!("job {job_id} not found"))
}

/// GET /bulk/users/{job_id}/results and GET /jobs/{id}/results.
pub(crate) fn results(shared: &Shared, request: &ApiRequest, job_id: &str) -> Reply {
    let (limit, skip) = match page(&request.query) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let read = shared
        .result_reads
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut state = shared.state();
    let org = state.org(&request.caller.org);
    let Some(job) = org.jobs.get(job_id) else {
        return unknown_job(job_id);
    };
    let quirks = &shared.config.quirks;
    let items = if quirks.is_none() {
        slice(&job.results, limit, skip)
            .into_iter()
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .collect()
    } else {
        let number = org
            .job_order
            .iter()
            .position(|id| id == job_id)
            .unwrap_or(0);
        let all = job
            .results
            .iter()
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .collect();
        slice(&quirks.results(all, number, read), limit, skip)
    };
    Reply::json(StatusCode::OK, Value::Array(items))
}

/// GET /jobs/{id}: `job-details` (section 14).
pub(crate) fn details(shared: &Shared, request: &ApiRequest, job_id: &str) -> Reply {
    let mut state = shared.state();
    let Some(job) = state.org(&request.caller.org).jobs.get(job_id) else {
        return unknown_job(job_id);
    };
    let updated = job
        .results
        .iter()
        .filter_map(|r| r.updated_at.as_ref()?.instant())
        .max()
        .unwrap_or(job.created_at);
    let mut meta = Map::new();
    if let Some(source) = &job.creation_source {
        meta.insert("creationSource".into(), json!(source));
    }
    let details = JobDetails {
        id: Some(job.id.clone()),
        admin_id: Some(job.admin_id.clone()),
        name: Some(job.kind.name().to_owned()),
        status: Some(if job.is_finished() {
            WorkStatus::Finished
        } else {
            WorkStatus::Pending
        }),
        work_units_count: Some(job.records.len() as i64),
        meta: Some(meta),
        persisted_fields: Some(Vec::new()),
        updated_at: Some(ApiTime::from(updated)),
        ..JobDetails::default()
    };
    Reply::json(
        StatusCode::OK,
        serde_json::to_value(details).unwrap_or_default(),
    )
}
