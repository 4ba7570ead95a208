//! Orgs that share one server (`--orgs`): each org's run is told how many run at once, and its
//! waits start their blind reads later, as a job waits behind the other orgs' jobs in the
//! server's queue (issue 23).

/// The environment variable by which `--orgs` tells each org's run how many orgs share the
/// server's job queue with it (its waits start their blind reads later).
pub const SHARED_SERVER_ENV: &str = "JCBULK_ORGS_AT_ONCE";

/// With `n` orgs at once on one server (`--orgs`: [`SHARED_SERVER_ENV`]), a job waits behind
/// the others' jobs in the server's queue: the blind reads of the wait (before the server's rate
/// is known) start `3 n` times later, so that they do not ask before the job could have
/// started (issue 23: 272 requests for 10 orgs x 2,000 users, 240 with this).
pub fn shared_server(wait: jc_bulk::WaitOptions, n: Option<u32>) -> jc_bulk::WaitOptions {
    let Some(n) = n.filter(|n| (2..=32).contains(n)) else {
        return wait;
    };
    let (initial, max, factor) = wait.intervals();
    let later = (initial * (3 * n)).min(max);
    wait.clone()
        .with_intervals(later, max, factor)
        .unwrap_or(wait)
}

/// The number of orgs at once, as `--orgs` passes it to each org's run.
pub fn orgs_at_once() -> Option<u32> {
    std::env::var(SHARED_SERVER_ENV).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orgs_sharing_a_server_start_their_blind_reads_later() {
        use jc_bulk::WaitOptions;
        let plain = WaitOptions::new();
        let (initial, max, factor) = plain.intervals();
        assert_eq!(
            shared_server(plain.clone(), None).intervals(),
            (initial, max, factor)
        );
        assert_eq!(shared_server(plain.clone(), Some(1)).intervals().0, initial);
        assert_eq!(
            shared_server(plain.clone(), Some(4)).intervals().0,
            initial * 12
        );
        assert_eq!(
            shared_server(plain, Some(32)).intervals().0,
            max,
            "never past the longest"
        );
    }
}
