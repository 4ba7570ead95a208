//! Usernames and e-mails to ids ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 21 and 22), with the cheaper plan:
//! searching costs `ceil(k/100)` requests for k names, listing the org `ceil(n/100)` for n
//! users. Up to 100 names are one search and need nothing else. For more, the first list page is
//! read (it tells n) and the plan is chosen: listing on if the whole list costs no more than that
//! page plus the searches, else searching.

use super::users::{Resolution, UserKey, Users};
use crate::error::Error;
use crate::options::Page;
use crate::pager::{Fetched, Next, Pager};
use futures::TryStreamExt;
use jc_models::{SystemUser, UserId};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// How to resolve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolveOptions {
    /// Check that id keys name existing users (by default they pass through unchecked).
    pub verify_ids: bool,
}

/// Terms per search request (section 21).
const TERMS_PER_SEARCH: usize = 100;
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

/// Every user seen (its key fields), by the wanted (kind, lowercased text) it matches.
#[derive(Default)]
struct Matches(HashMap<(&'static str, String), Vec<SystemUser>>);

impl Matches {
    fn add(&mut self, wanted: &Wanted, user: &SystemUser) {
        let Some(id) = user.object_id() else {
            return;
        };
        let names = [
            ("username", user.username.as_deref()),
            ("email", user.email.as_deref()),
            ("id", Some(id)),
        ];
        for (kind, text) in names {
            let key = (kind, lower(text.unwrap_or_default()));
            if wanted.contains(&key) {
                let users = self.0.entry(key).or_default();
                if !users.iter().any(|known| known.object_id() == Some(id)) {
                    users.push(user.clone());
                }
            }
        }
    }

    fn resolution(&self, key: &UserKey, verify_ids: bool) -> Resolution {
        if let (UserKey::Id(id), false) = (key, verify_ids) {
            return Resolution::Found(id.clone());
        }
        let ids: Vec<UserId> = self
            .users(key)
            .iter()
            .filter_map(|u| u.object_id().map(UserId::new))
            .collect();
        match ids.as_slice() {
            [] => Resolution::NotFound,
            [one] => Resolution::Found(one.clone()),
            many => Resolution::Ambiguous(many.to_vec()),
        }
    }

    /// The users that match `key`.
    fn users(&self, key: &UserKey) -> &[SystemUser] {
        self.0
            .get(&(key.kind(), lower(key.text())))
            .map_or(&[], Vec::as_slice)
    }
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
        let matches = self.matches(&keys, options.verify_ids).await?;
        Ok(keys
            .iter()
            .map(|key| matches.resolution(key, options.verify_ids))
            .collect())
    }

    /// The users that match each key (their id, username, e-mail and `created`), in order,
    /// with the same requests as [`Users::resolve`]: for a second look that must tell a user
    /// this run created from one that was there before.
    ///
    /// # Errors
    /// A read that failed (nothing is guessed).
    pub(crate) async fn matching(&self, keys: &[UserKey]) -> Result<Vec<Vec<SystemUser>>, Error> {
        let matches = self.matches(keys, true).await?;
        Ok(keys.iter().map(|key| matches.users(key).to_vec()).collect())
    }

    async fn matches(&self, keys: &[UserKey], verify_ids: bool) -> Result<Matches, Error> {
        let wanted: Wanted = keys
            .iter()
            .filter(|k| verify_ids || !matches!(k, UserKey::Id(_)))
            .map(|k| (k.kind(), lower(k.text())))
            .collect();
        let mut matches = Matches::default();
        if !wanted.is_empty() {
            self.find(&wanted, &mut matches).await?;
        }
        Ok(matches)
    }

    async fn find(&self, wanted: &Wanted, matches: &mut Matches) -> Result<(), Error> {
        let searches = wanted.len().div_ceil(TERMS_PER_SEARCH);
        if searches <= 1 {
            return self.search_all(wanted, matches).await;
        }
        let first = self.page(&[], Some(KEY_FIELDS), Page::first()).await?;
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
            return self.search_all(wanted, matches).await;
        }
        tracing::debug!("plan: list the org, {pages} pages");
        let first = listed(first.results, first.total_count)?;
        for user in &first {
            matches.add(wanted, user);
        }
        // A short first page ends the list; a total count never does (it may be stale).
        if first.len() < 100 {
            return Ok(());
        }
        let rest = self.pager(&[], Some(KEY_FIELDS), 100).pages();
        futures::pin_mut!(rest);
        while let Some(page) = rest.try_next().await? {
            for user in &page {
                matches.add(wanted, user);
            }
        }
        Ok(())
    }

    /// Searches for every wanted name, 100 terms a request (more pages only if a batch
    /// matches more than 100 users, up to 100 pages a batch).
    async fn search_all(&self, wanted: &Wanted, matches: &mut Matches) -> Result<(), Error> {
        let terms: Vec<Value> = wanted.iter().map(|(k, t)| expression(k, t)).collect();
        for batch in terms.chunks(TERMS_PER_SEARCH) {
            let batch = batch.to_vec();
            let fetch = |next: Next| {
                let batch = batch.clone();
                async move {
                    let Next::Offset(page) = next else {
                        return Err(Error::Pagination("the v1 search has no links".into()));
                    };
                    let found = self.search_page(&batch, page.skip()).await?;
                    let items = listed(found.results, found.total_count)?;
                    Ok(Fetched {
                        items: items.iter().map(user_of).collect(),
                        link: None,
                        total: found.total_count.and_then(|t| u64::try_from(t).ok()),
                    })
                }
            };
            let pages = Pager::new("matching users", fetch).at_most(100).pages();
            futures::pin_mut!(pages);
            while let Some(page) = pages.try_next().await? {
                for user in &page {
                    matches.add(wanted, user);
                }
            }
        }
        Ok(())
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

/// The fields of a search result that resolving reads.
fn user_of(found: &jc_models::SystemUserMatch) -> SystemUser {
    SystemUser {
        object_id_field: found.object_id().map(str::to_owned),
        username: found.username.clone(),
        email: found.email.clone(),
        created: found.created.clone(),
        ..SystemUser::default()
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
