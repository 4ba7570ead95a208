//! The plan's builder: each desired row against the org's users (create, update, state), the
//! missing users, the memberships of the managed groups, and the brakes.

use super::org::{OrgState, OrgUser};
use super::plan::*;
use crate::groups::EdgeOp;
use crate::partial::{difference, normalized, Edit};
use jc_models::StateChange;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

pub(super) struct Builder<'a> {
    org: &'a OrgState,
    options: &'a PlanOptions,
    pub(super) plan: SyncPlan,
    by_key: HashMap<String, usize>,
    /// Org users matched by a row (index).
    matched: HashSet<usize>,
    /// Keys seen in the file.
    seen: HashSet<String>,
    /// Desired groups by user: the row's line, key, user (index; none for a create), groups.
    wanted: Vec<(u64, String, Option<usize>, Vec<String>)>,
    /// Groups any row names.
    named: Vec<String>,
    /// Managers that name no user of the org: (line, key, user index or none for a create,
    /// the manager's text, why), resolved against this plan's creates once every row is read.
    deferred: Vec<(u64, String, Option<usize>, String, String)>,
    /// Rows with nothing to do.
    unchanged: HashSet<u64>,
}

fn lower(text: &str) -> String {
    text.trim().to_lowercase()
}

impl<'a> Builder<'a> {
    pub(super) fn new(org: &'a OrgState, options: &'a PlanOptions) -> Self {
        let by_key = org
            .users
            .iter()
            .enumerate()
            .filter_map(|(i, u)| Some((lower(u.text(options.key.field())?), i)))
            .collect();
        Self {
            org,
            options,
            plan: SyncPlan {
                format: 1,
                base_url: String::new(),
                org_id: None,
                key: options.key,
                at: options.at.clone(),
                creates: Vec::new(),
                updates: Vec::new(),
                states: Vec::new(),
                memberships: Vec::new(),
                managers: Vec::new(),
                unchanged: 0,
                problems: Vec::new(),
            },
            by_key,
            matched: HashSet::new(),
            seen: HashSet::new(),
            wanted: Vec::new(),
            named: Vec::new(),
            deferred: Vec::new(),
            unchanged: HashSet::new(),
        }
    }

    fn problem(&mut self, row: &DesiredUser, message: String) {
        self.plan.problems.push(RowProblem {
            line: row.line,
            key: row.key.clone(),
            message,
        });
    }

    /// A manager named by id, username or e-mail, as an id of the org.
    fn manager_id(&self, text: &str) -> Result<String, String> {
        let text = text.trim();
        if text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(text.to_owned());
        }
        let field = if text.contains('@') {
            "email"
        } else {
            "username"
        };
        let found: Vec<&OrgUser> = self
            .org
            .users
            .iter()
            .filter(|u| u.text(field).is_some_and(|t| lower(t) == lower(text)))
            .collect();
        match found.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(format!("no user with {field} `{text}` for its manager")),
            _ => Err(format!(
                "ambiguous manager: {} users match {field} `{text}`",
                found.len()
            )),
        }
    }

    pub(super) fn row(&mut self, mut row: DesiredUser) {
        let key = lower(&row.key);
        if key.is_empty() {
            return self.problem(&row, format!("`{}` is empty", self.options.key.field()));
        }
        if !self.seen.insert(key.clone()) {
            return self.problem(
                &row,
                format!(
                    "{} `{}` is repeated in the file",
                    self.options.key.field(),
                    row.key
                ),
            );
        }
        let Some(&index) = self.by_key.get(&key) else {
            return self.create(row);
        };
        self.matched.insert(index);
        let user = &self.org.users[index];
        if let Some(manager) = row.manager.clone() {
            match self.manager_id(&manager) {
                Ok(id) => row.edits.push(Edit::Set {
                    field: "manager".into(),
                    value: Value::String(id),
                }),
                Err(message) => {
                    self.deferred
                        .push((row.line, row.key.clone(), Some(index), manager, message));
                }
            }
        }
        let fields = user.fields();
        let diff = match difference(&fields, &row.edits) {
            Ok(diff) => diff,
            Err(error) => return self.problem(&row, error.to_string()),
        };
        let mut changed = false;
        if !diff.is_empty() {
            changed = true;
            let changes = diff
                .changes
                .into_iter()
                .map(|(field, new)| FieldChange {
                    old: fields.get(&field).map(normalized).unwrap_or(Value::Null),
                    field,
                    new,
                })
                .collect();
            self.plan.updates.push(PlannedUpdate {
                line: row.line,
                key: row.key.clone(),
                user_id: user.id.clone(),
                changes,
            });
        }
        if let Some(to) = row.state {
            let from = user.text("state").unwrap_or_default().to_owned();
            if from != to.as_str() {
                changed = true;
                self.plan.states.push(PlannedState {
                    line: Some(row.line),
                    key: row.key.clone(),
                    user_id: user.id.clone(),
                    from,
                    to,
                });
            }
        }
        if let Some(groups) = row.groups {
            self.note_groups(&groups);
            self.wanted
                .push((row.line, row.key.clone(), Some(index), groups));
        }
        if !changed {
            self.unchanged.insert(row.line);
        }
    }

    fn note_groups(&mut self, groups: &[String]) {
        for group in groups {
            if !self.named.contains(group) {
                self.named.push(group.clone());
            }
        }
    }

    fn create(&mut self, row: DesiredUser) {
        let parsed = row.record.as_ref().map_err(String::clone).and_then(|json| {
            serde_json::from_str::<jc_models::BulkUserCreate>(json).map_err(|e| e.to_string())
        });
        let mut record = match parsed {
            Ok(record) => record,
            Err(why) => {
                let message = format!(
                    "no user has {} `{}`, and the row cannot create one: {why}",
                    self.options.key.field(),
                    row.key
                );
                return self.problem(&row, message);
            }
        };
        if let Some(manager) = &row.manager {
            match self.manager_id(manager) {
                Ok(id) => record.manager = Some(id),
                Err(message) => {
                    let deferred = (row.line, row.key.clone(), None, manager.clone(), message);
                    self.deferred.push(deferred);
                }
            }
        }
        if let Some(groups) = row.groups {
            self.note_groups(&groups);
            self.wanted.push((row.line, row.key.clone(), None, groups));
        }
        self.plan.creates.push(PlannedCreate {
            line: row.line,
            key: row.key,
            record,
        });
    }

    /// Managers this plan creates (section 37): set once the creates settled. A manager that
    /// names neither a user of the org nor a row this plan creates leaves its row out.
    pub(super) fn managers(&mut self) {
        let mut created: HashMap<String, (u64, String)> = HashMap::new();
        for create in &self.plan.creates {
            let record = &create.record;
            for name in [record.username.as_deref(), record.email.as_deref()]
                .into_iter()
                .flatten()
            {
                created.insert(lower(name), (create.line, create.key.clone()));
            }
        }
        for (line, key, user, manager, message) in std::mem::take(&mut self.deferred) {
            match created.get(&lower(&manager)).filter(|(at, _)| *at != line) {
                Some((manager_line, manager_key)) => {
                    self.unchanged.remove(&line);
                    self.plan.managers.push(PlannedManager {
                        line,
                        key,
                        user_id: user.map(|i| self.org.users[i].id.clone()),
                        manager_line: *manager_line,
                        manager_key: manager_key.clone(),
                    });
                }
                None => {
                    // The whole row is left out, as when its manager did not resolve at once.
                    self.plan.creates.retain(|c| c.line != line);
                    self.plan.updates.retain(|u| u.line != line);
                    self.plan.states.retain(|s| s.line != Some(line));
                    self.wanted.retain(|w| w.0 != line);
                    self.unchanged.remove(&line);
                    self.plan.problems.push(RowProblem { line, key, message });
                }
            }
        }
        self.plan.unchanged = self.unchanged.len() as u64;
    }

    /// Scoped active users the file does not name: suspended with `suspend_missing`.
    pub(super) fn missing(&mut self) {
        if !self.options.suspend_missing {
            return;
        }
        for (index, user) in self.org.users.iter().enumerate() {
            let active = user.text("state") == Some("ACTIVATED");
            if !user.in_scope || !active || self.matched.contains(&index) {
                continue;
            }
            self.plan.states.push(PlannedState {
                line: None,
                key: user
                    .text(self.options.key.field())
                    .unwrap_or(&user.id)
                    .to_owned(),
                user_id: user.id.clone(),
                from: "ACTIVATED".into(),
                to: StateChange::Suspended,
            });
        }
    }

    /// Adds to the groups rows list, removals from the managed groups rows do not list (and,
    /// for scoped users without a row, from every managed group).
    pub(super) fn memberships(&mut self) {
        let managed = self
            .options
            .managed_groups
            .clone()
            .unwrap_or_else(|| self.named.clone());
        let mut listed: HashMap<usize, (u64, String, Vec<String>)> = HashMap::new();
        for (line, key, user, groups) in std::mem::take(&mut self.wanted) {
            for group in &groups {
                let Some(members) = self.org.groups.group(group) else {
                    continue;
                };
                let name = members.group.name.clone().unwrap_or_default();
                let user_id = user.map(|i| self.org.users[i].id.clone());
                if user_id.as_deref().is_some_and(|id| members.has(id)) {
                    continue;
                }
                self.plan.memberships.push(PlannedMembership {
                    line: Some(line),
                    key: key.clone(),
                    user_id,
                    group_id: group.clone(),
                    group: name,
                    op: EdgeOp::Add,
                });
            }
            if let Some(user) = user {
                listed.insert(user, (line, key, groups));
            }
        }
        let index: HashMap<&str, usize> = self
            .org
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.as_str(), i))
            .collect();
        for group in &managed {
            let Some(members) = self.org.groups.group(group) else {
                continue;
            };
            let name = members.group.name.clone().unwrap_or_default();
            for member in &members.members {
                let Some(&user) = index.get(member.as_str()) else {
                    continue;
                };
                let (line, key) = match listed.get(&user) {
                    Some((_, _, groups)) if groups.contains(group) => continue,
                    Some((line, key, _)) => (Some(*line), key.clone()),
                    None if self.matched.contains(&user) || !self.org.users[user].in_scope => {
                        continue
                    }
                    None => {
                        let u = &self.org.users[user];
                        (
                            None,
                            u.text(self.options.key.field()).unwrap_or(&u.id).to_owned(),
                        )
                    }
                };
                self.plan.memberships.push(PlannedMembership {
                    line,
                    key,
                    user_id: Some(member.clone()),
                    group_id: group.clone(),
                    group: name.clone(),
                    op: EdgeOp::Remove,
                });
            }
        }
        self.named = managed;
    }

    pub(super) fn brakes(&self) -> Result<(), BrakeError> {
        let suspends = self
            .plan
            .states
            .iter()
            .filter(|s| s.to == StateChange::Suspended)
            .count();
        let active = self
            .org
            .users
            .iter()
            .filter(|u| u.in_scope && u.text("state") == Some("ACTIVATED"))
            .count();
        let limit = self.options.max_suspend.of(active);
        if suspends > limit {
            return Err(BrakeError {
                what: "suspend users:",
                planned: suspends,
                limit,
                base: format!("{active} scoped active users; --max-suspend"),
            });
        }
        let removes = self
            .plan
            .memberships
            .iter()
            .filter(|m| m.op == EdgeOp::Remove)
            .count();
        let members: usize = self
            .named
            .iter()
            .filter_map(|g| self.org.groups.group(g))
            .map(|g| g.members.len())
            .sum();
        let limit = self.options.max_remove.of(members);
        if removes > limit {
            return Err(BrakeError {
                what: "remove memberships:",
                planned: removes,
                limit,
                base: format!("{members} members of the managed groups; --max-remove"),
            });
        }
        Ok(())
    }
}
