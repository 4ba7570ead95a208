//! Usernames and e-mails to ids ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 21 and 22), with the cheaper plan:
//! searching costs `ceil(k/100)` requests for k names, listing the org `ceil(n/100)` for n
//! users. Up to 100 names are one search and need nothing else. For more, the first list page is
//! read (it tells n) and the plan is chosen: listing on if the whole list costs no more than that
//! page plus the searches, else searching.

use super::users::{Resolution, UserKey, Users};
use crate::error::Error;
use crate::options::Page;
use crate::pager::{Fetched, Next, Pager};
use futures::future::{BoxFuture, FutureExt};
use futures::{StreamExt, TryStreamExt};
use jc_models::{SystemUser, SystemUserMatch, SystemUsersList, UserId};
use serde_json::Map;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How to resolve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolveOptions {
    /// Check that id keys name existing users (by default they pass through unchecked).
    pub verify_ids: bool,
}

/// Terms per search request (section 21).
const TERMS_PER_SEARCH: usize = 100;
/// Lookup requests in flight at once: enough to keep the rate limit busy when each request
/// waits on the network; the shared rate limit still paces them.
const READ_AHEAD: usize = 4;
/// Fields read: the id and the two names.
/// The fields a lookup reads: enough to match a key, and to tell a user a run created from one
/// that was there before (`created`).
pub(crate) const KEY_FIELDS: &str = "_id username email created";

fn lower(text: &str) -> String {
    text.trim().to_lowercase()
}

/// `text` as a case-insensitive anchored regex that matches exactly it, every metacharacter
/// escaped (section 21).
fn exactly(text: &str) -> String {
    let mut out = String::from("(?i)^");
    for c in text.trim().chars() {
        if "\\.+*?()|[]{}^$/-#&~ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('$');
    out
}

/// What the keys ask for, lowercased: (kind, text) pairs.
type Wanted = HashSet<(&'static str, String)>;

/// A user as a lookup read it: its id and the fields asked for, kept as compact JSON text (a
/// lookup over a whole org holds one per user: a parsed object would take several times the
/// memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    id: UserId,
    json: Box<str>,
}

impl CurrentUser {
    fn of(user: &impl serde::Serialize, id: &str) -> Self {
        let json = serde_json::to_string(user).unwrap_or_else(|_| "{}".to_owned());
        Self {
            id: UserId::new(id),
            json: json.into_boxed_str(),
        }
    }

    /// The user's object id.
    pub fn id(&self) -> &UserId {
        &self.id
    }

    /// The fields read, as the v1 API returned them (`_id` among them).
    pub fn fields(&self) -> Map<String, Value> {
        match serde_json::from_str(&self.json) {
            Ok(Value::Object(object)) => object,
            _ => Map::new(),
        }
    }

    /// The fields read, as JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }

    fn user(&self) -> SystemUser {
        serde_json::from_str(&self.json).unwrap_or_default()
    }
}

/// What a key named, with the user's current fields ([`Users::read`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// Exactly one user.
    Found(Arc<CurrentUser>),
    /// No user.
    NotFound,
    /// Several users.
    Ambiguous(Vec<UserId>),
}

/// Every user seen, by the wanted (kind, lowercased text) it matches.
#[derive(Default)]
struct Matches(HashMap<(&'static str, String), Vec<Arc<CurrentUser>>>);

impl Matches {
    fn add<U: serde::Serialize>(&mut self, wanted: &Wanted, user: &U, names: [Option<&str>; 3]) {
        let [Some(id), username, email] = names else {
            return;
        };
        let mut read: Option<Arc<CurrentUser>> = None;
        for (kind, text) in [("username", username), ("email", email), ("id", Some(id))] {
            let key = (kind, lower(text.unwrap_or_default()));
            if wanted.contains(&key) {
                let users = self.0.entry(key).or_default();
                if !users.iter().any(|known| known.id.as_str() == id) {
                    let user = read.get_or_insert_with(|| Arc::new(CurrentUser::of(user, id)));
                    users.push(user.clone());
                }
            }
        }
    }

    fn add_user(&mut self, wanted: &Wanted, user: &SystemUser) {
        let names = [
            user.object_id(),
            user.username.as_deref(),
            user.email.as_deref(),
        ];
        self.add(wanted, user, names);
    }

    fn lookup(&self, key: &UserKey, verify_ids: bool) -> Lookup {
        let users = self.users(key);
        match (key, verify_ids, users) {
            (UserKey::Id(id), false, _) => Lookup::Found(Arc::new(CurrentUser {
                id: id.clone(),
                json: format!("{{\"_id\":{}}}", json!(id.as_str())).into_boxed_str(),
            })),
            (_, _, []) => Lookup::NotFound,
            (_, _, [one]) => Lookup::Found(one.clone()),
            (_, _, many) => Lookup::Ambiguous(many.iter().map(|u| u.id.clone()).collect()),
        }
    }

    fn resolution(&self, key: &UserKey, verify_ids: bool) -> Resolution {
        match self.lookup(key, verify_ids) {
            Lookup::Found(user) => Resolution::Found(user.id.clone()),
            Lookup::NotFound => Resolution::NotFound,
            Lookup::Ambiguous(ids) => Resolution::Ambiguous(ids),
        }
    }

    /// The users that match `key`.
    fn users(&self, key: &UserKey) -> &[Arc<CurrentUser>] {
        self.0
            .get(&(key.kind(), lower(key.text())))
            .map_or(&[], Vec::as_slice)
    }
}

/// The fields a read asks for: the key fields and `fields`, once each.
fn with_keys(fields: &[&str]) -> String {
    let mut all: Vec<&str> = KEY_FIELDS.split(' ').collect();
    for field in fields {
        if !field.is_empty() && !all.contains(field) {
            all.push(field);
        }
    }
    all.join(" ")
}

fn expression(kind: &'static str, text: &str) -> Value {
    match kind {
        "id" => json!({ "_id": text.trim() }),
        field => json!({ field: { "$regex": exactly(text) } }),
    }
}

impl Users<'_> {
    /// One [`Resolution`] per key, in order, with the fewest requests the cheaper plan of
    /// [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 22 allows.
    ///
    /// # Errors
    /// A read that failed (nothing is guessed).
    pub async fn resolve(
        &self,
        keys: impl IntoIterator<Item = UserKey>,
        options: &ResolveOptions,
    ) -> Result<Vec<Resolution>, Error> {
        let keys: Vec<UserKey> = keys.into_iter().collect();
        let matches = self.matches(&keys, options.verify_ids, &[]).await?;
        Ok(keys
            .iter()
            .map(|key| matches.resolution(key, options.verify_ids))
            .collect())
    }

    /// For each key, in order, the user it names with the current values of `fields` (and
    /// `_id username email created`): what an update compares its rows with before sending
    /// (section 36). Id keys are checked too. The requests are those of [`Users::resolve`]:
    /// `ceil(k/100)` searches or the org's list pages, whichever is fewer; reading the fields
    /// costs no extra request.
    ///
    /// # Errors
    /// A read that failed (nothing is guessed).
    pub async fn read(&self, keys: &[UserKey], fields: &[&str]) -> Result<Vec<Lookup>, Error> {
        let matches = self.matches(keys, true, fields).await?;
        Ok(keys.iter().map(|key| matches.lookup(key, true)).collect())
    }

    /// The users that match each key (their id, username, e-mail and `created`), in order,
    /// with the same requests as [`Users::resolve`]: for a second look that must tell a user
    /// this run created from one that was there before.
    ///
    /// # Errors
    /// A read that failed (nothing is guessed).
    pub(crate) async fn matching(&self, keys: &[UserKey]) -> Result<Vec<Vec<SystemUser>>, Error> {
        let matches = self.matches(keys, true, &[]).await?;
        Ok(keys
            .iter()
            .map(|key| matches.users(key).iter().map(|u| u.user()).collect())
            .collect())
    }

    async fn matches(
        &self,
        keys: &[UserKey],
        verify_ids: bool,
        fields: &[&str],
    ) -> Result<Matches, Error> {
        let wanted: Wanted = keys
            .iter()
            .filter(|k| verify_ids || !matches!(k, UserKey::Id(_)))
            .map(|k| (k.kind(), lower(k.text())))
            .collect();
        let mut matches = Matches::default();
        if !wanted.is_empty() {
            self.find(&wanted, &mut matches, &with_keys(fields)).await?;
        }
        Ok(matches)
    }

    async fn find(
        &self,
        wanted: &Wanted,
        matches: &mut Matches,
        fields: &str,
    ) -> Result<(), Error> {
        let searches = wanted.len().div_ceil(TERMS_PER_SEARCH);
        if searches <= 1 {
            return self.search_all(wanted, matches, fields).await;
        }
        let first = self.page(&[], Some(fields), Page::first()).await?;
        let total = usize::try_from(first.total_count.unwrap_or(0)).unwrap_or(0);
        let pages = total.div_ceil(100).max(1);
        tracing::debug!(
            names = wanted.len(),
            users = total,
            pages,
            searches,
            "resolving users"
        );
        if pages > 1 + searches {
            tracing::debug!("plan: search, {searches} requests");
            return self.search_all(wanted, matches, fields).await;
        }
        tracing::debug!("plan: list the org, {pages} pages");
        self.list_ahead_from(fields, first, &mut |page| {
            for user in page {
                matches.add_user(wanted, user);
            }
        })
        .await
    }

    /// Every user of the org with `fields`, page by page into `on_page`: the pages the first
    /// page's total promises are read a few at a time (the shared rate limit paces them); a
    /// full last page means the list grew, and it is read on to its end; a short page ends it
    /// (a total count never does); a server that ignores `skip` is an error.
    ///
    /// # Errors
    /// A failed page, or a page repeated.
    pub(crate) async fn list_ahead(
        &self,
        fields: &str,
        on_page: &mut (dyn FnMut(&[SystemUser]) + Send),
    ) -> Result<(), Error> {
        let first = self.page(&[], Some(fields), Page::first()).await?;
        self.list_ahead_from(fields, first, on_page).await
    }

    async fn list_ahead_from(
        &self,
        fields: &str,
        first: SystemUsersList,
        on_page: &mut (dyn FnMut(&[SystemUser]) + Send),
    ) -> Result<(), Error> {
        let total = usize::try_from(first.total_count.unwrap_or(0)).unwrap_or(0);
        let pages = total.div_ceil(100).max(1);
        let first = listed(first.results, first.total_count)?;
        on_page(&first);
        // A short first page ends the list; a total count never does (it may be stale).
        if first.len() < 100 {
            return Ok(());
        }
        let mut previous = first.first().cloned();
        let mut next = Some(100u64);
        let skips = (1..pages as u64).map(|page| page * 100);
        // Boxed: the futures of a stream of futures must be `Send` for any lifetime.
        let fetch = |skip: u64| -> BoxFuture<'_, Result<(u64, Vec<SystemUser>), Error>> {
            Box::pin(async move {
                let page = Page::new(Page::MAX_LIMIT, skip).unwrap_or_default();
                let found = self.page(&[], Some(fields), page).await?;
                Ok((skip, listed(found.results, found.total_count)?))
            })
        };
        let fetches: Vec<_> = skips.map(fetch).collect();
        let fetches = futures::stream::iter(fetches).buffered(READ_AHEAD);
        futures::pin_mut!(fetches);
        while let Some((skip, page)) = fetches.try_next().await? {
            if next != Some(skip) {
                continue; // the list ended on an earlier, short page
            }
            if page.len() >= 100 && page.first() == previous.as_ref() {
                return Err(Error::Pagination(
                    "the server answered the same page of users twice; it may ignore `skip`".into(),
                ));
            }
            previous = page.first().cloned();
            next = (page.len() >= 100).then_some(skip + 100);
            on_page(&page);
        }
        let Some(skip) = next else { return Ok(()) };
        let rest = self.pager(&[], Some(fields), skip).pages();
        futures::pin_mut!(rest);
        while let Some(page) = rest.try_next().await? {
            on_page(&page);
        }
        Ok(())
    }

    /// Searches for every wanted name, 100 terms a request (more pages only if a batch
    /// matches more than 100 users, up to 100 pages a batch).
    async fn search_all(
        &self,
        wanted: &Wanted,
        matches: &mut Matches,
        fields: &str,
    ) -> Result<(), Error> {
        let terms: Vec<Value> = wanted.iter().map(|(k, t)| expression(k, t)).collect();
        // Boxed and collected: the futures a stream buffers must be `Send` for any lifetime.
        let batches: Vec<BoxFuture<'_, _>> = terms
            .chunks(TERMS_PER_SEARCH)
            .map(|batch| self.search_batch(batch.to_vec(), fields).boxed())
            .collect();
        let batches = futures::stream::iter(batches).buffered(READ_AHEAD);
        futures::pin_mut!(batches);
        while let Some(found) = batches.try_next().await? {
            for mut user in found {
                user.memberof = None;
                let names = [
                    user.object_id(),
                    user.username.as_deref(),
                    user.email.as_deref(),
                ];
                matches.add(wanted, &user, names);
            }
        }
        Ok(())
    }

    /// Every user one search of up to 100 terms matches (more pages only if it matches more
    /// than 100 users, up to 100 pages; one page for ids).
    async fn search_batch(
        &self,
        batch: Vec<Value>,
        fields: &str,
    ) -> Result<Vec<SystemUserMatch>, Error> {
        // Ids are unique: a batch of ids matches at most as many users as it has terms (no more
        // than a page), so a full page needs no second read.
        let ids_only = batch.iter().all(|term| term.get("_id").is_some());
        let pages = if ids_only { 1 } else { 100 };
        let fetch = |next: Next| {
            let batch = batch.clone();
            async move {
                let Next::Offset(page) = next else {
                    return Err(Error::Pagination("the v1 search has no links".into()));
                };
                let found = self.search_page(&batch, fields, page.skip()).await?;
                let items = listed(found.results, found.total_count)?;
                Ok(Fetched {
                    items,
                    link: None,
                    total: found.total_count.and_then(|t| u64::try_from(t).ok()),
                })
            }
        };
        Pager::new("matching users", fetch)
            .at_most(pages)
            .pages()
            .try_concat()
            .await
    }
}

/// A page's `results`: `null` (or absent) is an error, unless the server says there is nothing to
/// list (a lookup must not read it as "no such user").
pub(crate) fn listed<T>(results: Option<Vec<T>>, total: Option<i64>) -> Result<Vec<T>, Error> {
    match (results, total) {
        (Some(items), _) => Ok(items),
        (None, Some(0)) => Ok(Vec::new()),
        (None, _) => Err(Error::Pagination(
            "the server answered a page of users without `results` (null or absent); the list cannot be read".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_exact_case_insensitive_patterns() {
        assert_eq!(
            exactly("ada.l+x@example.com"),
            r"(?i)^ada\.l\+x@example\.com$"
        );
        assert_eq!(exactly(" (a)[b] "), r"(?i)^\(a\)\[b\]$");
    }
}
