//! The one pager of every list ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 4): offset paging (`limit`, `skip += page
//! length`) and same-origin `Link: <...>; rel="next"` paging, with the guards in one place.
//!
//! A list ends at an empty page or a page shorter than its limit (or, following links, where
//! the server gives no next link). A total count never ends a list (it may be absent, or stale):
//! one that disagrees with the items read is logged as a warning. The guards: a full
//! page whose first item equals the previous page's (a server that ignores `skip`) is an error,
//! and so is a list past [`MAX_PAGES`] pages or a `Link` to another origin (the API key stays
//! with JumpCloud). [`Pager::pages`] is the page view, [`Pager::items`] the item view.

use crate::error::Error;
use crate::options::Page;
use crate::response;
use crate::session::Session;
use bytes::Bytes;
use futures::{stream, Stream, TryStreamExt};
use http::{Method, Request};
use jc_models::OrgId;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;

/// What to fetch next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// By offset.
    Offset(Page),
    /// By the server's `Link` (an absolute URL on the API's origin).
    Link(String),
}

/// One fetched page: its items, the server's next link and its total count, if any.
#[derive(Debug)]
pub(crate) struct Fetched<T> {
    pub(crate) items: Vec<T>,
    pub(crate) link: Option<String>,
    pub(crate) total: Option<u64>,
}

/// The most pages one list may have (a million items): a server that pages on forever ends the
/// stream with an error instead of filling the memory.
pub(crate) const MAX_PAGES: usize = 10_000;

/// A paged list: what it is called in errors, where it starts, and how a page is fetched.
pub(crate) struct Pager<F> {
    what: &'static str,
    first: Page,
    max_pages: usize,
    fetch: F,
}

struct State<F, T> {
    pager: Pager<F>,
    next: Option<Next>,
    previous_first: Option<T>,
    pages: usize,
    read: u64,
}

impl<F> Pager<F> {
    /// The list `what` (as errors name it), fetched page by page by `fetch` from the first page.
    pub(crate) fn new(what: &'static str, fetch: F) -> Self {
        Self {
            what,
            first: Page::first(),
            max_pages: MAX_PAGES,
            fetch,
        }
    }

    /// Starts at `page` instead of the first page.
    pub(crate) fn starting_at(mut self, page: Page) -> Self {
        self.first = page;
        self
    }

    /// At most `pages` pages (fewer than [`MAX_PAGES`]); the list ends quietly there.
    pub(crate) fn at_most(mut self, pages: usize) -> Self {
        self.max_pages = pages.min(MAX_PAGES);
        self
    }

    /// Every page, in order.
    pub(crate) fn pages<T, Fut>(self) -> impl Stream<Item = Result<Vec<T>, Error>> + Send
    where
        T: Clone + PartialEq + Send,
        F: Fn(Next) -> Fut + Send + Sync,
        Fut: Future<Output = Result<Fetched<T>, Error>> + Send,
    {
        let state = State {
            next: Some(Next::Offset(self.first)),
            pager: self,
            previous_first: None,
            pages: 0,
            read: 0,
        };
        stream::try_unfold(state, |mut state| async move {
            let Some(next) = state.next.take() else {
                return Ok(None);
            };
            state.pages += 1;
            if state.pages > state.pager.max_pages {
                if state.pager.max_pages < MAX_PAGES {
                    return Ok(None);
                }
                return Err(Error::Pagination(format!(
                    "the server kept paging {} past {MAX_PAGES} pages; the list was cut there",
                    state.pager.what
                )));
            }
            let fetched = (state.pager.fetch)(next.clone()).await?;
            let page = fetched.items;
            let limit = match &next {
                Next::Offset(current) => current.limit() as usize,
                Next::Link(_) => Page::MAX_LIMIT as usize,
            };
            let full = !page.is_empty() && page.len() >= limit;
            if full && page.first() == state.previous_first.as_ref() {
                return Err(Error::Pagination(format!(
                    "the server answered the same page of {} twice; it may ignore `skip`",
                    state.pager.what
                )));
            }
            state.previous_first = page.first().cloned();
            state.read += page.len() as u64;
            // Where the list stands: the offset past this page, or (following links) the count.
            let end = match &next {
                Next::Offset(current) => current.skip() + page.len() as u64,
                Next::Link(_) => state.read,
            };
            state.next = match (fetched.link, next) {
                (Some(url), _) if !page.is_empty() => Some(Next::Link(url)),
                (_, Next::Offset(current)) if full => Some(Next::Offset(current.after(page.len()))),
                _ => None,
            };
            if let (None, Some(total)) = (&state.next, fetched.total) {
                if total != end {
                    tracing::warn!(
                        list = state.pager.what,
                        total_count = total,
                        read = end,
                        "the server's totalCount disagrees with the items its pages listed; the pages were read to the end"
                    );
                }
            }
            if page.is_empty() {
                return Ok(None);
            }
            Ok(Some((page, state)))
        })
    }

    /// Every item of every page, in order.
    pub(crate) fn items<T, Fut>(self) -> impl Stream<Item = Result<T, Error>> + Send
    where
        T: Clone + PartialEq + Send,
        F: Fn(Next) -> Fut + Send + Sync,
        Fut: Future<Output = Result<Fetched<T>, Error>> + Send,
    {
        self.pages()
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
    }
}

/// A `Link` target resolved against the URL of the request that returned it (RFC 3986 in the
/// forms servers use): absolute, `//host/...`, `/path`, `?query`, or a path relative to the
/// request's directory.
pub(crate) fn resolve(request_url: &str, link: &str) -> String {
    let link = link.trim();
    if link.contains("://") {
        return link.to_owned();
    }
    let (scheme, rest) = request_url
        .split_once("://")
        .unwrap_or(("https", request_url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
    if let Some(network) = link.strip_prefix("//") {
        format!("{scheme}://{network}")
    } else if link.starts_with('/') {
        format!("{scheme}://{authority}{link}")
    } else if link.starts_with('?') {
        format!("{scheme}://{authority}{path}{link}")
    } else {
        let directory = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        let directory = if directory.is_empty() { "/" } else { directory };
        format!("{scheme}://{authority}{directory}{link}")
    }
}

/// Every item of a v2 list (a JSON array a page) sent through `session`: `build` makes the
/// request of an offset page; a `Link` is followed on the same origin with the same org.
pub(crate) fn list<T, B>(
    session: &Arc<Session>,
    org_id: Option<OrgId>,
    operation: &'static str,
    build: B,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: DeserializeOwned + Clone + PartialEq + Send + 'static,
    B: Fn(&Session, Page) -> Result<Request<Bytes>, Error> + Send + Sync + 'static,
{
    let (session, build) = (session.clone(), Arc::new(build));
    Pager::new(operation, move |next| {
        let (session, build, org_id) = (session.clone(), build.clone(), org_id.clone());
        async move {
            let request = match next {
                Next::Offset(page) => build(&session, page)?,
                Next::Link(url) => link_request(&session, &url, org_id.as_ref())?,
            };
            let url = request.uri().to_string();
            let response = session.send(request).await?;
            let link = response::next_link(&response).map(|link| resolve(&url, &link));
            let items: Vec<T> = response::decode_json(operation, &response)?;
            Ok::<Fetched<T>, Error>(Fetched {
                items,
                link,
                total: None,
            })
        }
    })
    .items()
}

/// The request of a `Link` target: refused when it leaves the API's origin.
fn link_request(
    session: &Session,
    url: &str,
    org_id: Option<&OrgId>,
) -> Result<Request<Bytes>, Error> {
    session
        .endpoint()
        .request_url(Method::GET, url, None, org_id.map(OrgId::as_str))
        .map_err(|_| {
            Error::Pagination(format!(
                "the server's next page is on another origin (`{url}`): not followed, so that the \
                 API key stays with JumpCloud; the list is incomplete"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_the_request() {
        let base = "https://console.jumpcloud.com/api/v2/bulk/userstates?limit=100&skip=0";
        for (link, want) in [
            (
                "https://console.jumpcloud.com/api/v2/x?skip=100",
                "https://console.jumpcloud.com/api/v2/x?skip=100",
            ),
            (
                "/api/v2/bulk/userstates?skip=100",
                "https://console.jumpcloud.com/api/v2/bulk/userstates?skip=100",
            ),
            (
                "?limit=100&skip=100",
                "https://console.jumpcloud.com/api/v2/bulk/userstates?limit=100&skip=100",
            ),
            (
                "userstates?skip=100",
                "https://console.jumpcloud.com/api/v2/bulk/userstates?skip=100",
            ),
            ("//evil.invalid/x", "https://evil.invalid/x"),
        ] {
            assert_eq!(resolve(base, link), want, "{link}");
        }
    }

    /// A list of `n` items served `limit` at a time by offset (every page counted in `calls`),
    /// with or without a total count.
    fn served(
        n: u64,
        total: Option<u64>,
        calls: &std::sync::atomic::AtomicUsize,
    ) -> impl Fn(Next) -> futures::future::Ready<Result<Fetched<u64>, Error>> + Send + Sync + '_
    {
        move |next| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let Next::Offset(page) = next else {
                return futures::future::ready(Err(Error::Pagination("no links here".into())));
            };
            let end = (page.skip() + u64::from(page.limit())).min(n);
            let items = (page.skip().min(n)..end).collect();
            futures::future::ready(Ok(Fetched {
                items,
                link: None,
                total,
            }))
        }
    }

    async fn all(
        pager: Pager<
            impl Fn(Next) -> futures::future::Ready<Result<Fetched<u64>, Error>> + Send + Sync,
        >,
    ) -> Result<Vec<u64>, Error> {
        pager.items().try_collect().await
    }

    #[tokio::test]
    async fn without_a_count_the_list_pages_to_a_short_or_empty_page() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        for (n, reads) in [(250, 3), (200, 3), (0, 1)] {
            let calls = AtomicUsize::new(0);
            let items = all(Pager::new("things", served(n, None, &calls)))
                .await
                .unwrap();
            assert_eq!(items, (0..n).collect::<Vec<_>>());
            assert_eq!(calls.load(Ordering::SeqCst), reads, "{n} items");
        }
    }

    /// Issue 19: a count never ends a list, right or stale (it once saved the empty read, and
    /// a stale one cut exports short).
    #[tokio::test]
    async fn a_count_never_ends_the_list() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        for total in [200, 100, 0, 5000] {
            let calls = AtomicUsize::new(0);
            let items = all(Pager::new("things", served(200, Some(total), &calls)))
                .await
                .unwrap();
            assert_eq!(items.len(), 200, "totalCount {total}");
            assert_eq!(calls.load(Ordering::SeqCst), 3, "totalCount {total}");
        }
    }

    #[tokio::test]
    async fn the_same_page_twice_and_endless_lists_are_errors_and_a_bound_ends_quietly() {
        let same = |_: Next| {
            futures::future::ready(Ok(Fetched {
                items: (0..100u64).collect(),
                link: None,
                total: None,
            }))
        };
        let error = all(Pager::new("things", same)).await.unwrap_err();
        assert!(error.to_string().contains("same page of things"), "{error}");
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let endless = served(u64::MAX, None, &calls);
        let bounded = all(Pager::new("things", endless).at_most(3)).await.unwrap();
        assert_eq!(bounded.len(), 300);
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let endless = served(u64::MAX, None, &calls);
        let capped = futures::StreamExt::take(Pager::new("things", endless).pages(), MAX_PAGES + 5);
        let ended: Vec<_> = futures::StreamExt::collect(capped).await;
        assert_eq!(ended.len(), MAX_PAGES + 1, "the pages, then the error");
        assert!(matches!(ended.last(), Some(Err(Error::Pagination(_)))));
    }

    #[tokio::test]
    async fn a_link_is_followed_instead_of_the_offset() {
        let fetch = |next: Next| {
            let fetched = match next {
                Next::Offset(_) => Fetched {
                    items: vec![1u64],
                    link: Some("https://jumpcloud.invalid/next".into()),
                    total: None,
                },
                Next::Link(url) => {
                    assert_eq!(url, "https://jumpcloud.invalid/next");
                    Fetched {
                        items: vec![2],
                        link: None,
                        total: None,
                    }
                }
            };
            futures::future::ready(Ok(fetched))
        };
        assert_eq!(all(Pager::new("things", fetch)).await.unwrap(), [1, 2]);
    }
}
