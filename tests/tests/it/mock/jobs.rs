//! Bulk jobs over HTTP (CONTRACT.md sections 1, 2, 3, 11, 12, 13, 14, 15).

use super::start;
use http::Method;
use jc_e2e::api::Api;
use jc_mock::{MockConfig, MockServer};
use jc_models::{BulkUserCreate, JobWorkresult, WorkStatus};
use serde_json::{json, Value};

async fn submit(api: &Api, method: Method, path: &str, body: &Value) -> String {
    let answer = api.call(method, path, Some(&body.to_string())).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.json()["jobId"].as_str().unwrap().to_owned()
}

/// Every result of a job, paging with limit=100 (section 4).
async fn all_results(api: &Api, job: &str) -> Vec<JobWorkresult> {
    let mut results = Vec::new();
    loop {
        let page = api
            .call(
                Method::GET,
                &format!("/bulk/users/{job}/results?limit=100&skip={}", results.len()),
                None,
            )
            .await;
        let items: Vec<JobWorkresult> = serde_json::from_value(page.json().clone()).unwrap();
        let done = items.len() < 100;
        results.extend(items);
        if done {
            return results;
        }
    }
}

#[tokio::test]
async fn a_create_job_is_accepted_at_once_and_processed_in_the_background() {
    let (server, api) = start(MockConfig::default()).await;
    server.pause_jobs();
    let body = json!([
        {"username": "ada", "email": "Ada@Example.com", "firstname": "Ada",
         "attributes": [{"name": "EmployeeID", "value": "0001"}], "password": "pw-1"},
    ]);
    let job = submit(&api, Method::POST, "/bulk/users", &body).await;
    let pending = all_results(&api, &job).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].status, Some(WorkStatus::Pending));
    assert_eq!(pending[0].index(), Some(0));
    server.resume_jobs();
    server.wait_idle().await;
    let done = all_results(&api, &job).await;
    assert_eq!(done[0].status, Some(WorkStatus::Finished));
    assert_eq!(done[0].username(), Some("ada"));
    assert_eq!(
        done[0].email(),
        Some("ada@example.com"),
        "lowercased (section 13)"
    );
    let user_id = done[0].user_id().unwrap();
    let user = server.user(&server.default_org(), user_id).unwrap();
    assert_eq!(user.username, "ada");
    assert_eq!(user.state, "ACTIVATED");
    assert_eq!(user.fields["firstname"], "Ada");
    assert!(!user.fields.contains_key("password"), "never stored");
    let persisted = done[0].persisted_fields.as_ref().unwrap();
    assert!(persisted.contains_key("attributes") && !persisted.contains_key("password"));
    let job = server.job(&server.default_org(), &job).unwrap();
    assert_eq!(job.creation_source.as_deref(), Some("jumpcloud:bulk"));
}

#[tokio::test]
async fn creation_source_and_suppress_email_sections_11_and_12() {
    let (server, api) = start(MockConfig::default()).await;
    let body = r#"[{"username":"a","email":"a@example.com"}]"#;
    let answer = api
        .call_with(
            Method::POST,
            "/bulk/users?suppressEmail=true",
            &[("creation-source", "jumpcloud:scim")],
            Some(body),
        )
        .await;
    assert_eq!(answer.status, 201);
    let job = server
        .job(
            &server.default_org(),
            answer.json()["jobId"].as_str().unwrap(),
        )
        .unwrap();
    assert_eq!(job.creation_source.as_deref(), Some("jumpcloud:scim"));
    assert_eq!(job.suppress_email, Some(true));

    let bad = api
        .call_with(
            Method::POST,
            "/bulk/users",
            &[("creation-source", "jumpcloud:ldap")],
            Some(body),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["message"]
        .as_str()
        .unwrap()
        .contains("jumpcloud:ldap"));
    let bad = api
        .call(Method::PATCH, "/bulk/users?suppressEmail=maybe", Some(body))
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn request_level_errors_are_400_with_error_details_section_3() {
    let (server, api) = start(MockConfig::default().job_cap(3)).await;
    let too_many = json!([{}, {}, {}, {}]).to_string();
    for (method, path) in [
        (Method::POST, "/bulk/users"),
        (Method::PATCH, "/bulk/users"),
        (Method::POST, "/bulk/user/expires"),
        (Method::POST, "/bulk/user/unlocks"),
    ] {
        for body in [
            "{\"username\":\"a\"}",
            "not json",
            "[1, 2]",
            "[]",
            too_many.as_str(),
        ] {
            let answer = api.call(method.clone(), path, Some(body)).await;
            assert_eq!(answer.status, 400, "{method} {path} {body}");
            assert!(answer.json()["details"].is_array());
        }
    }
    assert!(
        server.jobs(&server.default_org()).is_empty(),
        "nothing was created"
    );
}

#[tokio::test]
async fn results_paging_limits_and_unknown_jobs() {
    let (server, api) = start(MockConfig::default()).await;
    let records: Vec<Value> = (0..250)
        .map(|i| json!({"username": format!("u{i}"), "email": format!("u{i}@example.com")}))
        .collect();
    let job = submit(&api, Method::POST, "/bulk/users", &Value::Array(records)).await;
    server.wait_idle().await;
    let results = all_results(&api, &job).await;
    assert_eq!(results.len(), 250);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(
            result.index(),
            Some(i as u64),
            "submission order (section 2)"
        );
        assert_eq!(result.status, Some(WorkStatus::Finished));
    }
    let default_page = api
        .call(Method::GET, &format!("/bulk/users/{job}/results"), None)
        .await;
    assert_eq!(
        default_page.json().as_array().unwrap().len(),
        10,
        "default limit 10"
    );
    for query in ["limit=0", "limit=101", "limit=x", "skip=-1"] {
        let answer = api
            .call(
                Method::GET,
                &format!("/bulk/users/{job}/results?{query}"),
                None,
            )
            .await;
        assert_eq!(answer.status, 400, "{query}");
    }
    let unknown = api
        .call(
            Method::GET,
            "/bulk/users/ffffffffffffffffffffffff/results",
            None,
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn an_800_record_job_fails_exactly_the_duplicates_and_invalid_records() {
    let (server, api) = start(MockConfig::default()).await;
    let org = server.default_org();
    server
        .insert_user(
            &org,
            &BulkUserCreate {
                employee_identifier: Some("E-EXISTING".into()),
                ..BulkUserCreate::new("existing", "existing@example.com")
            },
        )
        .unwrap();
    let mut records: Vec<Value> = (0..800)
        .map(|i| json!({"username": format!("user{i}"), "email": format!("user{i}@example.com")}))
        .collect();
    // Expected failures, by index, and why.
    let expected: Vec<(usize, &str)> = vec![
        (10, "username `existing` already exists"),
        (20, "email `existing@example.com` already exists"),
        (30, "employeeIdentifier `E-EXISTING` already exists"),
        (101, "username `user100` already exists"),
        (201, "email `user200@example.com` already exists"),
        (300, "username is required"),
        (400, "email is required"),
        (500, "unix_uid is 0"),
        (600, "is not an e-mail address"),
        (701, "employeeIdentifier `E-700` already exists"),
    ];
    records[10]["username"] = json!("Existing");
    records[20]["email"] = json!("EXISTING@example.com");
    records[30]["employeeIdentifier"] = json!("e-existing");
    records[101]["username"] = json!("USER100");
    records[201]["email"] = json!("user200@example.com");
    records[300].as_object_mut().unwrap().remove("username");
    records[400]["email"] = json!("");
    records[500]["unix_uid"] = json!(0);
    records[600]["email"] = json!("not-an-address");
    records[700]["employeeIdentifier"] = json!("E-700");
    records[701]["employeeIdentifier"] = json!("E-700");
    let job = submit(&api, Method::POST, "/bulk/users", &Value::Array(records)).await;
    server.wait_idle().await;
    let results = all_results(&api, &job).await;
    assert_eq!(results.len(), 800);
    let failed: Vec<(usize, String)> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_failure())
        .map(|(i, r)| (i, r.status_msg.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        failed.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        expected.iter().map(|(i, _)| *i).collect::<Vec<_>>()
    );
    for ((_, reason), (index, why)) in failed.iter().zip(&expected) {
        assert!(
            reason.to_lowercase().contains(&why.to_lowercase()),
            "record {index}: `{reason}` should say `{why}`"
        );
    }
    assert!(results.iter().all(|r| r.is_terminal()));
    assert_eq!(server.users(&org).len(), 1 + 800 - expected.len());
}

async fn create_users(server: &MockServer, api: &Api, n: usize) -> Vec<String> {
    let records: Vec<Value> = (0..n)
        .map(|i| json!({"username": format!("p{i}"), "email": format!("p{i}@example.com")}))
        .collect();
    let job = submit(api, Method::POST, "/bulk/users", &Value::Array(records)).await;
    server.wait_idle().await;
    all_results(api, &job)
        .await
        .iter()
        .map(|r| r.user_id().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn update_jobs_change_users_created_by_jobs_section_13() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = create_users(&server, &api, 3).await;
    let body = json!([
        {"id": ids[0], "department": "Finance", "state": "SUSPENDED"},
        {"id": "ffffffffffffffffffffffff", "department": "Nowhere"},
        {"id": ids[1], "email": "P0@example.com"},
        {"department": "no id"},
        {"id": ids[2], "phoneNumbers": [{"type": "work", "number": "1"}]},
    ]);
    let job = submit(&api, Method::PATCH, "/bulk/users", &body).await;
    server.wait_idle().await;
    let results = all_results(&api, &job).await;
    let statuses: Vec<bool> = results.iter().map(|r| r.is_failure()).collect();
    assert_eq!(statuses, [false, true, true, true, false]);
    assert!(results[1]
        .status_msg
        .as_deref()
        .unwrap()
        .contains("does not exist"));
    assert!(results[2]
        .status_msg
        .as_deref()
        .unwrap()
        .contains("already exists"));
    assert!(results[3]
        .status_msg
        .as_deref()
        .unwrap()
        .contains("id is required"));
    let org = server.default_org();
    let first = server.user(&org, &ids[0]).unwrap();
    assert_eq!(first.fields["department"], "Finance");
    assert_eq!(first.state, "SUSPENDED");
    assert_eq!(server.user(&org, &ids[1]).unwrap().email, "p1@example.com");
}

#[tokio::test]
async fn expire_and_unlock_jobs_need_existing_users_section_15() {
    let (server, api) = start(MockConfig::default()).await;
    let ids = create_users(&server, &api, 2).await;
    let org = server.default_org();
    for (path, check) in [
        ("/bulk/user/expires", "expire"),
        ("/bulk/user/unlocks", "unlock"),
    ] {
        let body =
            json!([{"id": ids[0]}, {"id": "ffffffffffffffffffffffff"}, {"organization": org}]);
        let job = submit(&api, Method::POST, path, &body).await;
        server.wait_idle().await;
        let results = all_results(&api, &job).await;
        let failures: Vec<bool> = results.iter().map(|r| r.is_failure()).collect();
        assert_eq!(failures, [false, true, true], "{check}");
        assert_eq!(results[0].user_id(), Some(ids[0].as_str()));
    }
    let user = server.user(&org, &ids[0]).unwrap();
    assert!(user.password_expired && !user.account_locked);
}

#[tokio::test]
async fn legacy_jobs_paths_section_14() {
    let (server, api) = start(MockConfig::default()).await;
    server.pause_jobs();
    let body = json!([{"username": "a", "email": "a@example.com"}, {"username": "b", "email": "b@example.com"}]);
    let job = submit(&api, Method::POST, "/bulk/users", &body).await;
    let details = api.call(Method::GET, &format!("/jobs/{job}"), None).await;
    assert_eq!(details.json()["status"], "pending");
    assert_eq!(details.json()["workUnitsCount"], 2);
    assert_eq!(details.json()["name"], "bulk-user-create");
    server.resume_jobs();
    server.wait_idle().await;
    let details = api.call(Method::GET, &format!("/jobs/{job}"), None).await;
    assert_eq!(details.json()["status"], "finished");
    let legacy = api
        .call(Method::GET, &format!("/jobs/{job}/results?limit=100"), None)
        .await;
    let current = api
        .call(
            Method::GET,
            &format!("/bulk/users/{job}/results?limit=100"),
            None,
        )
        .await;
    assert_eq!(legacy.json(), current.json(), "the same list");
    for path in [
        "/jobs/ffffffffffffffffffffffff",
        "/jobs/ffffffffffffffffffffffff/results",
    ] {
        assert_eq!(api.call(Method::GET, path, None).await.status, 404);
    }
    assert_eq!(
        api.clone()
            .key(None)
            .call(Method::GET, &format!("/jobs/{job}"), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn the_processing_rate_paces_records() {
    let (server, api) = start(MockConfig::default().process_rate(Some(400.0))).await;
    let records: Vec<Value> = (0..40)
        .map(|i| json!({"username": format!("r{i}"), "email": format!("r{i}@example.com")}))
        .collect();
    let started = std::time::Instant::now();
    submit(&api, Method::POST, "/bulk/users", &Value::Array(records)).await;
    server.wait_idle().await;
    // 40 records at 400 per second take about 100 ms; unlimited takes about nothing.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(80),
        "{:?}",
        started.elapsed()
    );
}
