//! The v1 system-user reads of the mock (CONTRACT.md sections 19-21), every answer checked
//! against the v1 subset: paging, sorting, projection, list filters, the search body's forms,
//! org scoping and auth, over the same store the bulk jobs write to.

use super::start;
use http::Method;
use jc_mock::{Admin, MockConfig};
use jc_models::BulkUserCreate;
use serde_json::{json, Value};

fn names(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn list_pages_sorts_projects_and_filters() {
    let (_server, api) = start(MockConfig::default().seed_users(250)).await;
    let v1 = api.v1();
    let first = v1
        .call(Method::GET, "/systemusers?limit=100&skip=0&sort=_id", None)
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["totalCount"], 250);
    assert_eq!(first.json()["results"].as_array().unwrap().len(), 100);
    let last = v1
        .call(Method::GET, "/systemusers?limit=100&skip=200", None)
        .await;
    assert_eq!(last.json()["results"].as_array().unwrap().len(), 50);
    let sorted = v1
        .call(Method::GET, "/systemusers?limit=3&sort=-username", None)
        .await;
    assert_eq!(
        names(sorted.json()),
        ["user00249", "user00248", "user00247"]
    );
    let projected = v1
        .call(
            Method::GET,
            "/systemusers?limit=1&fields=username%20email",
            None,
        )
        .await;
    let user = projected.json()["results"][0].as_object().unwrap();
    let mut keys: Vec<&str> = user.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["_id", "email", "username"]);
    let filtered = v1
        .call(
            Method::GET,
            "/systemusers?filter=username:$eq:user00007&filter=department:$ne:Legal",
            None,
        )
        .await;
    assert_eq!(filtered.json()["totalCount"], 1);
    assert_eq!(names(filtered.json()), ["user00007"]);
    let range = v1
        .call(
            Method::GET,
            "/systemusers?limit=100&filter=username:$gte:user00240&filter=username:$lt:user00245",
            None,
        )
        .await;
    assert_eq!(range.json()["totalCount"], 5);
    for bad in [
        "/systemusers?limit=0",
        "/systemusers?limit=101",
        "/systemusers?filter=username:like:x",
    ] {
        assert_eq!(v1.call(Method::GET, bad, None).await.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn search_forms_of_section_21() {
    let (server, api) = start(MockConfig::default().seed_users(20)).await;
    let org = server.default_org();
    server
        .insert_user_unchecked(&org, &BulkUserCreate::new("twin", "USER00003@example.com"))
        .unwrap();
    let v1 = api.v1();
    let search = |body: Value| {
        let v1 = v1.clone();
        async move {
            v1.call(
                Method::POST,
                "/search/systemusers?limit=100&skip=0",
                Some(&body.to_string()),
            )
            .await
        }
    };
    let or = search(json!({"filter": {"or": [{"username": "user00001"}, {"username": "user00002"}]}, "fields": "_id username", "limit": 100, "skip": 0})).await;
    assert_eq!(names(or.json()), ["user00001", "user00002"]);
    let regex = search(json!({"filter": [{"email": {"$regex": "(?i)^user00003@EXAMPLE\\.com$"}}], "fields": ["username", "email"]})).await;
    assert_eq!(regex.json()["totalCount"], 2, "the twin shares the e-mail");
    let exact = search(json!({"filter": {"and": [{"username": "USER00004"}]}})).await;
    assert_eq!(
        exact.json()["totalCount"],
        0,
        "literal equality is case-sensitive"
    );
    let any =
        search(json!({"filter": [{"username": {"$in": ["user00005", "user00006", "nobody"]}}]}))
            .await;
    assert_eq!(any.json()["totalCount"], 2);
    let bad = search(json!({"filter": [{"username": {"$regex": "user.*"}}]})).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn get_by_id_auth_org_scoping_and_users_created_by_jobs() {
    let config = MockConfig::default().admin(Admin::multi_tenant(
        "msp",
        ["aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb"],
    ));
    let (server, api) = start(config).await;
    let id = server
        .insert_user(
            "aaaaaaaaaaaaaaaaaaaaaaaa",
            &BulkUserCreate::new("ada", "ada@example.com"),
        )
        .unwrap();
    let msp = api.key(Some("msp")).v1();
    let in_a = msp.clone().org(Some("aaaaaaaaaaaaaaaaaaaaaaaa"));
    let got = in_a
        .call(Method::GET, &format!("/systemusers/{id}"), None)
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(
        (got.json()["_id"].as_str(), got.json()["username"].as_str()),
        (Some(id.as_str()), Some("ada"))
    );
    let in_b = msp.clone().org(Some("bbbbbbbbbbbbbbbbbbbbbbbb"));
    assert_eq!(
        in_b.call(Method::GET, &format!("/systemusers/{id}"), None)
            .await
            .status,
        404
    );
    assert_eq!(
        in_b.call(Method::GET, "/systemusers", None).await.json()["totalCount"],
        0
    );
    assert_eq!(
        msp.clone()
            .key(None)
            .call(Method::GET, "/systemusers", None)
            .await
            .status,
        401
    );
    assert_eq!(
        msp.call(Method::GET, "/systemusers", None).await.status,
        401,
        "no org chosen"
    );

    // A user created by a bulk job is visible to the v1 reads.
    let (server, api) = start(MockConfig::default()).await;
    let created = api
        .call(
            Method::POST,
            "/bulk/users",
            Some(r#"[{"username":"grace","email":"grace@example.com"}]"#),
        )
        .await;
    assert_eq!(created.status, 201);
    server.wait_idle().await;
    let listed = api
        .v1()
        .call(Method::GET, "/systemusers?filter=username:$eq:grace", None)
        .await;
    assert_eq!(listed.json()["totalCount"], 1);
}
