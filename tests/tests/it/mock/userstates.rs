//! Scheduled state changes over HTTP (CONTRACT.md sections 3, 5, 6, 7, 8).

use super::start;
use http::Method;
use jc_e2e::api::Api;
use jc_mock::{MockConfig, MockServer};
use jc_models::{BulkUserCreate, ScheduledUserstateResult, UserState};
use serde_json::{json, Value};
use std::time::Duration;

fn users(server: &MockServer, n: usize) -> Vec<String> {
    let org = server.default_org();
    (0..n)
        .map(|i| {
            server
                .insert_user(
                    &org,
                    &BulkUserCreate::new(format!("s{i}"), format!("s{i}@example.com")),
                )
                .unwrap()
        })
        .collect()
}

async fn schedule(
    api: &Api,
    ids: &[String],
    state: &str,
    at: &str,
) -> Vec<ScheduledUserstateResult> {
    let body = json!({"user_ids": ids, "state": state, "start_date": at}).to_string();
    let answer = api
        .call(Method::POST, "/bulk/userstates", Some(&body))
        .await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    serde_json::from_value(answer.json().clone()).unwrap()
}

async fn list(api: &Api, query: &str) -> Vec<ScheduledUserstateResult> {
    let answer = api
        .call(Method::GET, &format!("/bulk/userstates?{query}"), None)
        .await;
    assert_eq!(answer.status, 200, "{query}: {:?}", answer.body);
    serde_json::from_value(answer.json().clone()).unwrap()
}

#[tokio::test]
async fn scheduling_returns_one_result_per_user_each_with_its_own_id_section_8() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = users(&server, 3);
    let created = schedule(&api, &ids, "SUSPENDED", "2030-01-01T09:00:00-05:00").await;
    assert_eq!(created.len(), 3);
    for (result, id) in created.iter().zip(&ids) {
        assert_eq!(result.system_user_id.as_deref(), Some(id.as_str()));
        assert_eq!(result.state, Some(UserState::Suspended));
        assert_eq!(
            result.scheduled_date.as_ref().unwrap().raw(),
            "2030-01-01T14:00:00.000Z",
            "RFC 3339 UTC (section 7)"
        );
    }
    let mut job_ids: Vec<_> = created.iter().map(|r| r.scheduled_job_id.clone()).collect();
    job_ids.dedup();
    assert_eq!(job_ids.len(), 3);
    assert_eq!(server.scheduled(&server.default_org()).len(), 3);
}

#[tokio::test]
async fn invalid_schedules_are_400_section_8() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = users(&server, 2);
    let bodies = [
        json!({"user_ids": [ids[0]], "state": "SUSPENDED", "start_date": "2030-01-01T00:00:00Z", "send_activation_emails": true}),
        json!({"user_ids": ids, "state": "ACTIVATED", "start_date": "2030-01-01T00:00:00Z", "activation_email_override": "x@example.com"}),
        json!({"user_ids": [ids[0]], "state": "SUSPENDED", "start_date": "2030-01-01T00:00:00Z", "activation_email_override": "x@example.com"}),
        json!({"user_ids": [], "state": "SUSPENDED", "start_date": "2030-01-01T00:00:00Z"}),
        json!({"user_ids": [ids[0]], "state": "ARCHIVED", "start_date": "2030-01-01T00:00:00Z"}),
        json!({"user_ids": [ids[0]], "state": "SUSPENDED", "start_date": "next tuesday"}),
        json!({"user_ids": [ids[0]], "state": "SUSPENDED"}),
        json!({"user_ids": ["ffffffffffffffffffffffff"], "state": "SUSPENDED", "start_date": "2030-01-01T00:00:00Z"}),
    ];
    for body in bodies {
        let answer = api
            .call(Method::POST, "/bulk/userstates", Some(&body.to_string()))
            .await;
        assert_eq!(answer.status, 400, "{body}");
    }
    assert!(server.scheduled(&server.default_org()).is_empty());
    let ok = json!({"user_ids": [ids[0]], "state": "ACTIVATED", "start_date": "2030-01-01T00:00:00",
                    "send_activation_emails": true, "activation_email_override": "x@example.com"});
    let answer = api
        .call(Method::POST, "/bulk/userstates", Some(&ok.to_string()))
        .await;
    assert_eq!(
        answer.status, 201,
        "a zone-less date is read as UTC (section 7)"
    );
}

#[tokio::test]
async fn list_filters_with_every_operator_section_5() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = users(&server, 3);
    let s0 = schedule(&api, &ids[0..1], "SUSPENDED", "2030-01-01T00:00:00Z").await;
    schedule(&api, &ids[1..2], "SUSPENDED", "2030-02-01T00:00:00Z").await;
    schedule(&api, &ids[2..3], "ACTIVATED", "2030-03-01T00:00:00Z").await;
    let first = s0[0].scheduled_job_id.clone().unwrap();
    let count = |results: Vec<ScheduledUserstateResult>| results.len();
    let cases: Vec<(String, usize)> = vec![
        ("filter=state:eq:SUSPENDED".into(), 2),
        ("filter=state:ne:SUSPENDED".into(), 1),
        ("filter=scheduledDate:gt:2030-01-01T00:00:00Z".into(), 2),
        ("filter=scheduledDate:ge:2030-01-01T00:00:00Z".into(), 3),
        ("filter=scheduledDate:lt:2030-02-01T00:00:00Z".into(), 1),
        (
            "filter=scheduledDate:le:2030-02-01T00:00:00%2B00:00".into(),
            2,
        ),
        (
            "filter=scheduledDate:between:2030-01-15T00:00:00Z,2030-03-15T00:00:00Z".into(),
            2,
        ),
        ("filter=state:search:activ".into(), 1),
        (format!("filter=systemUserId:in:{}|{}", ids[0], ids[2]), 2),
        (format!("filter=scheduledJobId:eq:{first}"), 1),
        // Repeated pairs and one comma-joined value are the same.
        (
            "filter=state:eq:SUSPENDED&filter=scheduledDate:ge:2030-02-01T00:00:00Z".into(),
            1,
        ),
        (
            "filter=state:eq:SUSPENDED,scheduledDate:ge:2030-02-01T00:00:00Z".into(),
            1,
        ),
        (format!("userid={}", ids[1]), 1),
        ("limit=2".into(), 2),
        ("limit=2&skip=2".into(), 1),
    ];
    for (query, expected) in cases {
        assert_eq!(count(list(&api, &query).await), expected, "{query}");
    }
    let ordered = list(&api, "").await;
    let dates: Vec<_> = ordered
        .iter()
        .map(|r| r.scheduled_date.clone().unwrap().instant())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "in date order");
    for query in [
        "filter=name:eq:x",
        "filter=state:like:x",
        "filter=state",
        "limit=101",
        "skip=-3",
    ] {
        let answer = api
            .call(Method::GET, &format!("/bulk/userstates?{query}"), None)
            .await;
        assert_eq!(answer.status, 400, "{query}");
    }
}

#[tokio::test]
async fn paging_through_more_than_100_scheduled_changes() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = users(&server, 130);
    schedule(&api, &ids, "SUSPENDED", "2030-01-01T00:00:00Z").await;
    let mut seen = Vec::new();
    loop {
        let page = list(&api, &format!("limit=100&skip={}", seen.len())).await;
        let short = page.len() < 100;
        seen.extend(page);
        if short {
            break;
        }
    }
    assert_eq!(seen.len(), 130);
}

#[tokio::test]
async fn delete_cancels_one_change() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = users(&server, 2);
    let created = schedule(&api, &ids, "SUSPENDED", "2030-01-01T00:00:00Z").await;
    let id = created[0].scheduled_job_id.clone().unwrap();
    let path = format!("/bulk/userstates/{id}");
    assert_eq!(api.call(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(api.call(Method::DELETE, &path, None).await.status, 404);
    assert_eq!(server.scheduled(&server.default_org()).len(), 1);
}

#[tokio::test]
async fn next_gives_at_most_one_event_per_state_per_user_section_8() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = users(&server, 2);
    schedule(&api, &ids[0..1], "ACTIVATED", "2030-03-01T00:00:00Z").await;
    schedule(&api, &ids[0..1], "ACTIVATED", "2030-02-01T00:00:00Z").await;
    schedule(&api, &ids[0..1], "SUSPENDED", "2030-04-01T00:00:00Z").await;
    schedule(&api, &ids[1..2], "SUSPENDED", "2030-01-01T00:00:00Z").await;
    let path = format!(
        "/bulk/userstates/eventlist/next?users={},{}",
        ids[0], ids[1]
    );
    let answer = api.call(Method::GET, &path, None).await;
    assert_eq!(answer.json()["events_count"], 3);
    let results = answer.json()["results"].as_array().unwrap();
    let dates: Vec<&str> = results
        .iter()
        .map(|r| r["scheduledDate"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2030-01-01T00:00:00.000Z",
            "2030-02-01T00:00:00.000Z",
            "2030-04-01T00:00:00.000Z"
        ]
    );
    // Repeated `users` pairs work too (section 6), and limit/skip page the events.
    let path = format!(
        "/bulk/userstates/eventlist/next?users={}&users={}&limit=1&skip=1",
        ids[0], ids[1]
    );
    let answer = api.call(Method::GET, &path, None).await;
    assert_eq!(answer.json()["events_count"], 3);
    assert_eq!(answer.json()["results"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn next_needs_1_to_100_users_section_3() {
    let (_server, api) = start(MockConfig::default()).await;
    let many: Vec<String> = (0..101).map(|i| format!("{i:024x}")).collect();
    for query in [
        "".to_owned(),
        "users=".to_owned(),
        format!("users={}", many.join(",")),
    ] {
        let answer = api
            .call(
                Method::GET,
                &format!("/bulk/userstates/eventlist/next?{query}"),
                None,
            )
            .await;
        assert_eq!(answer.status, 400, "{query}");
    }
    let hundred = many[..100].join(",");
    let answer = api
        .call(
            Method::GET,
            &format!("/bulk/userstates/eventlist/next?users={hundred}"),
            None,
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), &json!({"events_count": 0, "results": []}));
}

#[tokio::test]
async fn a_change_whose_time_has_come_is_applied() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = users(&server, 1);
    let org = server.default_org();
    let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    schedule(&api, &ids, "SUSPENDED", &soon).await;
    assert_eq!(server.user(&org, &ids[0]).unwrap().state, "ACTIVATED");
    server.advance_clock(Duration::from_secs(2 * 3600));
    assert_eq!(server.user(&org, &ids[0]).unwrap().state, "SUSPENDED");
    assert!(
        list(&api, "").await.is_empty(),
        "an applied change is no longer scheduled"
    );
    let answer = api
        .call(
            Method::GET,
            &format!("/bulk/userstates/eventlist/next?users={}", ids[0]),
            None,
        )
        .await;
    assert_eq!(answer.json()["events_count"], 0);
    let _: Value = answer.json().clone();
}
