//! Streams over paged lists ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 4): `limit=100`, `skip += page length`, until a
//! page shorter than the limit; a same-origin `Link: <...>; rel="next"` is followed instead when
//! present. A server that answers the same full page twice (ignoring `skip`) ends the stream
//! with an error instead of looping forever.

use crate::error::Error;
use crate::options::Page;
use crate::response;
use crate::session::Session;
use bytes::Bytes;
use futures::{stream, Stream, StreamExt, TryStreamExt};
use http::{Method, Request};
use serde::de::DeserializeOwned;
use std::future::Future;

/// What to fetch next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// By offset.
    Offset(Page),
    /// By the server's `Link` (an absolute URL on the API's origin).
    Link(String),
}

/// One fetched page: its items and the server's next link, if any.
pub(crate) type Fetched<T> = (Vec<T>, Option<String>);

struct State<F, T> {
    fetch: F,
    next: Option<Next>,
    previous_first: Option<T>,
    pages: usize,
}

/// The most pages one list may have (a million items): a server that pages on forever ends the
/// stream with an error instead of filling the memory.
pub(crate) const MAX_PAGES: usize = 10_000;

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

/// Every item of every page, in order.
pub(crate) fn items<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: Clone + PartialEq + Send + 'static,
    F: Fn(Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Fetched<T>, Error>> + Send + 'static,
{
    let state = State {
        fetch,
        next: Some(Next::Offset(Page::first())),
        previous_first: None,
        pages: 0,
    };
    stream::try_unfold(state, |mut state| async move {
        let Some(next) = state.next.take() else {
            return Ok(None);
        };
        state.pages += 1;
        if state.pages > MAX_PAGES {
            return Err(Error::Pagination(format!(
                "the server kept paging past {MAX_PAGES} pages; the list was cut there"
            )));
        }
        let (page, link) = (state.fetch)(next.clone()).await?;
        let full = page.len() >= Page::MAX_LIMIT as usize;
        if full && !page.is_empty() && page.first() == state.previous_first.as_ref() {
            return Err(Error::Pagination(
                "the server answered the same page twice; it may ignore `skip`".into(),
            ));
        }
        state.previous_first = page.first().cloned();
        state.next = match (link, next) {
            (Some(url), _) if !page.is_empty() => Some(Next::Link(url)),
            (_, Next::Offset(current)) if full => Some(Next::Offset(current.after(page.len()))),
            _ => None,
        };
        Ok(Some((page, state)))
    })
    .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

/// Every item of a paged list operation sent through `session`: `build` makes the request of an offset
/// page; a `Link` is followed on the same origin with the same org.
pub(crate) fn list<T, B>(
    session: &std::sync::Arc<Session>,
    org_id: Option<jc_models::OrgId>,
    operation: &'static str,
    build: B,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: DeserializeOwned + Clone + PartialEq + Send + 'static,
    B: Fn(&Session, Page) -> Result<Request<Bytes>, Error> + Send + Sync + 'static,
{
    let (session, build) = (session.clone(), std::sync::Arc::new(build));
    items(move |next| {
        let (session, build, org_id) = (session.clone(), build.clone(), org_id.clone());
        async move {
            let request = match next {
                Next::Offset(page) => build(&session, page)?,
                Next::Link(url) => session
                    .endpoint()
                    .request_url(Method::GET, &url, None, org_id.as_deref())
                    .map_err(|_| {
                        Error::Pagination(format!(
                            "the server's next page is on another origin (`{url}`): not followed, \
                             so that the API key stays with JumpCloud; the list is incomplete"
                        ))
                    })?,
            };
            let url = request.uri().to_string();
            let response = session.send(request).await?;
            let link = response::next_link(&response).map(|link| resolve(&url, &link));
            let page: Vec<T> = response::decode_json(operation, &response)?;
            Ok::<Fetched<T>, Error>((page, link))
        }
    })
}

#[cfg(test)]
mod resolve_tests {
    use super::resolve;

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
}
