//! User groups and their member edges in a mock org ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 35), and the
//! groups a mock can start with (`name,membershipMethod,members`).

use crate::store::{key, Org};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// A user group in a mock org.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MockGroup {
    /// Object id (24 hex).
    pub id: String,
    /// Display name.
    pub name: String,
    /// `STATIC`, `DYNAMIC_AUTOMATED`, ... (never evaluated).
    pub membership_method: Option<String>,
    /// Every other property as written by POST or PUT (description, attributes, memberQuery...).
    pub fields: Map<String, Value>,
    /// The ids of its direct members, in the order they were added.
    pub members: Vec<String>,
    member_set: HashSet<String>,
}

impl MockGroup {
    pub(crate) fn new(id: String, name: String, method: Option<String>) -> Self {
        Self {
            id,
            name,
            membership_method: method,
            fields: Map::new(),
            members: Vec::new(),
            member_set: HashSet::new(),
        }
    }

    /// True when `user` is a direct member.
    pub fn has(&self, user: &str) -> bool {
        self.member_set.contains(user)
    }

    pub(crate) fn add(&mut self, user: &str) -> bool {
        if !self.member_set.insert(user.to_owned()) {
            return false;
        }
        self.members.push(user.to_owned());
        true
    }

    pub(crate) fn remove(&mut self, user: &str) -> bool {
        if !self.member_set.remove(user) {
            return false;
        }
        self.members.retain(|member| member != user);
        true
    }

    /// The group as `UserGroup` (never `null` for `attributes`).
    pub(crate) fn to_json(&self, org: &str) -> Value {
        let mut object = self.fields.clone();
        object.retain(|_, value| !value.is_null());
        object.insert("id".into(), json!(self.id));
        object.insert("name".into(), json!(self.name));
        object.insert("type".into(), json!("user_group"));
        object.insert("organizationObjectId".into(), json!(org));
        if let Some(method) = &self.membership_method {
            object.insert("membershipMethod".into(), json!(method));
        }
        Value::Object(object)
    }
}

/// A group a mock starts with: its name, membership method and members by username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedGroup {
    /// Display name (uniqueness is not checked, so that tests can seed legacy duplicates).
    pub name: String,
    /// `STATIC` when empty.
    pub membership_method: String,
    /// Usernames of its members (each must name a user of the org).
    pub members: Vec<String>,
}

impl SeedGroup {
    /// A static group named `name` with `members` (usernames).
    pub fn new<I, S>(name: impl Into<String>, members: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            name: name.into(),
            membership_method: "STATIC".into(),
            members: members.into_iter().map(Into::into).collect(),
        }
    }

    /// The same group with another membership method.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.membership_method = method.into();
        self
    }

    /// Reads a CSV of `name,membershipMethod,members` (a header row first; members separated by
    /// `;`; fields may be quoted with `"`).
    ///
    /// # Errors
    /// A row without a name, or a header without the three columns, with its line number.
    pub fn parse_csv(text: &str) -> Result<Vec<Self>, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Ok(Vec::new());
        };
        let header: Vec<String> = split_csv(header)
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let column = |name: &str| header.iter().position(|h| h == name);
        let (Some(name_at), method_at, members_at) = (
            column("name"),
            column("membershipmethod"),
            column("members"),
        ) else {
            return Err(
                "line 1: the header must name `name` (and may name `membershipMethod`, `members`)"
                    .into(),
            );
        };
        let mut groups = Vec::new();
        for (index, line) in lines {
            let cells = split_csv(line);
            let cell =
                |at: Option<usize>| at.and_then(|i| cells.get(i)).map(|c| c.trim().to_owned());
            let name = cell(Some(name_at)).unwrap_or_default();
            if name.is_empty() {
                return Err(format!("line {}: `name` is empty", index + 1));
            }
            let method = cell(method_at)
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "STATIC".into());
            let members = cell(members_at)
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect();
            groups.push(Self {
                name,
                membership_method: method,
                members,
            });
        }
        Ok(groups)
    }
}

/// Splits one CSV line on commas outside double quotes (`""` is a quote).
fn split_csv(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            other => cell.push(other),
        }
    }
    cells.push(cell);
    cells
}

impl Org {
    /// The group with `id`.
    pub(crate) fn group_mut(&mut self, id: &str) -> Option<&mut MockGroup> {
        self.groups.iter_mut().find(|g| g.id == id)
    }

    /// The group other than `except` whose name equals `name` case-insensitively.
    pub(crate) fn group_named(&self, name: &str, except: Option<&str>) -> Option<&MockGroup> {
        let wanted = key(name);
        self.groups
            .iter()
            .find(|g| key(&g.name) == wanted && Some(g.id.as_str()) != except)
    }

    /// Removes a user and every edge to it (section 35: deleting a user removes its edges).
    pub(crate) fn delete_user(&mut self, id: &str) -> bool {
        let Some(user) = self.users.remove(id) else {
            return false;
        };
        self.by_username.remove(&key(&user.username));
        self.by_email.remove(&key(&user.email));
        if let Some(e) = &user.employee_identifier {
            self.by_employee_id.remove(&key(e));
        }
        for group in &mut self.groups {
            group.remove(id);
        }
        true
    }

    /// Creates the seed groups; a member that names no user of the org is an error.
    pub(crate) fn seed_groups(
        &mut self,
        groups: &[SeedGroup],
        next_id: &mut dyn FnMut() -> String,
    ) -> Result<Vec<String>, String> {
        let mut ids = Vec::new();
        for seed in groups {
            let mut group = MockGroup::new(
                next_id(),
                seed.name.clone(),
                Some(seed.membership_method.clone()),
            );
            for username in &seed.members {
                let user = self
                    .by_username
                    .get(&key(username))
                    .ok_or_else(|| format!("group `{}`: no user named `{username}`", seed.name))?;
                group.add(&user.clone());
            }
            ids.push(group.id.clone());
            self.groups.push(group);
        }
        Ok(ids)
    }
}
