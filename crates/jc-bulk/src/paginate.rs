//! Streams over paged lists (CONTRACT.md section 4): `limit=100`, `skip += page length`, until a
//! page shorter than the limit; a same-origin `Link: <...>; rel="next"` is followed instead when
//! present. A server that answers the same full page twice (ignoring `skip`) ends the stream
//! with an error instead of looping forever.

use crate::client::Client;
use crate::error::Error;
use crate::options::Page;
use crate::response;
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
    };
    stream::try_unfold(state, |mut state| async move {
        let Some(next) = state.next.take() else {
            return Ok(None);
        };
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

/// Every item of a paged list operation of `client`: `build` makes the request of an offset
/// page; a `Link` is followed on the same origin with the same org.
pub(crate) fn list<T, B>(
    client: &Client,
    org_id: Option<jc_models::OrgId>,
    operation: &'static str,
    build: B,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: DeserializeOwned + Clone + PartialEq + Send + 'static,
    B: Fn(&Client, Page) -> Result<Request<Bytes>, Error> + Send + Sync + 'static,
{
    let (client, build) = (client.clone(), std::sync::Arc::new(build));
    items(move |next| {
        let (client, build, org_id) = (client.clone(), build.clone(), org_id.clone());
        async move {
            let request = match next {
                Next::Offset(page) => build(&client, page)?,
                Next::Link(url) => {
                    client
                        .endpoint()
                        .request_url(Method::GET, &url, None, org_id.as_deref())?
                }
            };
            let response = client.send_raw(request).await?;
            let link = response::next_link(&response);
            let page: Vec<T> = response::decode_json(operation, &response)?;
            Ok::<Fetched<T>, Error>((page, link))
        }
    })
}
