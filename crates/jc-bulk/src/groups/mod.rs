//! User groups and their members ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 25-31), from
//! [`Client::groups`](crate::Client::groups): list, get, create and replace groups; read a
//! group's direct members and a user's groups; resolve group names ([`GroupDirectory`]); read
//! a [`Snapshot`] of the groups a run touches, plan against it ([`Snapshot::plan`]) and send the
//! plan as a stream of per-change outcomes ([`Groups::apply`]).
//!
//! The API has no bulk form for memberships: each change is one request. A plan holds only the
//! changes the snapshot shows are needed, so an interrupted run is simply run again: it reads
//! and plans again, and nothing is added twice.

mod apply;
mod directory;
mod plan;

pub use apply::{ChangeOptions, ChangeOutcome, ChangeResult};
pub use directory::{GroupDirectory, GroupRefError};
pub use plan::{EdgeOp, GroupMembers, MemberChange, MemberPlan, Snapshot};

use crate::control::ImportControl;
use crate::error::Error;
use crate::options::{CallOptions, Page};
use crate::pager;
use crate::request::encode_segment;
use crate::session::Session;
use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use http::{Method, Request};
use jc_models::{GraphConnection, GraphObjectWithPaths, UserGroup, UserGroupPost, UserGroupPut};
use std::collections::HashSet;
use std::sync::Arc;

/// Groups read at once while taking a snapshot.
const SNAPSHOT_CONCURRENCY: usize = 4;

/// The user-group operations, acting on the client's org (or the call options' org).
#[derive(Debug, Clone, Copy)]
pub struct Groups<'a> {
    session: &'a Arc<Session>,
    options: &'a CallOptions,
}

fn paged(path: &str, page: Page, filters: &[String]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("limit", &page.limit().to_string());
    query.append_pair("skip", &page.skip().to_string());
    for filter in filters {
        query.append_pair("filter", filter);
    }
    format!("{path}?{}", query.finish())
}

fn get_request(session: &Session, path: &str, org: Option<&str>) -> Result<Request<Bytes>, Error> {
    session.endpoint().request(Method::GET, path, None, org)
}

impl<'a> Groups<'a> {
    pub(crate) fn new(session: &'a Arc<Session>, options: &'a CallOptions) -> Self {
        Self { session, options }
    }

    fn org(&self) -> Option<&str> {
        self.options.org_id.as_ref().map(|o| o.as_str())
    }

    /// A v2 list at `path`, 100 a page, with `filters` (section 25).
    fn list_of<T>(
        &self,
        path: String,
        filters: Vec<String>,
        operation: &'static str,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static
    where
        T: serde::de::DeserializeOwned + Clone + PartialEq + Send + 'static,
    {
        let org = self.options.org_id.clone();
        let org_text = org.as_ref().map(|o| o.as_str().to_owned());
        pager::list(self.session, org, operation, move |session, page| {
            get_request(session, &paged(&path, page, &filters), org_text.as_deref())
        })
    }

    /// Every group of the org matching `filters` (`name:eq:X`, the v2 `filter` form; all must
    /// hold), in the server's order.
    pub fn list(&self, filters: &[String]) -> impl Stream<Item = Result<UserGroup, Error>> + Send {
        self.list_of("/usergroups".into(), filters.to_vec(), "list user groups")
    }

    /// Every group of the org, read once, to resolve names against (section 26).
    ///
    /// # Errors
    /// A failed page.
    pub async fn directory(&self) -> Result<GroupDirectory, Error> {
        Ok(GroupDirectory::new(self.list(&[]).try_collect().await?))
    }

    /// One group by id.
    ///
    /// # Errors
    /// 404 for an unknown id; a transport failure, another non-2xx answer.
    pub async fn get(&self, id: &str) -> Result<UserGroup, Error> {
        let path = format!("/usergroups/{}", encode_segment(id));
        let request = get_request(self.session, &path, self.org())?;
        self.session.fetch("get user group", request).await
    }

    /// Creates a group (`POST /usergroups`). jcbulk never calls this implicitly.
    ///
    /// # Errors
    /// 409 for a name already taken; a transport failure, another non-2xx answer.
    pub async fn create(&self, group: &UserGroupPost) -> Result<UserGroup, Error> {
        let request =
            self.session
                .endpoint()
                .json(Method::POST, "/usergroups", group, self.org())?;
        self.session.fetch("create user group", request).await
    }

    /// Replaces a group (`PUT /usergroups/{id}`, a full replacement).
    ///
    /// # Errors
    /// 404, 409 for a name taken by another group; a transport failure, another non-2xx answer.
    pub async fn replace(&self, id: &str, group: &UserGroupPut) -> Result<UserGroup, Error> {
        let path = format!("/usergroups/{}", encode_segment(id));
        let request = self
            .session
            .endpoint()
            .json(Method::PUT, &path, group, self.org())?;
        self.session.fetch("replace user group", request).await
    }

    /// Changes a group: reads it fresh, lets `edit` change the full replacement built from it,
    /// and sends that (section 27: there is no PATCH).
    ///
    /// # Errors
    /// As [`Groups::get`] and [`Groups::replace`].
    pub async fn update(
        &self,
        id: &str,
        edit: impl FnOnce(&mut UserGroupPut),
    ) -> Result<UserGroup, Error> {
        let mut body = UserGroupPut::from(&self.get(id).await?);
        edit(&mut body);
        self.replace(id, &body).await
    }

    /// The ids of a group's direct members, without repeats (entries that are not users are
    /// ignored, section 28).
    pub fn members(&self, group_id: &str) -> impl Stream<Item = Result<String, Error>> + Send {
        let path = format!("/usergroups/{}/members", encode_segment(group_id));
        let mut seen = HashSet::new();
        self.list_of::<GraphConnection>(path, Vec::new(), "list group members")
            .try_filter_map(move |edge| {
                let id = edge.user_id().map(str::to_owned);
                futures::future::ready(Ok(id.filter(|id| seen.insert(id.clone()))))
            })
    }

    /// The groups `user_id` belongs to (`memberof`, user groups only); an entry is a direct
    /// membership when [`GraphObjectWithPaths::is_direct`].
    pub fn member_of(
        &self,
        user_id: &str,
    ) -> impl Stream<Item = Result<GraphObjectWithPaths, Error>> + Send {
        let path = format!("/users/{}/memberof", encode_segment(user_id));
        self.list_of(
            path,
            vec!["type:eq:user_group".into()],
            "list a user's groups",
        )
    }

    /// The members of each of `groups`, read once (a few groups at a time), before any write.
    ///
    /// # Errors
    /// The first failed read.
    pub async fn snapshot(&self, groups: &[UserGroup]) -> Result<Snapshot, Error> {
        // Each read owns what it needs, collected before the first await: the future stays
        // `Send` for any caller (a spawned task included).
        let reads: Vec<futures::future::BoxFuture<'static, Result<GroupMembers, Error>>> = groups
            .iter()
            .map(|group| {
                let group = group.clone();
                let id = group.id.clone().unwrap_or_default();
                let members = self.members(&id);
                let read = async move {
                    let members: Vec<String> = members.try_collect().await?;
                    Ok::<_, Error>(GroupMembers::new(group, members))
                };
                Box::pin(read) as futures::future::BoxFuture<'static, _>
            })
            .collect();
        let read: Vec<GroupMembers> = futures::stream::iter(reads)
            .buffered(SNAPSHOT_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(Snapshot::new(read))
    }

    /// Sends `plan`: every change with its outcome, as a stream (refused changes and no-ops
    /// first, then the answers as they arrive). `control` stops sending: changes not yet sent
    /// end `not_sent`.
    pub fn apply(
        &self,
        plan: MemberPlan,
        options: &ChangeOptions,
        control: &ImportControl,
    ) -> impl Stream<Item = ChangeResult> + Send + 'static {
        apply::apply(
            self.session.clone(),
            self.org().map(str::to_owned),
            plan,
            options,
            control.clone(),
        )
    }
}
