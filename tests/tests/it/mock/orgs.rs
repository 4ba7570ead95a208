//! The mock's org lists (issue 23, CONTRACT.md sections 32, 33 and 35), every answer checked
//! against its subset: a multi-tenant admin's orgs on both routes, paging, a single-tenant key's
//! own org, and 403 when `x-org-id` is sent.

use super::start;
use http::Method;
use jc_mock::{MockConfig, MULTI_TENANT_PROVIDER};

#[tokio::test]
async fn both_org_lists_for_a_multi_tenant_admin() {
    let (_server, api) = start(MockConfig::default().orgs(3)).await;
    let v1 = api.clone().orgs();
    let listed = v1
        .call(Method::GET, "/organizations?limit=2&skip=0&sort=_id", None)
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["totalCount"], 3);
    assert_eq!(listed.json()["results"][0]["displayName"], "Org 01");
    let rest = v1
        .call(Method::GET, "/organizations?limit=2&skip=2", None)
        .await;
    assert_eq!(rest.json()["results"].as_array().unwrap().len(), 1);
    let provider = api
        .clone()
        .groups()
        .call(
            Method::GET,
            &format!("/providers/{MULTI_TENANT_PROVIDER}/organizations"),
            None,
        )
        .await;
    assert_eq!(provider.status, 200);
    assert_eq!(provider.json()["results"][2]["name"], "Org 03");
    let unknown = api
        .clone()
        .groups()
        .call(
            Method::GET,
            "/providers/ffffffffffffffffffffffff/organizations",
            None,
        )
        .await;
    assert_eq!(unknown.status, 404);
    // x-org-id is refused on both routes.
    let org = listed.json()["results"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_header = v1
        .clone()
        .org(Some(&org))
        .call(Method::GET, "/organizations", None)
        .await;
    assert_eq!(with_header.status, 403);
    assert_eq!(
        with_header.json()["message"],
        "Forbidden: organization selection not allowed via header"
    );
    let provider_header = api
        .groups()
        .org(Some(&org))
        .call(
            Method::GET,
            &format!("/providers/{MULTI_TENANT_PROVIDER}/organizations"),
            None,
        )
        .await;
    assert_eq!(provider_header.status, 403);
}

#[tokio::test]
async fn a_single_tenant_key_sees_its_own_org() {
    let (server, api) = start(MockConfig::default()).await;
    let listed = api
        .clone()
        .orgs()
        .call(Method::GET, "/organizations", None)
        .await;
    assert_eq!(listed.json()["totalCount"], 1);
    assert_eq!(listed.json()["results"][0]["_id"], server.default_org());
    let unauthorized = api
        .key(Some("nope"))
        .orgs()
        .call(Method::GET, "/organizations", None)
        .await;
    assert_eq!(unauthorized.status, 401);
}
