//! Membership plans ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 27-31): a snapshot of the members of the groups a run
//! touches, read once before any write, and the plan made against it. A plan never holds a
//! change the snapshot shows is unneeded: those are no-ops (`already_member`, `not_member`);
//! changes to `DYNAMIC_AUTOMATED` groups are refused unless allowed.

use jc_models::{MembershipMethod, UserGroup};
use std::collections::{HashMap, HashSet};

/// Adds or removes a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeOp {
    /// Make the user a direct member.
    Add,
    /// Remove the user's direct membership.
    Remove,
}

impl EdgeOp {
    /// `add` or `remove`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Remove => "remove",
        }
    }
}

/// One membership change: a user into or out of a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberChange {
    /// The group's id.
    pub group_id: String,
    /// The user's id.
    pub user_id: String,
    /// Add or remove.
    pub op: EdgeOp,
}

impl MemberChange {
    /// Adds `user_id` to `group_id`.
    pub fn add(group_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            group_id: group_id.into(),
            user_id: user_id.into(),
            op: EdgeOp::Add,
        }
    }

    /// Removes `user_id` from `group_id`.
    pub fn remove(group_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            op: EdgeOp::Remove,
            ..Self::add(group_id, user_id)
        }
    }
}

/// A group and its direct members as read before any write.
#[derive(Debug, Clone, Default)]
pub struct GroupMembers {
    /// The group.
    pub group: UserGroup,
    /// Direct members' ids, in the server's order, without repeats.
    pub members: Vec<String>,
    set: HashSet<String>,
}

impl GroupMembers {
    /// `group` with `members` (repeats dropped).
    pub fn new(group: UserGroup, members: impl IntoIterator<Item = String>) -> Self {
        let mut set = HashSet::new();
        let members = members
            .into_iter()
            .filter(|m| set.insert(m.clone()))
            .collect();
        Self {
            group,
            members,
            set,
        }
    }

    /// True when `user_id` is a direct member.
    pub fn has(&self, user_id: &str) -> bool {
        self.set.contains(user_id)
    }
}

/// The members of every group a run touches, read once before any write (section 28).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    groups: HashMap<String, GroupMembers>,
}

impl Snapshot {
    /// A snapshot of `groups`.
    pub fn new(groups: impl IntoIterator<Item = GroupMembers>) -> Self {
        Self {
            groups: groups
                .into_iter()
                .map(|g| (g.group.id.clone().unwrap_or_default(), g))
                .collect(),
        }
    }

    /// The group with `id` and its members, when it was read.
    pub fn group(&self, id: &str) -> Option<&GroupMembers> {
        self.groups.get(id)
    }

    /// The plan that brings the groups to what `wanted` asks, against this snapshot: changes
    /// whose effect the snapshot already shows become no-ops; changes to a group not read, or
    /// to a `DYNAMIC_AUTOMATED` group unless `allow_dynamic`, are refused. Repeats count once.
    pub fn plan(
        &self,
        wanted: impl IntoIterator<Item = MemberChange>,
        allow_dynamic: bool,
    ) -> MemberPlan {
        let mut plan = MemberPlan::default();
        let mut seen = HashSet::new();
        for change in wanted {
            if !seen.insert(change.clone()) {
                continue;
            }
            let Some(group) = self.groups.get(&change.group_id) else {
                plan.refused.push((
                    change,
                    "the group was not read before the plan was made".into(),
                ));
                continue;
            };
            let method = group.group.method();
            if method.is_automated() && !allow_dynamic {
                plan.refused.push((change, dynamic_refusal(&group.group)));
                continue;
            }
            if method == MembershipMethod::DynamicReviewRequired {
                tracing::warn!(
                    group = group.group.name.as_deref().unwrap_or_default(),
                    "a DYNAMIC_REVIEW_REQUIRED group: its member query may suggest undoing this change"
                );
            }
            let member = group.has(&change.user_id);
            match (change.op, member) {
                (EdgeOp::Add, true) | (EdgeOp::Remove, false) => plan.no_ops.push(change),
                _ => plan.changes.push(change),
            }
        }
        plan
    }
}

fn dynamic_refusal(group: &UserGroup) -> String {
    format!(
        "`{}` is a DYNAMIC_AUTOMATED group: JumpCloud re-evaluates its members from its member \
         query and undoes manual changes; change the user attribute the query reads, or the \
         group's exemption list (memberQueryExemptions), or pass --allow-dynamic-groups",
        group.name.as_deref().unwrap_or_default()
    )
}

/// What a set of wanted changes comes to against a snapshot.
#[derive(Debug, Clone, Default)]
pub struct MemberPlan {
    /// Changes to send, in the order wanted.
    pub changes: Vec<MemberChange>,
    /// Changes the snapshot shows are already so (an add of a member, a remove of a
    /// non-member): never sent.
    pub no_ops: Vec<MemberChange>,
    /// Changes refused, with the reason (a dynamic group, a group not read).
    pub refused: Vec<(MemberChange, String)>,
}

impl MemberPlan {
    /// How many adds and removes it sends.
    pub fn counts(&self) -> (usize, usize) {
        let adds = self.changes.iter().filter(|c| c.op == EdgeOp::Add).count();
        (adds, self.changes.len() - adds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, method: &str) -> UserGroup {
        UserGroup {
            id: Some(id.into()),
            name: Some(format!("G{id}")),
            membership_method: Some(MembershipMethod::parse(method)),
            ..UserGroup::default()
        }
    }

    #[test]
    fn a_plan_holds_only_needed_changes_and_refuses_dynamic_groups() {
        let snapshot = Snapshot::new([
            GroupMembers::new(
                group("g1", "STATIC"),
                ["u1".into(), "u1".into(), "u2".into()],
            ),
            GroupMembers::new(group("g2", "DYNAMIC_AUTOMATED"), []),
        ]);
        let wanted = [
            MemberChange::add("g1", "u1"),
            MemberChange::add("g1", "u3"),
            MemberChange::add("g1", "u3"),
            MemberChange::remove("g1", "u2"),
            MemberChange::remove("g1", "u9"),
            MemberChange::add("g2", "u1"),
            MemberChange::add("g9", "u1"),
        ];
        let plan = snapshot.plan(wanted.clone(), false);
        assert_eq!(
            plan.changes,
            [
                MemberChange::add("g1", "u3"),
                MemberChange::remove("g1", "u2")
            ]
        );
        assert_eq!(
            plan.no_ops,
            [
                MemberChange::add("g1", "u1"),
                MemberChange::remove("g1", "u9")
            ]
        );
        assert_eq!(plan.refused.len(), 2);
        assert!(plan.refused[0].1.contains("DYNAMIC_AUTOMATED"));
        assert_eq!(plan.counts(), (1, 1));
        let allowed = snapshot.plan(wanted, true);
        assert!(allowed.changes.contains(&MemberChange::add("g2", "u1")));
        assert_eq!(allowed.refused.len(), 1);
    }
}
