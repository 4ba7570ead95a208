//! `MockServer`: start, address, shutdown, and the inspection API for tests.

use crate::clock::MockClock;
use crate::config::MockConfig;
use crate::groups::{MockGroup, SeedGroup};
use crate::http_service;
use crate::log::LoggedRequest;
use crate::shared::Shared;
use crate::store::{MockJob, MockUser, ScheduledChange};
use jc_models::BulkUserCreate;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running mock JumpCloud. Dropping it (or [`MockServer::shutdown`]) stops it.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl MockServer {
    /// Binds `config.addr` (default 127.0.0.1:0) and serves HTTP/1.1 and HTTP/2 (h2c).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let seed = config.seed_users;
        let shared = Arc::new(Shared::new(config));
        if seed > 0 {
            let org = shared
                .config
                .admins
                .first()
                .and_then(|admin| admin.orgs.first())
                .cloned()
                .unwrap_or_default();
            let default_state = shared.config.default_user_state.clone();
            let mut state = shared.state();
            for user in crate::seed::users(seed) {
                let record = serde_json::to_value(&user).unwrap_or_default();
                let _ = crate::processor::create(
                    state.org(&org),
                    &record,
                    (None, crate::SEED_CREATED),
                    &shared.ids,
                    &default_state,
                );
            }
        }
        if !shared.config.seed_groups.is_empty() {
            let org = shared
                .config
                .admins
                .first()
                .and_then(|admin| admin.orgs.first())
                .cloned()
                .unwrap_or_default();
            let mut next = || shared.ids.next(crate::ids::Kind::Group);
            let groups = shared.config.seed_groups.clone();
            shared
                .state()
                .org(&org)
                .seed_groups(&groups, &mut next)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        let (stop, watch) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(http_service::accept_loop(
                listener,
                shared.clone(),
                watch.clone(),
            )),
            tokio::spawn(http_service::processor(shared.clone(), watch)),
        ];
        Ok(Self {
            addr,
            shared,
            stop,
            tasks,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of the API, e.g. `http://127.0.0.1:41234/api/v2`.
    pub fn base_url(&self) -> String {
        format!(
            "http://{}{}",
            self.addr,
            self.shared.config.normalized_base()
        )
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// The first admin's API key.
    pub fn api_key(&self) -> &str {
        self.shared
            .config
            .admins
            .first()
            .map_or("", |admin| admin.api_key.as_str())
    }

    /// The first admin's first org.
    pub fn default_org(&self) -> String {
        self.shared
            .config
            .admins
            .first()
            .and_then(|admin| admin.orgs.first())
            .cloned()
            .unwrap_or_default()
    }

    /// Stops accepting, ends open connections and the job processor, and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }

    /// Requests received so far (also served at `GET /_mock/stats`, outside the API).
    pub fn request_count(&self) -> u64 {
        self.shared
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The mock's clock; advance it to make scheduled changes come due.
    pub fn clock(&self) -> &MockClock {
        &self.shared.clock
    }

    /// Advances the clock and applies every scheduled change that came due, in every org.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
        let now = self.shared.clock.now();
        for org in self.shared.state().orgs.values_mut() {
            org.apply_due(now);
        }
    }

    /// Stops processing jobs: submissions are still accepted, and their results stay `pending`
    /// until [`MockServer::resume_jobs`].
    pub fn pause_jobs(&self) {
        self.shared
            .paused
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Resumes processing jobs.
    pub fn resume_jobs(&self) {
        self.shared
            .paused
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.shared.work.notify_one();
    }

    /// Waits until every submitted job is fully processed.
    pub async fn wait_idle(&self) {
        loop {
            let idle = {
                let state = self.shared.state();
                state.queue.is_empty()
                    && state
                        .orgs
                        .values()
                        .all(|org| org.jobs.values().all(MockJob::is_finished))
            };
            if idle {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Every user of `org`, by id.
    pub fn users(&self, org: &str) -> Vec<MockUser> {
        self.with_org(org, |o| o.users.values().cloned().collect())
    }

    /// The user with object id `id`.
    pub fn user(&self, org: &str, id: &str) -> Option<MockUser> {
        self.with_org(org, |o| o.users.get(id).cloned())
    }

    /// The user called `username` (case-insensitive).
    pub fn user_by_username(&self, org: &str, username: &str) -> Option<MockUser> {
        self.with_org(org, |o| {
            let id = o.by_username.get(&crate::store::key(username))?;
            o.users.get(id).cloned()
        })
    }

    /// Adds a user directly, with the same rules as a create job; returns its id or the reason
    /// it was refused.
    ///
    /// # Errors
    /// The record's violations or a uniqueness conflict.
    pub fn insert_user(&self, org: &str, user: &BulkUserCreate) -> Result<String, String> {
        let record = serde_json::to_value(user).map_err(|e| e.to_string())?;
        let default_state = self.shared.config.default_user_state.clone();
        let now = self.shared.clock.now();
        let mut state = self.shared.state();
        crate::processor::create(
            state.org(org),
            &record,
            (None, now),
            &self.shared.ids,
            &default_state,
        )
    }

    /// Adds `users` to `org` as if created by a job (uniqueness enforced), in order; returns
    /// their ids, or the first refusal.
    ///
    /// # Errors
    /// A user the org would refuse (a taken username or e-mail, an invalid record).
    pub fn seed_users<I>(&self, org: &str, users: I) -> Result<Vec<String>, String>
    where
        I: IntoIterator<Item = BulkUserCreate>,
    {
        users
            .into_iter()
            .map(|user| self.insert_user(org, &user))
            .collect()
    }

    /// Adds a user to `org` without the uniqueness checks: for tests of lookups that must cope
    /// with data JumpCloud should never hold (two users with one e-mail).
    ///
    /// # Errors
    /// A record that is not a user.
    pub fn insert_user_unchecked(
        &self,
        org: &str,
        user: &BulkUserCreate,
    ) -> Result<String, String> {
        let mut record = serde_json::to_value(user).map_err(|e| e.to_string())?;
        let real_email = user.email.clone().unwrap_or_default();
        let placeholder = format!(
            "unchecked-{}@placeholder.invalid",
            self.shared.ids.next(crate::ids::Kind::User)
        );
        record["email"] = serde_json::json!(placeholder);
        let id = self.insert_user(
            org,
            &serde_json::from_value(record).map_err(|e| e.to_string())?,
        )?;
        let mut state = self.shared.state();
        if let Some(stored) = state.org(org).users.get_mut(&id) {
            stored.email = real_email.to_lowercase();
            stored
                .fields
                .insert("email".into(), serde_json::json!(stored.email));
        }
        Ok(id)
    }

    /// Every user group of `org`, in creation order.
    pub fn groups(&self, org: &str) -> Vec<MockGroup> {
        self.with_org(org, |o| o.groups.clone())
    }

    /// The group of `org` with id `id`.
    pub fn group(&self, org: &str, id: &str) -> Option<MockGroup> {
        self.with_org(org, |o| o.groups.iter().find(|g| g.id == id).cloned())
    }

    /// Adds `groups` to `org` (members by username; names are not checked for uniqueness, so
    /// that tests can hold legacy duplicates); returns their ids.
    ///
    /// # Errors
    /// A member that names no user of the org.
    pub fn seed_groups(&self, org: &str, groups: &[SeedGroup]) -> Result<Vec<String>, String> {
        let mut next = || self.shared.ids.next(crate::ids::Kind::Group);
        self.shared.state().org(org).seed_groups(groups, &mut next)
    }

    /// Deletes a user of `org` and every member edge to it; false when there was none.
    pub fn delete_user(&self, org: &str, id: &str) -> bool {
        self.shared.state().org(org).delete_user(id)
    }

    /// Member edges added and removed through the API so far (`(added, removed)`).
    pub fn edge_changes(&self) -> (u64, u64) {
        let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        (
            load(&self.shared.edges_added),
            load(&self.shared.edges_removed),
        )
    }

    /// Requests received by the token endpoint.
    pub fn token_requests(&self) -> u64 {
        self.shared.tokens.requests()
    }

    /// Revokes every token issued so far: the next call with one is a 401.
    pub fn revoke_tokens(&self) {
        self.shared.tokens.revoke_all();
    }

    /// The URL of the token endpoint.
    pub fn token_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::oauth::TOKEN_PATH)
    }

    /// Every job of `org`, in submission order.
    pub fn jobs(&self, org: &str) -> Vec<MockJob> {
        self.with_org(org, |o| {
            o.job_order
                .iter()
                .filter_map(|id| o.jobs.get(id).cloned())
                .collect()
        })
    }

    /// The job `id` of `org`.
    pub fn job(&self, org: &str, id: &str) -> Option<MockJob> {
        self.with_org(org, |o| o.jobs.get(id).cloned())
    }

    /// Every pending scheduled change of `org`, in the order they happen.
    pub fn scheduled(&self, org: &str) -> Vec<ScheduledChange> {
        let mut changes: Vec<ScheduledChange> =
            self.with_org(org, |o| o.scheduled.values().cloned().collect());
        changes.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        changes
    }

    /// The requests received, oldest first (up to the log's capacity), secrets redacted.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.snapshot()
    }

    fn with_org<T: Default>(&self, org: &str, f: impl FnOnce(&crate::store::Org) -> T) -> T {
        let state = self.shared.state();
        state
            .orgs
            .get(&org.to_ascii_lowercase())
            .map(f)
            .unwrap_or_default()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
