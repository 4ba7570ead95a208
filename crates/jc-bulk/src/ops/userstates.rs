//! Scheduled state changes: schedule, list, cancel, next events.

use crate::error::Error;
use crate::options::{CallOptions, ListScheduledOptions, Page};
use crate::pager::{self, Fetched, Next, Pager};
use crate::session::Session;
use crate::{request, response};
use futures::{Stream, TryStreamExt};
use jc_models::{
    BulkScheduledStatechangeCreate, BulkUserStatesGetNextScheduledResponse,
    ScheduledUserstateResult,
};
use std::sync::Arc;

/// Schedules a state change (POST /bulk/userstates): one result per user, each with its own
/// `scheduledJobId`. [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 8 is checked before sending.
///
/// # Errors
/// A body that breaks section 8, a transport failure, or a non-2xx answer.
pub(crate) async fn schedule_state_change(
    session: &Arc<Session>,
    change: &BulkScheduledStatechangeCreate,
    options: &CallOptions,
) -> Result<Vec<ScheduledUserstateResult>, Error> {
    let request = request::schedule_state_change(session.endpoint(), change, options)?;
    session.fetch("schedule state change", request).await
}

/// One page of scheduled changes (GET /bulk/userstates).
///
/// # Errors
/// A transport failure, a non-2xx answer, or an unreadable body.
pub(crate) async fn scheduled_states_page(
    session: &Arc<Session>,
    options: &ListScheduledOptions,
    page: Page,
) -> Result<Vec<ScheduledUserstateResult>, Error> {
    let request = request::list_scheduled(session.endpoint(), options, page)?;
    session.fetch("list scheduled states", request).await
}

/// Every scheduled change matching `options`, paging by 100.
pub(crate) fn scheduled_states(
    session: &Arc<Session>,
    options: &ListScheduledOptions,
) -> impl Stream<Item = Result<ScheduledUserstateResult, Error>> + Send + 'static {
    let call = options.clone();
    pager::list(
        session,
        options.org_id.clone(),
        "list scheduled states",
        move |client, page| request::list_scheduled(client.endpoint(), &call, page),
    )
}

/// Cancels one scheduled change (DELETE /bulk/userstates/{id}).
///
/// # Errors
/// A transport failure or a non-2xx answer (404 for an unknown id).
pub(crate) async fn cancel_scheduled(
    session: &Arc<Session>,
    scheduled_job_id: &str,
    options: &CallOptions,
) -> Result<(), Error> {
    let request = request::cancel_scheduled(session.endpoint(), scheduled_job_id, options)?;
    let response = session.send(request).await?;
    response::decode_empty(&response)
}

/// The next scheduled change of each state for any number of users: calls of at most 100
/// ids, each paged until its `events_count` is read, merged in date order.
///
/// # Errors
/// No user ids, a transport failure, a non-2xx answer, or an unreadable body.
pub(crate) async fn next_scheduled<S: AsRef<str>>(
    session: &Arc<Session>,
    user_ids: &[S],
    options: &CallOptions,
) -> Result<BulkUserStatesGetNextScheduledResponse, Error> {
    let ids: Vec<String> = user_ids
        .iter()
        .map(|id| id.as_ref().trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(crate::error::InvalidInput::Argument("no user ids".into()).into());
    }
    let mut total = 0i64;
    let mut results = Vec::new();
    for batch in ids.chunks(100) {
        let counted = std::sync::Mutex::new(0i64);
        let fetch = |next: Next| {
            let counted = &counted;
            async move {
                let Next::Offset(page) = next else {
                    return Err(Error::Pagination(
                        "next scheduled states have no links".into(),
                    ));
                };
                let request = request::next_scheduled(session.endpoint(), batch, page, options)?;
                let answer: BulkUserStatesGetNextScheduledResponse =
                    session.fetch("next scheduled states", request).await?;
                let count = answer.events_count.unwrap_or(0);
                *counted
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = count;
                Ok(Fetched {
                    items: answer.results.unwrap_or_default(),
                    link: None,
                    total: Some(u64::try_from(count).unwrap_or(0)),
                })
            }
        };
        let pages = Pager::new("next scheduled states", fetch).pages();
        futures::pin_mut!(pages);
        let mut read = 0usize;
        while let Some(page) = pages.try_next().await? {
            read += page.len();
            results.extend(page);
        }
        let count = *counted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        total += count.max(read as i64);
    }
    results.sort_by(|a, b| {
        let when =
            |r: &ScheduledUserstateResult| r.scheduled_date.as_ref().and_then(|d| d.instant());
        when(a)
            .cmp(&when(b))
            .then_with(|| a.scheduled_job_id.cmp(&b.scheduled_job_id))
    });
    Ok(BulkUserStatesGetNextScheduledResponse {
        events_count: Some(total),
        results: Some(results),
        ..Default::default()
    })
}
