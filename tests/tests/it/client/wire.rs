//! For every operation, the exact request (method, path, query, every header, body) and the typed
//! decoding of the answer, through mockall's `MockTransport` (CONTRACT.md "Operations").

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use jc_bulk::Error;
use jc_bulk::*;
use jc_e2e::{curl_bodies, seed};
use jc_models::*;
use jc_transport::MockTransport;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

pub(super) const KEY: &str = "test-key-0123";
pub(super) const ORG: &str = "5f0c1b2c3d4e5f6a7b8c9d0e";

pub(super) type Seen = Arc<Mutex<Vec<Request<Bytes>>>>;

pub(super) fn answer(status: u16, body: &str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_owned()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    response
        .headers_mut()
        .insert("x-request-id", "req-7".parse().unwrap());
    response
}

/// A client whose transport answers `answers` in order and records every request.
pub(super) fn scripted(org: Option<&str>, answers: Vec<Response<Bytes>>) -> (Client, Seen) {
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let mut mock = MockTransport::new();
    mock.expect_send().returning(move |request| {
        record.lock().unwrap().push(request);
        Ok(answers
            .lock()
            .unwrap()
            .next()
            .expect("an answer for each request"))
    });
    let mut builder = Client::builder()
        .base_url("https://console.jumpcloud.com/api/v2/")
        .api_key(KEY)
        .bare_transport(Arc::new(mock));
    if let Some(org) = org {
        builder = builder.org_id(org);
    }
    (builder.build().unwrap(), seen)
}

pub(super) fn only(seen: &Seen) -> Request<Bytes> {
    let mut requests = seen.lock().unwrap();
    assert_eq!(requests.len(), 1);
    requests.remove(0)
}

/// Method, URL, the standard headers, and the JSON body if any.
pub(super) fn assert_request(
    request: &Request<Bytes>,
    method: &str,
    url: &str,
    org: Option<&str>,
    body: Option<Value>,
) {
    assert_eq!(request.method().as_str(), method);
    assert_eq!(request.uri().to_string(), url);
    let headers = request.headers();
    assert_eq!(headers["x-api-key"], KEY);
    assert!(headers["x-api-key"].is_sensitive());
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(
        headers["user-agent"],
        concat!("jc-bulk/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(headers.get("x-org-id").map(|v| v.to_str().unwrap()), org);
    match body {
        Some(expected) => {
            assert_eq!(headers["content-type"], "application/json");
            let sent: Value = serde_json::from_slice(request.body()).unwrap();
            assert_eq!(sent, expected);
        }
        None => {
            assert!(headers.get("content-type").is_none());
            assert!(request.body().is_empty());
        }
    }
}

pub(super) const BASE: &str = "https://console.jumpcloud.com/api/v2";

fn seed_body(file: &str, needle: &str) -> Value {
    curl_bodies(&seed(file))
        .into_iter()
        .find(|b| b.to_string().contains(needle))
        .unwrap()
}

#[tokio::test]
async fn create_users_sends_the_seed_sample_with_source_and_suppress_email() {
    let (client, seen) = scripted(Some(ORG), vec![answer(201, r#"{"jobId":"j-1"}"#)]);
    let users = jc_e2e::samples::create_users();
    let options = CreateUsersOptions {
        creation_source: Some(CreationSource::Scim),
        suppress_email: Some(true),
        ..CreateUsersOptions::default()
    };
    // Placeholder e-mails are not addresses; the seed sample is sent as is.
    let job = client
        .create_users(
            &users,
            &CreateUsersOptions {
                validate: false,
                ..options
            },
        )
        .await
        .unwrap();
    assert_eq!(job, "j-1");
    let request = only(&seen);
    assert_request(
        &request,
        "POST",
        &format!("{BASE}/bulk/users?suppressEmail=true"),
        Some(ORG),
        Some(seed_body("001_58842e2fff4c0530.txt", "EmployeeID")),
    );
    assert_eq!(request.headers()["creation-source"], "jumpcloud:scim");
    assert_eq!(
        request.extensions().get::<jc_transport::Idempotency>(),
        Some(&jc_transport::Idempotency::NonIdempotent)
    );
}

#[tokio::test]
async fn create_users_validates_every_record_before_sending() {
    let (client, seen) = scripted(None, vec![]);
    let users = vec![
        BulkUserCreate::new("ok", "ok@example.com"),
        BulkUserCreate {
            unix_uid: Some(0),
            ..BulkUserCreate::default()
        },
    ];
    let error = client
        .create_users(&users, &CreateUsersOptions::new())
        .await
        .unwrap_err();
    let Error::InvalidInput(InvalidInput::Records(records)) = &error else {
        panic!("{error}")
    };
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].0, 1);
    assert!(
        records[0].1.has("username") && records[0].1.has("email") && records[0].1.has("unix_uid")
    );
    assert!(seen.lock().unwrap().is_empty(), "nothing sent");
    // A 200 instead of 201 is fine too (spec x-jumpcloud-note).
    let (client, _) = client_ok(200, r#"{"jobId":"j-2"}"#);
    assert_eq!(
        client
            .create_users(&users[..1], &CreateUsersOptions::new())
            .await
            .unwrap(),
        "j-2"
    );
}

pub(super) fn client_ok(status: u16, body: &str) -> (Client, Seen) {
    scripted(None, vec![answer(status, body)])
}

#[tokio::test]
async fn update_users_sends_the_seed_sample() {
    let (client, seen) = client_ok(201, r#"{"jobId":"j-u"}"#);
    let changes = jc_e2e::samples::update_users();
    let job = client
        .update_users(
            &changes,
            &UpdateUsersOptions {
                suppress_email: Some(false),
                org_id: Some("org-override".into()),
                ..UpdateUsersOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(job, "j-u");
    assert_request(
        &only(&seen),
        "PATCH",
        &format!("{BASE}/bulk/users?suppressEmail=false"),
        Some("org-override"),
        Some(seed_body("001_58842e2fff4c0530.txt", "costCenter")),
    );
}

#[tokio::test]
async fn expire_and_unlock_send_ids() {
    let (client, seen) = client_ok(201, r#"{"jobId":"j-e"}"#);
    client
        .expire_users(&[BulkUserExpire::new("u1")], &CallOptions::new())
        .await
        .unwrap();
    assert_request(
        &only(&seen),
        "POST",
        &format!("{BASE}/bulk/user/expires"),
        None,
        Some(json!([{"id": "u1"}])),
    );
    let (client, seen) = client_ok(201, r#"{"jobId":"j-l"}"#);
    client
        .unlock_users(&[BulkUserUnlock::new("u2")], &CallOptions::new())
        .await
        .unwrap();
    assert_request(
        &only(&seen),
        "POST",
        &format!("{BASE}/bulk/user/unlocks"),
        None,
        Some(json!([{"id": "u2"}])),
    );
    let (client, _) = scripted(None, vec![]);
    assert!(client
        .expire_users(&[BulkUserExpire::default()], &CallOptions::new())
        .await
        .is_err());
    assert!(client.unlock_users(&[], &CallOptions::new()).await.is_err());
}

#[tokio::test]
async fn job_results_page_and_its_typed_decoding() {
    let body = json!([{"id": "r1", "status": "finished", "statusMsg": "", "meta": {"index": 0, "userId": "u1"},
                       "persistedFields": {"username": "ada"}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:01Z"}]);
    let (client, seen) = scripted(Some(ORG), vec![answer(200, &body.to_string())]);
    let page = client
        .job_results_page(
            &JobId::new("job/1"),
            Page::new(25, 50).unwrap(),
            &CallOptions::new(),
        )
        .await
        .unwrap();
    assert_request(
        &only(&seen),
        "GET",
        &format!("{BASE}/bulk/users/job%2F1/results?limit=25&skip=50"),
        Some(ORG),
        None,
    );
    assert_eq!(page[0].user_id(), Some("u1"));
    assert_eq!(page[0].status, Some(WorkStatus::Finished));
    assert!(Page::new(0, 0).is_err() && Page::new(101, 0).is_err());
}

#[tokio::test]
async fn schedule_sends_the_seed_sample_and_checks_section_8_first() {
    let body = json!([{"scheduledDate": "2000-01-01T00:00:00.000Z", "scheduledJobId": "s1", "state": "SUSPENDED", "systemUserId": "{User_ID_1}"}]);
    let (client, seen) = client_ok(201, &body.to_string());
    let change = jc_e2e::samples::suspension();
    let created = client
        .schedule_state_change(&change, &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(created[0].scheduled_job_id.as_deref(), Some("s1"));
    assert_request(
        &only(&seen),
        "POST",
        &format!("{BASE}/bulk/userstates"),
        None,
        Some(seed_body("004_7ee6fc1df88c8eb8.txt", "SUSPENDED")),
    );

    let (client, seen) = scripted(None, vec![]);
    let mut bad = change.clone();
    bad.send_activation_emails = Some(true);
    assert!(matches!(
        client
            .schedule_state_change(&bad, &CallOptions::new())
            .await,
        Err(Error::InvalidInput(_))
    ));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn list_scheduled_sends_one_filter_pair_per_filter_section_5() {
    let (client, seen) = client_ok(200, "[]");
    let options = ListScheduledOptions {
        filters: vec![
            Filter::eq("state", "SUSPENDED"),
            Filter::between(
                "scheduledDate",
                "2026-01-01T00:00:00Z",
                "2026-02-01T00:00:00Z",
            ),
        ],
        user_id: Some("u 1".into()),
        ..ListScheduledOptions::default()
    };
    client
        .scheduled_states_page(&options, Page::new(10, 0).unwrap())
        .await
        .unwrap();
    assert_request(
        &only(&seen),
        "GET",
        &format!("{BASE}/bulk/userstates?filter=state%3Aeq%3ASUSPENDED&filter=scheduledDate%3Abetween%3A2026-01-01T00%3A00%3A00Z%2C2026-02-01T00%3A00%3A00Z&userid=u+1&limit=10&skip=0"),
        None,
        None,
    );
}

#[tokio::test]
async fn cancel_sends_delete_and_reads_204() {
    let (client, seen) = client_ok(204, "");
    client
        .cancel_scheduled(
            "s1",
            &CallOptions {
                org_id: Some(ORG.into()),
            },
        )
        .await
        .unwrap();
    let request = only(&seen);
    assert_request(
        &request,
        "DELETE",
        &format!("{BASE}/bulk/userstates/s1"),
        Some(ORG),
        None,
    );
    assert_eq!(
        request.extensions().get::<jc_transport::Idempotency>(),
        Some(&jc_transport::Idempotency::Idempotent)
    );
}

#[tokio::test]
async fn next_scheduled_splits_ids_by_100_and_pages_by_events_count() {
    let ids: Vec<String> = (0..150).map(|i| format!("u{i:03}")).collect();
    let event = |i: usize| json!({"scheduledDate": format!("2030-01-01T00:{:02}:00Z", i % 60), "scheduledJobId": format!("s{i}"), "state": "SUSPENDED", "systemUserId": format!("u{i:03}")});
    let page = |range: std::ops::Range<usize>, count: usize| {
        json!({"events_count": count, "results": range.map(event).collect::<Vec<_>>()}).to_string()
    };
    let (client, seen) = scripted(
        None,
        vec![
            answer(200, &page(0..100, 120)),
            answer(200, &page(100..120, 120)),
            answer(200, &page(120..125, 5)),
        ],
    );
    let next = client
        .next_scheduled(&ids, &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(next.events_count, Some(125));
    assert_eq!(next.results.unwrap().len(), 125);
    let urls: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.uri().query().unwrap().to_owned())
        .collect();
    assert_eq!(urls.len(), 3);
    assert!(
        urls[0].starts_with(&format!("users={}", ids[..100].join("%2C")))
            && urls[0].ends_with("limit=100&skip=0")
    );
    assert!(urls[1].ends_with("limit=100&skip=100"));
    assert!(urls[2].starts_with(&format!("users={}", ids[100..].join("%2C"))));
    let (client, _) = scripted(None, vec![]);
    assert!(client
        .next_scheduled::<&str>(&[], &CallOptions::new())
        .await
        .is_err());
}

#[tokio::test]
async fn legacy_job_and_results() {
    let details = json!({"id": "j", "adminId": "a", "name": "bulk-user-create", "status": "finished", "workUnitsCount": 2, "meta": {}, "persistedFields": [], "updatedAt": "2026-01-01T00:00:00Z"});
    let (client, seen) = client_ok(200, &details.to_string());
    let job = client
        .legacy()
        .job(&JobId::new("j"), &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(job.work_units_count, Some(2));
    assert_request(&only(&seen), "GET", &format!("{BASE}/jobs/j"), None, None);
    let (client, seen) = client_ok(200, "[]");
    client
        .legacy()
        .job_results(&JobId::new("j"), Page::first(), &CallOptions::new())
        .await
        .unwrap();
    assert_request(
        &only(&seen),
        "GET",
        &format!("{BASE}/jobs/j/results?limit=100&skip=0"),
        None,
        None,
    );
}

#[tokio::test]
async fn error_bodies_of_every_shape_decode_without_loss_section_9() {
    let cases = [
        (
            400,
            r#"{"code":400,"message":"bad body","status":"Bad Request","details":[{"field":"x"}]}"#,
            "bad body",
        ),
        (
            401,
            r#"{"code":401,"message":"Unauthorized","status":"Unauthorized"}"#,
            "Unauthorized",
        ),
        (
            401,
            r#"{"message":"Unauthorized: no organization selected"}"#,
            "Unauthorized: no organization selected",
        ),
        (500, r#"{"message":"oops","error":"internal"}"#, "oops"),
        (502, "<html>bad gateway</html>", "<html>bad gateway</html>"),
    ];
    for (status, body, summary) in cases {
        let (client, _) = client_ok(status, body);
        let error = client
            .job_results_page(&JobId::new("j"), Page::first(), &CallOptions::new())
            .await
            .unwrap_err();
        let api = error.api().unwrap_or_else(|| panic!("{error}"));
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.body, body, "the raw body is kept");
        assert_eq!(api.summary(), summary);
        assert_eq!(error.request_id(), Some("req-7"));
        assert!(error.to_string().contains(summary) && error.to_string().contains("req-7"));
    }
    let (client, _) = client_ok(
        400,
        r#"{"code":400,"message":"x","details":[{"a":1},{"b":2}]}"#,
    );
    let error = client
        .cancel_scheduled("s", &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.api().unwrap().details.len(), 2);
    assert!(!error.is_retryable() && error.provably_not_applied());
}

#[tokio::test]
async fn the_raw_escape_hatch() {
    let (client, seen) = client_ok(200, r#"{"anything":1}"#);
    let request = client
        .endpoint()
        .request(http::Method::GET, "/systemgroups?limit=1", None, None)
        .unwrap();
    let value: Value = client.send_json(request).await.unwrap();
    assert_eq!(value["anything"], 1);
    assert_request(
        &only(&seen),
        "GET",
        &format!("{BASE}/systemgroups?limit=1"),
        None,
        None,
    );
}

#[test]
fn the_api_key_never_shows() {
    let (client, _) = scripted(Some(ORG), vec![]);
    let shown = format!("{client:?} {:?}", Client::builder().api_key(KEY));
    assert!(!shown.contains(KEY), "{shown}");
    assert!(Client::builder().build().is_err(), "no key, no client");
    assert!(Client::builder()
        .api_key("k")
        .base_url("ftp://x")
        .build()
        .is_err());
    assert_eq!(
        Region::Eu.base_url(),
        "https://console.eu.jumpcloud.com/api/v2"
    );
    assert_eq!(
        "in".parse::<Region>().unwrap().base_url(),
        "https://console.in.jumpcloud.com/api/v2"
    );
}
