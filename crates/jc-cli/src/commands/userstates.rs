//! `jcbulk userstates ...`.

use crate::cli::{Global, ScheduleArgs, UserArgs, UserstatesCommand};
use crate::commands::import::{check, Input};
use crate::config::{client, format};
use crate::csv::Kind;
use crate::exit::{CliError, CliResult, Exit};
use crate::output;
use chrono::{DateTime, Local, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use jc_bulk::{
    CallOptions, Filter, ListScheduledOptions, Page, Resolution, ResolveOptions, UserKey,
};
use jc_models::{
    BulkScheduledStatechangeCreate, BulkUserExpire, ScheduledUserstateResult, StateChange,
    Timestamp,
};
use serde_json::Value;

const COLUMNS: [&str; 4] = ["scheduledJobId", "systemUserId", "state", "scheduledDate"];

fn rows(results: &[ScheduledUserstateResult]) -> Vec<Value> {
    results
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect()
}

/// Reads `--at`: RFC 3339 with an offset, or a local date-time / date (this machine's zone).
///
/// # Errors
/// Text that is neither, or a local time that does not exist (a DST gap).
pub fn parse_at(text: &str) -> CliResult<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    let naive = naive.ok_or_else(|| {
        CliError::invalid(format!(
            "--at `{text}` is not a date-time: use RFC 3339 (2026-01-01T09:00:00Z) or a local date-time (2026-01-01 09:00)"
        ))
    })?;
    match Local.from_local_datetime(&naive) {
        LocalResult::Single(local) => Ok(local.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, second) => Err(CliError::invalid(format!(
            "--at `{text}` happens twice in the local time zone (the clocks go back): it is either {} or {}; give the time in RFC 3339 with its offset",
            first.to_rfc3339(),
            second.to_rfc3339()
        ))),
        LocalResult::None => Err(CliError::invalid(format!(
            "--at `{text}` does not exist in the local time zone (the clocks go forward)"
        ))),
    }
}

/// The ids of the users `args` names: `--user-ids` as given; `--usernames`, `--emails` and the
/// name columns of `--csv` resolved to ids first. Every problem is reported (with its line for a
/// file), and nothing is sent if there is one.
async fn ids_of(global: &Global, args: &UserArgs) -> CliResult<Vec<String>> {
    let names = [("username", &args.usernames), ("email", &args.emails)];
    if let Some((kind, list)) = names.into_iter().find(|(_, list)| !list.is_empty()) {
        return resolve_list(global, kind, list).await;
    }
    let mut input = match &args.csv {
        Some(path) => Input::csv(path),
        None => Input::ids("--user-ids", &args.user_ids)?,
    };
    let mut checked = check::<BulkUserExpire>(&mut input, Kind::Target, args.match_by)?;
    if let Some(by) = input.name_key() {
        let client = client(global)?;
        crate::commands::import::resolve_names(&client, &mut input, &mut checked, by).await?;
    }
    if checked.invalid() > 0 {
        return Err(checked.error(&input.name()));
    }
    let mut rows = input.rows(Kind::Target)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next_row::<BulkUserExpire>() {
        found.extend(row.record.ok().and_then(|record| record.id));
    }
    Ok(found)
}

/// `--usernames` / `--emails`, resolved; any that is not exactly one user is an error.
async fn resolve_list(global: &Global, kind: &str, list: &[String]) -> CliResult<Vec<String>> {
    let names: Vec<&str> = list
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let keys = names.iter().map(|n| match kind {
        "email" => UserKey::Email((*n).to_owned()),
        _ => UserKey::Username((*n).to_owned()),
    });
    let call = CallOptions::new();
    let found = client(global)?
        .users(&call)
        .resolve(keys, &ResolveOptions::default())
        .await?;
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    for (name, resolution) in names.iter().zip(found) {
        match resolution {
            Resolution::Found(id) => ids.push(id.into_string()),
            Resolution::Ambiguous(many) => problems.push(format!(
                "ambiguous: {} users match {kind} `{name}`",
                many.len()
            )),
            _ => problems.push(format!("no user with {kind} `{name}`")),
        }
    }
    if problems.is_empty() && !ids.is_empty() {
        Ok(ids)
    } else {
        problems.push("nothing was sent".into());
        Err(CliError::invalid(problems.join("\n")))
    }
}

/// Each user once, in the order first named: names that resolve to one user (`a,A`, an e-mail
/// in two cases, an id given twice) get one scheduled change, not one per name (issue 19).
fn once_each(ids: Vec<String>, quiet: bool) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let (mut once, mut repeated) = (Vec::new(), 0usize);
    for id in ids {
        if seen.insert(id.to_ascii_lowercase()) {
            once.push(id);
        } else {
            repeated += 1;
        }
    }
    if repeated > 0 && !quiet {
        eprintln!(
            "note: {repeated} name(s) named a user already named; each user is scheduled once"
        );
    }
    once
}

async fn schedule(global: &Global, args: &ScheduleArgs) -> CliResult {
    let at = parse_at(&args.at)?;
    if at < Utc::now() && !args.allow_past {
        return Err(CliError::invalid(format!(
            "--at {} is in the past: JumpCloud would apply the change at once; pass --allow-past if that is what you want",
            at.to_rfc3339()
        )));
    }
    let state: StateChange = args
        .state
        .to_ascii_uppercase()
        .parse()
        .map_err(|e: jc_models::UnknownValue| CliError::invalid(e.to_string()))?;
    let ids = once_each(ids_of(global, &args.users).await?, global.quiet);
    let mut body = BulkScheduledStatechangeCreate::new(state, Timestamp::new(at), ids);
    if args.send_activation_emails {
        body.send_activation_emails = Some(true);
    }
    body.activation_email_override = args.activation_email_override.clone();
    if let Err(violations) = jc_models::Validate::validate(&body) {
        return Err(CliError::invalid(format!("invalid schedule: {violations}")));
    }
    if !global.quiet {
        eprintln!(
            "scheduling {} for {} user(s) at {} (local) = {} (UTC)",
            state,
            body.user_ids.len(),
            at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S %:z"),
            Timestamp::new(at)
        );
    }
    let client = client(global)?;
    let created = client
        .schedule_state_change(&body, &CallOptions::new())
        .await?;
    output::items(format(global), &COLUMNS, &rows(&created))?;
    Ok(Exit::Ok)
}

/// Runs a `userstates` command.
///
/// # Errors
/// Invalid input or a client error.
pub async fn run(global: &Global, command: &UserstatesCommand) -> CliResult {
    match command {
        UserstatesCommand::Schedule(args) => schedule(global, args).await,
        UserstatesCommand::List {
            filter,
            user_id,
            all,
            limit,
            skip,
        } => {
            let mut options = ListScheduledOptions::new();
            for text in filter {
                let parsed = Filter::parse(text).map_err(CliError::invalid)?;
                options.filters.push(parsed);
            }
            if let Some(user) = user_id {
                options.user_id = Some(user.clone());
            }
            let client = client(global)?;
            let (results, cut): (Vec<ScheduledUserstateResult>, _) = if *all {
                output::collect_until_error(client.scheduled_states(&options)).await
            } else {
                let page = Page::new(*limit, *skip)?;
                (client.scheduled_states_page(&options, page).await?, None)
            };
            output::items(format(global), &COLUMNS, &rows(&results))?;
            output::list_end(results.len(), cut)
        }
        UserstatesCommand::Cancel { ids } => {
            if let Some(i) = ids.iter().position(|id| id.trim().is_empty()) {
                return Err(CliError::invalid(format!(
                    "scheduled id {} is empty; nothing was cancelled",
                    i + 1
                )));
            }
            let client = client(global)?;
            let mut outcomes = Vec::new();
            let mut failed = 0;
            for id in ids {
                let result = client.cancel_scheduled(id, &CallOptions::new()).await;
                if result.is_err() {
                    failed += 1;
                }
                outcomes.push(serde_json::json!({
                    "scheduledJobId": id,
                    "outcome": if result.is_ok() { "cancelled" } else { "failed" },
                    "reason": result.err().map(|e| e.to_string()),
                }));
            }
            output::items(
                format(global),
                &["scheduledJobId", "outcome", "reason"],
                &outcomes,
            )?;
            Ok(match failed {
                0 => Exit::Ok,
                n if n == ids.len() => Exit::Error,
                _ => Exit::Partial,
            })
        }
        UserstatesCommand::Next { users } => {
            let ids = ids_of(global, users).await?;
            let client = client(global)?;
            let next = client.next_scheduled(&ids, &CallOptions::new()).await?;
            let results = next.results.unwrap_or_default();
            if matches!(format(global), crate::cli::Format::Table) && !global.quiet {
                eprintln!(
                    "{} upcoming event(s) for {} user(s)",
                    next.events_count.unwrap_or(0),
                    ids.len()
                );
            }
            output::items(format(global), &COLUMNS, &rows(&results))?;
            Ok(Exit::Ok)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_takes_rfc3339_and_local_times() {
        assert_eq!(
            parse_at("2026-01-01T09:00:00Z").unwrap().to_rfc3339(),
            "2026-01-01T09:00:00+00:00"
        );
        assert_eq!(
            parse_at("2026-01-01T10:00:00+01:00").unwrap().to_rfc3339(),
            "2026-01-01T09:00:00+00:00"
        );
        let local = parse_at("2026-01-01 09:00").unwrap();
        assert_eq!(
            local.with_timezone(&Local).format("%H:%M").to_string(),
            "09:00"
        );
        assert!(parse_at("2026-01-01").is_ok());
        assert_eq!(
            parse_at("tomorrow").unwrap_err().exit,
            crate::exit::Exit::Invalid
        );
    }
}
