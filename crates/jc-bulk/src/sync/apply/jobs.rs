//! The bulk-job phases of an apply: the creates, then the updates with the state changes of
//! now, one record per user.

use super::*;

/// The creates; the ids of the users created, by line.
pub(super) async fn creates(
    plan: &SyncPlan,
    session: &Arc<Session>,
    options: &ApplyOptions,
    checked: &Recheck,
    tx: &Tx,
) -> HashMap<u64, String> {
    let mut records: Vec<InputRecord<BulkUserCreate>> = Vec::new();
    for create in &plan.creates {
        match checked.missing_creates.get(&create.line) {
            Some(reason) => send(
                tx,
                Action::Create,
                Some(create.line),
                &create.key,
                None,
                "not_submitted",
                Some(reason.clone()),
            ),
            None if options.control.is_stopping() => send(
                tx,
                Action::Create,
                Some(create.line),
                &create.key,
                None,
                "not_submitted",
                Some("interrupted before it was sent".into()),
            ),
            None => records.push(InputRecord {
                position: create.line,
                record: create.record.clone(),
            }),
        }
    }
    let mut ids = HashMap::new();
    if records.is_empty() {
        return ids;
    }
    let keys: HashMap<u64, &str> = plan
        .creates
        .iter()
        .map(|c| (c.line, c.key.as_str()))
        .collect();
    let import = crate::import::Import::start(
        session.clone(),
        futures::stream::iter(records),
        &options.creates,
    );
    let stop = forward_stop(&options.control, import.control());
    let report = import.await;
    stop.abort();
    for outcome in report.outcomes {
        let id = outcome.outcome.user_id().map(ToString::to_string);
        if let (Some(id), true) = (&id, matches!(outcome.outcome, Outcome::Applied { .. })) {
            ids.insert(outcome.position, id.clone());
        }
        let (name, reason) = outcome_parts(&outcome.outcome);
        let key = keys.get(&outcome.position).copied().unwrap_or_default();
        send(
            tx,
            Action::Create,
            Some(outcome.position),
            key,
            id.as_deref(),
            name,
            reason,
        );
    }
    ids
}

/// The fields each user's record sets (those not yet so, or all of them on a resume), with the
/// planned changes it carries.
fn per_user(
    plan: &SyncPlan,
    options: &ApplyOptions,
    checked: &Recheck,
) -> BTreeMap<String, (Map<String, Value>, Planned)> {
    let now_states: Vec<_> = plan.states.iter().filter(|_| plan.at.is_none()).collect();
    let mut records: BTreeMap<String, (Map<String, Value>, Planned)> = BTreeMap::new();
    for update in &plan.updates {
        let entry = records.entry(update.user_id.clone()).or_default();
        for change in &update.changes {
            if options.resume
                || !checked
                    .done
                    .contains(&(update.user_id.clone(), change.field.clone()))
            {
                entry.0.insert(change.field.clone(), change.new.clone());
            }
        }
        entry
            .1
            .push((Action::Update, Some(update.line), update.key.clone()));
    }
    for state in now_states {
        let entry = records.entry(state.user_id.clone()).or_default();
        if options.resume
            || !checked
                .done
                .contains(&(state.user_id.clone(), "state".into()))
        {
            entry
                .0
                .insert("state".into(), Value::String(state.to.as_str().into()));
        }
        entry
            .1
            .push((state_action(state.to), state.line, state.key.clone()));
    }
    records
}

/// The updates and the state changes of now, one record per user.
pub(super) async fn updates(
    plan: &SyncPlan,
    session: &Arc<Session>,
    options: &ApplyOptions,
    checked: &Recheck,
    tx: &Tx,
) {
    let records = per_user(plan, options, checked);
    let mut input = Vec::new();
    let mut owners: HashMap<u64, (String, Planned)> = HashMap::new();
    for (position, (user, (mut fields, planned))) in records.into_iter().enumerate() {
        let refuse = |reason: String| {
            for (action, line, key) in &planned {
                send(
                    tx,
                    *action,
                    *line,
                    key,
                    Some(&user),
                    "not_submitted",
                    Some(reason.clone()),
                );
            }
        };
        if let Some(reason) = checked.refused.get(&user) {
            refuse(reason.clone());
            continue;
        }
        if fields.is_empty() {
            for (action, line, key) in &planned {
                send(
                    tx,
                    *action,
                    *line,
                    key,
                    Some(&user),
                    "unchanged",
                    Some("already so (applied earlier)".into()),
                );
            }
            continue;
        }
        if options.control.is_stopping() {
            refuse("interrupted before it was sent".into());
            continue;
        }
        fields.insert("id".into(), Value::String(user.clone()));
        match serde_json::from_value::<BulkUserUpdate>(Value::Object(fields)) {
            Ok(record) => {
                input.push(InputRecord {
                    position: position as u64,
                    record,
                });
                owners.insert(position as u64, (user, planned));
            }
            Err(error) => refuse(format!("the planned fields do not form an update: {error}")),
        }
    }
    send_updates(session, options, input, owners, tx).await;
}

/// Sends the update records and reports each planned change of each.
async fn send_updates(
    session: &Arc<Session>,
    options: &ApplyOptions,
    input: Vec<InputRecord<BulkUserUpdate>>,
    owners: HashMap<u64, (String, Planned)>,
    tx: &Tx,
) {
    if input.is_empty() {
        return;
    }
    let import = crate::import::Import::start(
        session.clone(),
        futures::stream::iter(input),
        &options.updates,
    );
    let stop = forward_stop(&options.control, import.control());
    let report = import.await;
    stop.abort();
    for outcome in report.outcomes {
        let Some((user, planned)) = owners.get(&outcome.position) else {
            continue;
        };
        let (name, reason) = outcome_parts(&outcome.outcome);
        for (action, line, key) in planned {
            send(tx, *action, *line, key, Some(user), name, reason.clone());
        }
    }
}

/// The managers this plan created: one update record per row, once both users exist.
pub(super) async fn managers(
    plan: &SyncPlan,
    session: &Arc<Session>,
    options: &ApplyOptions,
    created: &HashMap<u64, String>,
    tx: &Tx,
) {
    let mut input = Vec::new();
    let mut owners: HashMap<u64, (String, Planned)> = HashMap::new();
    for (position, m) in plan.managers.iter().enumerate() {
        let user = m.user_id.clone().or_else(|| created.get(&m.line).cloned());
        let manager = created.get(&m.manager_line);
        let planned = vec![(Action::Manager, Some(m.line), m.key.clone())];
        let (Some(user), Some(manager)) = (user, manager) else {
            let reason = format!(
                "not set: {} was not created",
                if created.contains_key(&m.manager_line) {
                    "the user"
                } else {
                    "the manager"
                }
            );
            send(
                tx,
                Action::Manager,
                Some(m.line),
                &m.key,
                m.user_id.as_deref(),
                "not_submitted",
                Some(reason),
            );
            continue;
        };
        if options.control.is_stopping() {
            let reason = Some("interrupted before it was sent".into());
            send(
                tx,
                Action::Manager,
                Some(m.line),
                &m.key,
                Some(&user),
                "not_submitted",
                reason,
            );
            continue;
        }
        let record = BulkUserUpdate {
            manager: Some(manager.clone()),
            ..BulkUserUpdate::new(user.clone())
        };
        input.push(InputRecord {
            position: position as u64,
            record,
        });
        owners.insert(position as u64, (user, planned));
    }
    let options = ApplyOptions {
        updates: options.managers.clone(),
        ..options.clone()
    };
    send_updates(session, &options, input, owners, tx).await;
}
