//! One look at a job's results: which pages to read, in what order, and how many at once.
//!
//! - Pages before the first record still pending are settled and are never read again.
//! - When the pacing expects the job to be done, the last page is read first (the probe); if
//!   it is settled, the pages between are read at once (up to [`PARALLEL_PAGES`] together), so
//!   a settled job of eight pages costs eight reads and about two round trips. If the probe
//!   finds the job still working, the look goes on as below (one read was spent to learn it).
//! - Otherwise pages are read in order from the first pending one, stopping at the first page
//!   that still holds a working record (the pages after it cannot have news yet), at a short
//!   page, or once every record is listed.
//!
//! - Every page read is folded into the job's [`Merged`] results first: a settled result is
//!   kept once read, even when a later look stops before its page (a record before it never
//!   settles) or the server lists results in another order.
//!
//! Bounded: a job of `expected` records fills at most `expected / 100 + 1` pages, so a server
//! that ignores `skip` (the same page again) or lists more results than records is a protocol
//! error, not an endless loop. Each request carries the wait's deadline, so that no
//! `Retry-After` outlasts it.

use crate::error::Error;
use crate::options::{CallOptions, Page};
use crate::session::Session;
use crate::wait::merged::Merged;
use futures::{StreamExt, TryStreamExt};
use jc_models::{JobId, JobWorkresult};
use jc_transport::Deadline;
use tokio::time::Instant;

/// Result pages read together once a job is known to be settled.
pub(crate) const PARALLEL_PAGES: usize = 8;

/// What a page looks like, to tell a server that ignores `skip` (the same page twice).
type Signature = Option<(usize, Option<String>, Option<u64>, Option<String>)>;

fn signature(items: &[JobWorkresult]) -> Signature {
    items.first().zip(items.last()).map(|(first, last)| {
        (
            items.len(),
            first.id.clone(),
            first.index(),
            last.id.clone(),
        )
    })
}

/// The part of a look that does not change between its requests.
pub(crate) struct Look<'a> {
    pub(crate) session: &'a Session,
    pub(crate) job_id: &'a JobId,
    pub(crate) expected: usize,
    pub(crate) options: &'a CallOptions,
    pub(crate) deadline: Option<Instant>,
}

impl Look<'_> {
    /// An error when `page` looks like the `previous` one (a server that ignores `skip`);
    /// otherwise `page` becomes the previous one.
    fn not_the_same_page(
        &self,
        previous: &mut Signature,
        page: &[JobWorkresult],
    ) -> Result<(), Error> {
        let seen = signature(page);
        if seen.is_some() && seen == *previous {
            return Err(Error::Pagination(format!(
                "the server answered the same page of job {}'s results twice (it ignores `skip`)",
                self.job_id
            )));
        }
        *previous = seen;
        Ok(())
    }

    fn too_many(&self) -> Error {
        Error::Pagination(format!(
            "the server listed more than {expected} results for job {job}, which holds {expected} records",
            expected = self.expected,
            job = self.job_id
        ))
    }

    /// One page of results from `skip`.
    async fn results_page(&self, skip: usize) -> Result<Vec<JobWorkresult>, Error> {
        let page = Page::new(Page::MAX_LIMIT, skip as u64)?;
        let endpoint = self.session.endpoint();
        let mut request = crate::request::job_results(endpoint, self.job_id, page, self.options)?;
        if let Some(deadline) = self.deadline {
            request.extensions_mut().insert(Deadline(deadline));
        }
        self.session.fetch("job results", request).await
    }

    /// Updates `results` (the leading pages read so far) with one look; `expect_done` when the
    /// pacing expects every record settled by now. See the module documentation.
    pub(crate) async fn refresh(
        &self,
        results: &mut Vec<JobWorkresult>,
        merged: &mut Merged,
        expect_done: bool,
    ) -> Result<(), Error> {
        let limit = Page::MAX_LIMIT as usize;
        if !Merged::lines_up(results) {
            // The server moved results between reads (a record on two pages): the pages read
            // before no longer line up with today's; read them again (what they held is kept).
            results.clear();
        }
        let first_pending = results
            .iter()
            .position(|r| !r.is_terminal())
            .unwrap_or(results.len());
        let keep = first_pending / limit * limit;
        let last = self.expected.saturating_sub(1) / limit * limit;
        if expect_done && last > keep {
            if let Some(fresh) = self.settled_tail(keep, last, merged).await? {
                results.truncate(keep);
                results.extend(fresh);
                return Ok(());
            }
        }
        self.read_in_order(results, keep, merged, true).await
    }

    /// Reads every page after the full pages of `results` (just read, and lining up), whatever
    /// they hold: with them, every result at once.
    pub(crate) async fn read_every_page(
        &self,
        results: &mut Vec<JobWorkresult>,
        merged: &mut Merged,
    ) -> Result<(), Error> {
        let limit = Page::MAX_LIMIT as usize;
        let keep = if Merged::lines_up(results) {
            results.len() / limit * limit
        } else {
            0
        };
        self.read_in_order(results, keep, merged, false).await
    }

    /// The probe of the last page, then the pages from `keep` to it at once: `None` when the
    /// probe (or a page between) shows the job is not settled yet.
    async fn settled_tail(
        &self,
        keep: usize,
        last: usize,
        merged: &mut Merged,
    ) -> Result<Option<Vec<JobWorkresult>>, Error> {
        let limit = Page::MAX_LIMIT as usize;
        let mut probe = self.results_page(last).await?;
        merged.fold(&mut probe);
        if probe.len() > self.expected - last {
            return Err(self.too_many());
        }
        if probe.len() < self.expected - last || !probe.iter().all(JobWorkresult::is_terminal) {
            return Ok(None);
        }
        let mut pages: Vec<Vec<JobWorkresult>> = futures::stream::iter((keep..last).step_by(limit))
            .map(|skip| self.results_page(skip))
            .buffered(PARALLEL_PAGES)
            .try_collect()
            .await?;
        for page in &mut pages {
            merged.fold(page);
        }
        let mut fresh = Vec::with_capacity(self.expected - keep);
        let mut previous = None;
        for page in pages.into_iter().chain(std::iter::once(probe)) {
            self.not_the_same_page(&mut previous, &page)?;
            fresh.extend(page);
        }
        // A page between that is short or has more: not the settled listing the probe
        // promised; the in-order look sorts it out.
        let complete = keep + fresh.len() == self.expected;
        Ok((complete && fresh.iter().all(JobWorkresult::is_terminal)).then_some(fresh))
    }

    /// Reads pages in order from `keep` (up to the first page still working, when
    /// `stop_at_working`); pages are read into `fresh` and replace the stale ones only once all
    /// arrived: a look cut short by its deadline keeps what it had.
    async fn read_in_order(
        &self,
        results: &mut Vec<JobWorkresult>,
        keep: usize,
        merged: &mut Merged,
        stop_at_working: bool,
    ) -> Result<(), Error> {
        let limit = Page::MAX_LIMIT as usize;
        let (mut fresh, mut previous) = (Vec::new(), None);
        loop {
            let mut items = self.results_page(keep + fresh.len()).await?;
            self.not_the_same_page(&mut previous, &items)?;
            merged.fold(&mut items);
            let short = items.len() < limit;
            let working = stop_at_working && items.iter().any(|r| !r.is_terminal());
            fresh.extend(items);
            if keep + fresh.len() > self.expected {
                return Err(self.too_many());
            }
            if short || working || keep + fresh.len() == self.expected {
                results.truncate(keep);
                results.extend(fresh);
                return Ok(());
            }
        }
    }
}
