//! Auth, orgs and tolerance (CONTRACT.md sections 10 and 17), routing, HTTP/2, shutdown.

use super::start;
use http::Method;
use jc_mock::{Admin, MockConfig, MockServer, DEFAULT_API_KEY};
use jc_models::BulkUserCreate;
use serde_json::json;

const ORG_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";
const ORG_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbb";

fn multi_tenant() -> MockConfig {
    MockConfig::default().admin(Admin::multi_tenant("msp-key", [ORG_A, ORG_B]))
}

#[tokio::test]
async fn a_missing_or_unknown_api_key_is_401_with_an_error_body() {
    let (_server, api) = start(MockConfig::default()).await;
    for caller in [api.clone().key(None), api.clone().key(Some("wrong"))] {
        let answer = caller.call(Method::GET, "/bulk/userstates", None).await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.json()["message"], "Unauthorized");
        assert_eq!(answer.json()["code"], 401);
    }
}

#[tokio::test]
async fn multi_tenant_admin_without_org_is_401_section_10() {
    let (_server, api) = start(multi_tenant()).await;
    let msp = api.key(Some("msp-key"));
    let answer = msp.call(Method::GET, "/bulk/userstates", None).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.json(),
        &json!({"message": "Unauthorized: no organization selected"})
    );
    // An empty x-org-id is the same as none (section 17).
    let answer = msp
        .clone()
        .org(Some(""))
        .call(Method::GET, "/bulk/userstates", None)
        .await;
    assert_eq!(answer.status, 401);
    let answer = msp
        .org(Some(ORG_B))
        .call(Method::GET, "/bulk/userstates", None)
        .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn malformed_org_is_400_and_unknown_org_is_404_section_10() {
    let (_server, api) = start(multi_tenant()).await;
    let msp = api.key(Some("msp-key"));
    let answer = msp
        .clone()
        .org(Some("not-an-org"))
        .call(Method::GET, "/bulk/userstates", None)
        .await;
    assert_eq!(answer.status, 400);
    assert!(answer.json()["details"].is_array());
    let answer = msp
        .org(Some("cccccccccccccccccccccccc"))
        .call(Method::GET, "/bulk/userstates", None)
        .await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn a_single_tenant_key_works_without_org_and_with_an_empty_one() {
    let (server, api) = start(MockConfig::default()).await;
    assert_eq!(server.api_key(), DEFAULT_API_KEY);
    for caller in [api.clone(), api.clone().org(Some(""))] {
        let answer = caller.call(Method::GET, "/bulk/userstates", None).await;
        assert_eq!(answer.status, 200);
    }
    let answer = api
        .org(Some(&server.default_org()))
        .call(Method::GET, "/bulk/userstates", None)
        .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn all_state_is_per_org() {
    let (server, api) = start(multi_tenant()).await;
    let in_a = api.clone().key(Some("msp-key")).org(Some(ORG_A));
    let in_b = api.key(Some("msp-key")).org(Some(ORG_B));
    let body = r#"[{"username":"ada","email":"ada@example.com"}]"#;
    let job = in_a.call(Method::POST, "/bulk/users", Some(body)).await;
    let job_id = job.json()["jobId"].as_str().unwrap().to_owned();
    server.wait_idle().await;
    assert_eq!(server.users(ORG_A).len(), 1);
    assert!(server.users(ORG_B).is_empty());
    let path = format!("/bulk/users/{job_id}/results");
    assert_eq!(in_a.call(Method::GET, &path, None).await.status, 200);
    assert_eq!(in_b.call(Method::GET, &path, None).await.status, 404);
    // The same user is new in org B.
    in_b.call(Method::POST, "/bulk/users", Some(body)).await;
    server.wait_idle().await;
    assert_eq!(server.users(ORG_B).len(), 1);
}

#[tokio::test]
async fn tolerates_what_official_clients_send_section_17() {
    let (server, api) = start(MockConfig::default()).await;
    let org = server.default_org();
    let id = server
        .insert_user(&org, &BulkUserCreate::new("ada", "ada@example.com"))
        .unwrap();
    // Content-Type on a GET.
    let answer = api
        .call_with(
            Method::GET,
            "/bulk/userstates",
            &[("content-type", "application/json")],
            None,
        )
        .await;
    assert_eq!(answer.status, 200);
    // JSON with \u escapes.
    let body = format!(
        r#"{{"user_ids":["{id}"],"state":"SUSPENDED","start_date":"2030-01-01T00:00:00\u005a"}}"#
    );
    let created = api
        .call(Method::POST, "/bulk/userstates", Some(&body))
        .await;
    assert_eq!(created.status, 201);
    // A `{}` body on DELETE.
    let scheduled = created.json()[0]["scheduledJobId"].as_str().unwrap();
    let deleted = api
        .call(
            Method::DELETE,
            &format!("/bulk/userstates/{scheduled}"),
            Some("{}"),
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_none());
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405_with_json_bodies() {
    let (_server, api) = start(MockConfig::default()).await;
    let answer = api.send(Method::GET, "/nope", &[], None).await.unwrap();
    assert_eq!(answer.status, 404);
    assert!(answer.json()["message"].is_string());
    let answer = api
        .send(Method::PUT, "/bulk/users", &[], Some("[]"))
        .await
        .unwrap();
    assert_eq!(answer.status, 405);
    assert!(answer.json()["message"]
        .as_str()
        .unwrap()
        .contains("POST or PATCH"));
}

#[tokio::test]
async fn the_base_path_is_configurable_down_to_the_root() {
    let (server, api) = start(MockConfig::default().base_path("/")).await;
    assert_eq!(server.base_url(), format!("http://{}", server.addr()));
    assert_eq!(
        api.call(Method::GET, "/bulk/userstates", None).await.status,
        200
    );
    let (server, _) = start(MockConfig::default().base_path("custom/v9/")).await;
    assert!(server.base_url().ends_with("/custom/v9"));
}

#[tokio::test]
async fn serves_http2_with_prior_knowledge() {
    use http_body_util::{BodyExt, Full};
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<bytes::Bytes>>();
    let request = http::Request::get(format!("{}/bulk/userstates", server.base_url()))
        .header("x-api-key", server.api_key())
        .body(Full::default())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body.as_ref(), b"[]");
}

#[tokio::test]
async fn shutdown_stops_serving_and_the_log_redacts_the_key() {
    let (server, api) = start(MockConfig::default()).await;
    api.call(Method::GET, "/bulk/userstates?limit=5", None)
        .await;
    let log = server.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/api/v2/bulk/userstates");
    assert_eq!(log[0].query, "limit=5");
    assert_eq!(log[0].header("x-api-key"), Some("<redacted>"));
    assert!(!format!("{log:?}").contains(DEFAULT_API_KEY));
    server.shutdown().await;
    let error = api
        .send(Method::GET, "/bulk/userstates", &[], None)
        .await
        .unwrap_err();
    assert!(error.is_not_sent(), "{error}");
}

#[tokio::test]
async fn every_operation_answers_401_without_a_key() {
    let (_server, api) = start(MockConfig::default()).await;
    let anonymous = api.key(None);
    let id = "ffffffffffffffffffffffff";
    let operations = [
        (Method::POST, "/bulk/users".to_owned(), Some("[{}]")),
        (Method::PATCH, "/bulk/users".to_owned(), Some("[{}]")),
        (Method::GET, format!("/bulk/users/{id}/results"), None),
        (Method::POST, "/bulk/user/expires".to_owned(), Some("[{}]")),
        (Method::POST, "/bulk/user/unlocks".to_owned(), Some("[{}]")),
        (Method::POST, "/bulk/userstates".to_owned(), Some("{}")),
        (Method::GET, "/bulk/userstates".to_owned(), None),
        (Method::DELETE, format!("/bulk/userstates/{id}"), None),
        (
            Method::GET,
            format!("/bulk/userstates/eventlist/next?users={id}"),
            None,
        ),
        (Method::GET, format!("/jobs/{id}"), None),
        (Method::GET, format!("/jobs/{id}/results"), None),
    ];
    for (method, path, body) in operations {
        let answer = anonymous.call(method.clone(), &path, body).await;
        assert_eq!(answer.status, 401, "{method} {path}");
    }
}

#[tokio::test]
async fn stats_count_requests_outside_the_api() {
    let (server, api) = start(MockConfig::default()).await;
    api.call(Method::GET, "/bulk/userstates", None).await;
    api.clone()
        .key(None)
        .call(Method::GET, "/bulk/userstates", None)
        .await;
    assert_eq!(server.request_count(), 2);
    let stats = jc_e2e::api::Api::new(&format!("http://{}", server.addr()), "")
        .key(None)
        .send(Method::GET, jc_mock::STATS_PATH, &[], None)
        .await
        .unwrap();
    assert_eq!(stats.json()["requests"], 2);
    assert_eq!(
        server.request_count(),
        2,
        "the stats call itself is not counted"
    );
}
