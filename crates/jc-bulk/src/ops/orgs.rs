//! The orgs a credential can act in ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! sections 32-33): the v1 `GET /organizations` and the provider route
//! `GET /providers/{provider_id}/organizations`, both paged by the shared pager, both mapped to
//! [`OrgSummary`]. Neither ever carries `x-org-id` (the endpoint drops it on these routes).

use crate::error::{Error, InvalidInput};
use crate::options::{CallOptions, Page};
use crate::pager::{Fetched, Next, Pager};
use crate::request::encode_segment;
use crate::session::Session;
use futures::future::BoxFuture;
use futures::TryStreamExt;
use http::Method;
use jc_models::{OrganizationsList, ProvidersListOrganizationsResponse};
use std::sync::Arc;

/// An org: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgSummary {
    /// Object id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// The org lists, from [`Client::orgs`](crate::Client::orgs).
#[derive(Debug, Clone, Copy)]
pub struct Orgs<'a> {
    session: &'a Arc<Session>,
}

fn query(page: Page) -> String {
    format!("limit={}&skip={}", page.limit(), page.skip())
}

impl<'a> Orgs<'a> {
    pub(crate) fn new(session: &'a Arc<Session>, _options: &'a CallOptions) -> Self {
        Self { session }
    }

    async fn all<F>(&self, what: &'static str, fetch: F) -> Result<Vec<OrgSummary>, Error>
    where
        F: Fn(
                Arc<Session>,
                Page,
            ) -> BoxFuture<'static, Result<(Vec<OrgSummary>, Option<u64>), Error>>
            + Send
            + Sync,
    {
        let session = self.session.clone();
        let pager = Pager::new(what, move |next: Next| {
            let session = session.clone();
            let fetched = match next {
                Next::Offset(page) => fetch(session, page),
                Next::Link(_) => {
                    Box::pin(async { Err(Error::Pagination("the org lists have no links".into())) })
                }
            };
            Box::pin(async move {
                let (items, total) = fetched.await?;
                Ok::<_, Error>(Fetched {
                    items,
                    link: None,
                    total,
                })
            }) as BoxFuture<'static, _>
        });
        pager.items().try_collect().await
    }

    /// Every org the credential can act in (v1 `GET /organizations`, sorted by id): a
    /// multi-tenant admin's managed orgs, or a single-tenant credential's own org.
    ///
    /// # Errors
    /// A failed page (403 when the credential may not list orgs).
    pub async fn list(&self) -> Result<Vec<OrgSummary>, Error> {
        self.all("organizations", |session: Arc<Session>, page| {
            Box::pin(async move {
                let root = session.endpoint().v1_base_url()?.to_owned();
                let url = format!(
                    "{root}/organizations?{}&sort=_id&fields=_id%20displayName",
                    query(page)
                );
                let request = session
                    .endpoint()
                    .request_url(Method::GET, &url, None, None)?;
                let list: OrganizationsList = session.fetch("list organizations", request).await?;
                let total = list.total_count.and_then(|t| u64::try_from(t).ok());
                let items = list
                    .results
                    .unwrap_or_default()
                    .into_iter()
                    .map(|o| OrgSummary {
                        id: o.id.unwrap_or_default(),
                        name: o.display_name.unwrap_or_default(),
                    })
                    .collect();
                Ok((items, total))
            }) as BoxFuture<'static, _>
        })
        .await
    }

    /// The orgs of the provider `provider_id` (`GET /providers/{id}/organizations`).
    ///
    /// # Errors
    /// An empty id, a failed page (404 unknown provider, 403 not associated with it).
    pub async fn of_provider(&self, provider_id: &str) -> Result<Vec<OrgSummary>, Error> {
        if provider_id.trim().is_empty() {
            return Err(InvalidInput::Argument("the provider id is empty".into()).into());
        }
        let path = format!(
            "/providers/{}/organizations",
            encode_segment(provider_id.trim())
        );
        self.all(
            "provider organizations",
            move |session: Arc<Session>, page| {
                let path = format!("{path}?{}", query(page));
                Box::pin(async move {
                    let request = session.endpoint().request(Method::GET, &path, None, None)?;
                    let list: ProvidersListOrganizationsResponse = session
                        .fetch("list provider organizations", request)
                        .await?;
                    let total = list.total_count.and_then(|t| u64::try_from(t).ok());
                    let items = list
                        .results
                        .unwrap_or_default()
                        .into_iter()
                        .map(|o| OrgSummary {
                            id: o.id.unwrap_or_default(),
                            name: o.name.unwrap_or_default(),
                        })
                        .collect();
                    Ok((items, total))
                }) as BoxFuture<'static, _>
            },
        )
        .await
    }
}
