//! The last phases of an apply: the group changes (planned again against a fresh read of the
//! members) and the scheduled state changes.

use super::*;

/// The members of the plan's groups, read now.
async fn fresh_snapshot(
    plan: &SyncPlan,
    groups: &Groups<'_>,
) -> Result<crate::groups::Snapshot, Error> {
    let ids: HashSet<&str> = plan
        .memberships
        .iter()
        .map(|m| m.group_id.as_str())
        .collect();
    let directory = groups.directory().await?;
    let wanted: Vec<_> = directory
        .groups()
        .iter()
        .filter(|g| g.id.as_deref().is_some_and(|id| ids.contains(id)))
        .cloned()
        .collect();
    groups.snapshot(&wanted).await
}

/// A membership change's outcome as the sync reports it.
fn sync_outcome(outcome: Option<&ChangeOutcome>) -> (&'static str, Option<String>) {
    match outcome {
        Some(o @ (ChangeOutcome::Added { .. } | ChangeOutcome::Removed { .. })) => {
            ("applied", o.reason())
        }
        Some(ChangeOutcome::AlreadyMember) => ("unchanged", Some("already a member".into())),
        Some(ChangeOutcome::NotMember) => ("unchanged", Some("not a member".into())),
        Some(other @ ChangeOutcome::Failed { .. }) => ("failed", other.reason()),
        Some(other) => ("not_submitted", other.reason()),
        None => ("not_submitted", Some("not in the plan".into())),
    }
}

/// The group changes, planned again against a fresh read of the groups' members.
pub(super) async fn memberships(
    plan: &SyncPlan,
    session: &Arc<Session>,
    options: &ApplyOptions,
    checked: &Recheck,
    created: &HashMap<u64, String>,
    tx: &Tx,
) {
    if plan.memberships.is_empty() {
        return;
    }
    let call = CallOptions::new();
    let groups = Groups::new(session, &call);
    let snapshot = fresh_snapshot(plan, &groups).await;
    let snapshot = match snapshot {
        Ok(snapshot) => snapshot,
        Err(error) => {
            for m in &plan.memberships {
                emit(
                    tx,
                    m,
                    m.user_id.as_deref(),
                    "failed",
                    Some(format!("the groups could not be read: {error}")),
                );
            }
            return;
        }
    };
    let mut changes = Vec::new();
    let mut owners: Vec<(&crate::sync::PlannedMembership, MemberChange)> = Vec::new();
    for m in &plan.memberships {
        let user = m
            .user_id
            .clone()
            .or_else(|| m.line.and_then(|l| created.get(&l).cloned()));
        let Some(user) = user else {
            emit(
                tx,
                m,
                None,
                "not_submitted",
                Some("its user was not created".into()),
            );
            continue;
        };
        if let Some(reason) = checked.refused.get(&user) {
            emit(tx, m, Some(&user), "not_submitted", Some(reason.clone()));
            continue;
        }
        let change = match m.op {
            EdgeOp::Add => MemberChange::add(&m.group_id, &user),
            EdgeOp::Remove => MemberChange::remove(&m.group_id, &user),
        };
        changes.push(change.clone());
        owners.push((m, change));
    }
    let member_plan = snapshot.plan(changes, true);
    let results: HashMap<MemberChange, ChangeOutcome> = groups
        .apply(member_plan, &options.changes, &options.control)
        .map(|r| (r.change, r.outcome))
        .collect()
        .await;
    for (m, change) in owners {
        let (outcome, reason) = sync_outcome(results.get(&change));
        emit(tx, m, Some(&change.user_id), outcome, reason);
    }
}

/// The state changes to `to` that are still to be scheduled; the others are reported.
fn to_schedule<'p>(
    plan: &'p SyncPlan,
    to: jc_models::StateChange,
    options: &ApplyOptions,
    checked: &Recheck,
    tx: &Tx,
) -> Vec<&'p crate::sync::PlannedState> {
    let mut batch = Vec::new();
    for s in plan.states.iter().filter(|s| s.to == to) {
        let refused = match checked.refused.get(&s.user_id) {
            Some(reason) => Some(reason.clone()),
            None if options.control.is_stopping() => Some("interrupted before it was sent".into()),
            None => None,
        };
        match refused {
            Some(reason) => send(
                tx,
                state_action(to),
                s.line,
                &s.key,
                Some(&s.user_id),
                "not_submitted",
                Some(reason),
            ),
            None => batch.push(s),
        }
    }
    batch
}

/// The (user, state) pairs already scheduled for `when` (none when they cannot be read: the
/// changes are then sent).
async fn already_scheduled(session: &Arc<Session>, when: Timestamp) -> HashSet<(String, String)> {
    let listing = crate::ops::userstates::scheduled_states(session, &Default::default());
    let listed: Result<Vec<_>, Error> = futures::TryStreamExt::try_collect(listing).await;
    listed
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            r.scheduled_date
                .as_ref()
                .and_then(|d| d.instant())
                .is_some_and(|i| i == when.instant())
        })
        .filter_map(|r| Some((r.system_user_id?, r.state?.as_str().to_owned())))
        .collect()
}

/// The state changes of `--at`: one scheduled change per state, 100 users a request.
pub(super) async fn scheduled(
    plan: &SyncPlan,
    session: &Arc<Session>,
    options: &ApplyOptions,
    checked: &Recheck,
    tx: &Tx,
) {
    let Some(at) = &plan.at else { return };
    let Some(when) = Timestamp::parse(at) else {
        for s in &plan.states {
            send(
                tx,
                state_action(s.to),
                s.line,
                &s.key,
                Some(&s.user_id),
                "not_submitted",
                Some(format!("`{at}` is not a time")),
            );
        }
        return;
    };
    let call = CallOptions::new();
    let already = already_scheduled(session, when).await;
    for to in [
        jc_models::StateChange::Suspended,
        jc_models::StateChange::Activated,
    ] {
        let mut batch = to_schedule(plan, to, options, checked, tx);
        // An apply run again (after an interruption) does not schedule a change twice.
        batch.retain(|s| {
            let done = already.contains(&(s.user_id.clone(), to.as_str().to_owned()));
            if done {
                let note = Some(format!("already scheduled for {at}"));
                send(
                    tx,
                    state_action(to),
                    s.line,
                    &s.key,
                    Some(&s.user_id),
                    "unchanged",
                    note,
                );
            }
            !done
        });
        for chunk in batch.chunks(100) {
            let change = BulkScheduledStatechangeCreate::new(
                to,
                when,
                chunk.iter().map(|s| s.user_id.clone()),
            );
            let (outcome, reason) = match crate::ops::userstates::schedule_state_change(
                session, &change, &call,
            )
            .await
            {
                Ok(_) => ("applied", Some(format!("scheduled for {at}"))),
                Err(error) => ("failed", Some(error.to_string())),
            };
            for s in chunk {
                send(
                    tx,
                    state_action(to),
                    s.line,
                    &s.key,
                    Some(&s.user_id),
                    outcome,
                    reason.clone(),
                );
            }
        }
    }
}
