//! Group references by name or id ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 26): one listing of the org's groups,
//! then every reference resolved against it, exact and case-sensitive first, then exact and
//! case-insensitive; never partially, never by `filter`.

use jc_models::UserGroup;

/// Why a group reference names no single group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GroupRefError {
    /// No group has this name or id.
    #[error("no user group named `{0}`")]
    NotFound(String),
    /// Several groups match at the level that matched (legacy duplicates).
    #[error("ambiguous: {} user groups match `{name}` (ids {}); give the id instead", ids.len(), ids.join(", "))]
    Ambiguous {
        /// The reference as given (trimmed).
        name: String,
        /// The ids of every match.
        ids: Vec<String>,
    },
}

/// Every group of an org, read once per run, to resolve references against.
#[derive(Debug, Clone, Default)]
pub struct GroupDirectory {
    groups: Vec<UserGroup>,
}

fn is_object_id(text: &str) -> bool {
    text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl GroupDirectory {
    /// A directory of `groups` (one listing of the org).
    pub fn new(groups: Vec<UserGroup>) -> Self {
        Self { groups }
    }

    /// Every group, in the server's order.
    pub fn groups(&self) -> &[UserGroup] {
        &self.groups
    }

    /// The group with object id `id`.
    pub fn by_id(&self, id: &str) -> Option<&UserGroup> {
        self.groups.iter().find(|g| g.id.as_deref() == Some(id))
    }

    /// The one group `reference` names: a listed group's 24-hex id, else its exact name, else
    /// its name in another case.
    ///
    /// # Errors
    /// No match, or several at the level that matched.
    pub fn resolve(&self, reference: &str) -> Result<&UserGroup, GroupRefError> {
        let wanted = reference.trim();
        if is_object_id(wanted) {
            if let Some(group) = self.by_id(wanted) {
                return Ok(group);
            }
        }
        let name = |g: &&UserGroup| g.name.clone().unwrap_or_default();
        let exact: Vec<&UserGroup> = self.groups.iter().filter(|g| name(g) == wanted).collect();
        let matches = if exact.is_empty() {
            let lower = wanted.to_lowercase();
            self.groups
                .iter()
                .filter(|g| name(g).to_lowercase() == lower)
                .collect()
        } else {
            exact
        };
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(GroupRefError::NotFound(wanted.to_owned())),
            several => Err(GroupRefError::Ambiguous {
                name: wanted.to_owned(),
                ids: several
                    .iter()
                    .map(|g| g.id.clone().unwrap_or_default())
                    .collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, name: &str) -> UserGroup {
        UserGroup {
            id: Some(id.into()),
            name: Some(name.into()),
            ..UserGroup::default()
        }
    }

    #[test]
    fn exact_then_case_insensitive_then_ids_and_ambiguity() {
        let id_like = "aaaaaaaaaaaaaaaaaaaaaaaa";
        let directory = GroupDirectory::new(vec![
            group("111111111111111111111111", "Engineering"),
            group("222222222222222222222222", "engineering"),
            group("333333333333333333333333", "VPN"),
            group("444444444444444444444444", "Ops"),
            group("555555555555555555555555", "OPS"),
            group("666666666666666666666666", id_like),
            group("777777777777777777777777", "Straße"),
        ]);
        let id = |r: &str| directory.resolve(r).map(|g| g.id.clone().unwrap());
        assert_eq!(id("Engineering").unwrap(), "111111111111111111111111");
        assert_eq!(id(" engineering ").unwrap(), "222222222222222222222222");
        assert_eq!(id("vpn").unwrap(), "333333333333333333333333");
        assert_eq!(
            id("STRASSE"),
            Err(GroupRefError::NotFound("STRASSE".into()))
        );
        assert_eq!(id("straße").unwrap(), "777777777777777777777777");
        let ambiguous = directory.resolve("ops").unwrap_err();
        assert!(
            ambiguous
                .to_string()
                .contains("444444444444444444444444, 555555555555555555555555"),
            "{ambiguous}"
        );
        assert_eq!(id("Eng"), Err(GroupRefError::NotFound("Eng".into())));
        assert_eq!(
            id("333333333333333333333333").unwrap(),
            "333333333333333333333333"
        );
        // A 24-hex value no group has as its id is a name.
        assert_eq!(id(id_like).unwrap(), "666666666666666666666666");
    }
}
