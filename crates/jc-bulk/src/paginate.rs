//! Streams over paged lists (CONTRACT.md section 4): `limit=100`, `skip += page length`, until a
//! page shorter than the limit; a same-origin `Link: <...>; rel="next"` is followed instead when
//! present. A server that answers the same full page twice (ignoring `skip`) ends the stream
//! with an error instead of looping forever.

use crate::error::Error;
use crate::options::Page;
use futures::{stream, Stream, StreamExt, TryStreamExt};
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
