//! The v1 user reads ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 19-22): list (a stream of pages), get, and resolving
//! usernames and e-mails to ids with the cheaper of two plans.

use crate::error::Error;
use crate::options::{CallOptions, Page};
use crate::pager::{Fetched, Next, Pager};
use crate::request::v1;
use crate::session::Session;
use futures::future::BoxFuture;
use futures::Stream;
use jc_models::{Search, SystemUser, SystemUsersList, SystemUsersSearchList, UserId};
use serde_json::{json, Value};
use std::sync::Arc;

/// What names a user in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserKey {
    /// The object id (passed through unchecked unless verification is asked for).
    Id(UserId),
    /// The username, matched case-insensitively and exactly.
    Username(String),
    /// The e-mail, matched case-insensitively and exactly.
    Email(String),
}

impl UserKey {
    /// `username`, `email` or `id`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Id(_) => "id",
            Self::Username(_) => "username",
            Self::Email(_) => "email",
        }
    }

    /// The key's text.
    pub fn text(&self) -> &str {
        match self {
            Self::Id(id) => id.as_str(),
            Self::Username(text) | Self::Email(text) => text,
        }
    }
}

/// What a key resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolution {
    /// Exactly one user.
    Found(UserId),
    /// No user.
    NotFound,
    /// Several users (possible for e-mails in orgs with inconsistent data).
    Ambiguous(Vec<UserId>),
}

/// The v1 reads, from [`Client::users`](crate::Client::users).
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    session: &'a Arc<Session>,
    options: &'a CallOptions,
}

impl<'a> Users<'a> {
    /// The reads through `session`, acting on `options`' org (or the session's).
    pub(crate) fn new(session: &'a Arc<Session>, options: &'a CallOptions) -> Self {
        Self { session, options }
    }

    fn org(&self) -> Option<&str> {
        self.options.org_id.as_deref()
    }

    /// One page of `GET /systemusers` (sorted by `_id`).
    ///
    /// # Errors
    /// A transport failure, a non-2xx answer, or an unreadable body.
    pub async fn page(
        &self,
        filters: &[String],
        fields: Option<&str>,
        page: Page,
    ) -> Result<SystemUsersList, Error> {
        let request = v1::list_users(self.session.endpoint(), filters, fields, page, self.org())?;
        self.session.fetch("list users", request).await
    }

    /// Every user matching `filters` (`field:$op:value`, all must hold), as a stream of pages of
    /// up to 100, with only `fields` when given (`_id` always). Paged by `skip` until a short or
    /// empty page (`totalCount`, absent or stale, never ends it); a repeated page, more than
    /// 10,000 pages, or a page with `results: null` is an error.
    pub fn list(
        &self,
        filters: &[String],
        fields: Option<&str>,
    ) -> impl Stream<Item = Result<Vec<SystemUser>, Error>> + Send + 'static {
        self.pager(filters, fields, 0).pages()
    }

    /// The pager of the user list from `skip`.
    pub(crate) fn pager(
        &self,
        filters: &[String],
        fields: Option<&str>,
        skip: u64,
    ) -> Pager<impl Fn(Next) -> BoxFuture<'static, Result<Fetched<SystemUser>, Error>> + Send + Sync>
    {
        let (session, options) = (self.session.clone(), self.options.clone());
        let (filters, fields) = (filters.to_vec(), fields.map(str::to_owned));
        let start = Page::new(Page::MAX_LIMIT, skip).unwrap_or_default();
        let fetch = move |next: Next| {
            let (session, options) = (session.clone(), options.clone());
            let (filters, fields) = (filters.clone(), fields.clone());
            let fetched = async move {
                let Next::Offset(page) = next else {
                    return Err(Error::Pagination("the v1 user list has no links".into()));
                };
                let page = Users::new(&session, &options)
                    .page(&filters, fields.as_deref(), page)
                    .await?;
                // `results: null` is no list at all: never read as "no more users".
                let total = page.total_count.and_then(|t| u64::try_from(t).ok());
                Ok(Fetched {
                    items: super::resolve::listed(page.results, page.total_count)?,
                    link: None,
                    total,
                })
            };
            Box::pin(fetched) as BoxFuture<'static, _>
        };
        Pager::new("users", fetch).starting_at(start)
    }

    /// One user by id.
    ///
    /// # Errors
    /// 404 for an unknown id; a transport failure, another non-2xx answer.
    pub async fn get(&self, id: &UserId) -> Result<SystemUser, Error> {
        let request = v1::get_user(self.session.endpoint(), id, self.org())?;
        self.session.fetch("get user", request).await
    }

    /// One search page of users matching any of `expressions`.
    pub(crate) async fn search_page(
        &self,
        expressions: &[Value],
        fields: &str,
        skip: u64,
    ) -> Result<SystemUsersSearchList, Error> {
        let search = Search {
            filter: Some(json!({ "or": expressions })),
            fields: Some(json!(fields)),
            limit: Some(100),
            skip: Some(skip as i64),
            ..Search::default()
        };
        let request = v1::search_users(self.session.endpoint(), &search, self.org())?;
        self.session.fetch("search users", request).await
    }
}
