//! The state every connection and the job processor share.

use crate::auth::Caller;
use crate::clock::MockClock;
use crate::config::MockConfig;
use crate::faults::Faults;
use crate::ids::IdGen;
use crate::log::RequestLog;
use crate::store::State;
use bytes::Bytes;
use http::HeaderMap;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::Notify;

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: MockConfig,
    pub(crate) state: Mutex<State>,
    pub(crate) ids: IdGen,
    pub(crate) clock: MockClock,
    pub(crate) work: Notify,
    pub(crate) faults: Faults,
    pub(crate) log: RequestLog,
    /// Requests received (all paths).
    pub(crate) requests: std::sync::atomic::AtomicU64,
    /// Member edges added and removed through `POST /usergroups/{id}/members`.
    pub(crate) edges_added: std::sync::atomic::AtomicU64,
    pub(crate) edges_removed: std::sync::atomic::AtomicU64,
    /// While set, the processor leaves queued jobs alone.
    pub(crate) paused: std::sync::atomic::AtomicBool,
    /// Issued service-account tokens.
    pub(crate) tokens: crate::oauth::Tokens,
    /// Reads of job results (for the `reorder_results` quirk).
    pub(crate) result_reads: std::sync::atomic::AtomicU64,
}

impl Shared {
    pub(crate) fn new(mut config: MockConfig) -> Self {
        for admin in &mut config.admins {
            for org in &mut admin.orgs {
                *org = org.to_ascii_lowercase();
            }
        }
        let mut state = State::default();
        for admin in &config.admins {
            for org in &admin.orgs {
                state.org(org);
            }
        }
        Self {
            faults: Faults::new(config.faults.clone()),
            log: RequestLog::new(config.request_log_capacity),
            config,
            state: Mutex::new(state),
            ids: IdGen::default(),
            clock: MockClock::default(),
            work: Notify::new(),
            paused: std::sync::atomic::AtomicBool::new(false),
            requests: std::sync::atomic::AtomicU64::new(0),
            edges_added: std::sync::atomic::AtomicU64::new(0),
            edges_removed: std::sync::atomic::AtomicU64::new(0),
            tokens: crate::oauth::Tokens::default(),
            result_reads: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// An authenticated API request, routed.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) caller: Caller,
}

impl ApiRequest {
    /// The first value of query parameter `name`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of query parameter `name`.
    pub(crate) fn params(&self, name: &str) -> Vec<&str> {
        crate::query::all(&self.query, name)
    }
}
