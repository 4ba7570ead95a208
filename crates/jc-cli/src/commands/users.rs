//! `jcbulk users ...`: every bulk command runs the one import pipeline of
//! [`crate::commands::import`].

use crate::cli::{Global, TargetArgs, TemplateKind, UpdateArgs, UsersCommand};
use crate::commands::import::{self, Input, Job};
use crate::csv::{template, Kind};
use crate::exit::{CliResult, Exit};
use jc_models::{BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate};

/// Runs a `users` command.
///
/// # Errors
/// See the commands.
pub async fn run(global: &Global, command: &UsersCommand) -> CliResult {
    match command {
        UsersCommand::Create(args) => {
            let job = Job {
                input: Input::csv(&args.csv),
                run: &args.run,
                creation_source: args.creation_source.as_deref(),
                suppress_email: args.suppress_email,
                match_by: None,
                allow_dynamic_groups: args.allow_dynamic_groups,
            };
            Ok(
                import::run::<BulkUserCreate>(global, job, Kind::Create, None)
                    .await?
                    .0,
            )
        }
        UsersCommand::Update(args) => {
            let job = update_job(args);
            Ok(
                import::run::<BulkUserUpdate>(global, job, Kind::Update, None)
                    .await?
                    .0,
            )
        }
        UsersCommand::Expire(target) => {
            let job = target_job(target)?;
            Ok(
                import::run::<BulkUserExpire>(global, job, Kind::Target, None)
                    .await?
                    .0,
            )
        }
        UsersCommand::Unlock(target) => {
            let job = target_job(target)?;
            Ok(
                import::run::<BulkUserUnlock>(global, job, Kind::Target, None)
                    .await?
                    .0,
            )
        }
        UsersCommand::Export(args) => crate::commands::export::run(global, args).await,
        UsersCommand::Get(args) => crate::commands::lookup::get(global, args).await,
        UsersCommand::Template { kind } => {
            if matches!(kind, TemplateKind::Update) && !global.quiet {
                eprintln!("# the key column may be `id`, `username` or `email` (with several, --match-by picks one; the default is id, then username, then email)");
                eprintln!("# only what differs from the user is sent; a dotted column (attributes.NAME, phoneNumbers.TYPE, addresses.TYPE.FIELD) sets that entry and keeps the others");
                eprintln!("# an empty cell leaves the value as it is; `(clear)` blanks the field or removes the entry; `manager` takes an id, a username or an e-mail");
            }
            let text = template(match kind {
                TemplateKind::Create => Kind::Create,
                TemplateKind::Update => Kind::Update,
            });
            std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
            Ok(Exit::Ok)
        }
    }
}

fn update_job(args: &UpdateArgs) -> Job<'_> {
    Job {
        input: Input::csv(&args.csv),
        run: &args.run,
        creation_source: None,
        suppress_email: args.suppress_email,
        match_by: args.match_by,
        allow_dynamic_groups: args.allow_dynamic_groups,
    }
}

/// Expire or unlock: ids from `--ids` (in memory) or `--csv`.
fn target_job(target: &TargetArgs) -> CliResult<Job<'_>> {
    let input = match &target.csv {
        Some(path) => Input::csv(path),
        None => Input::ids("--ids", &target.ids)?,
    };
    Ok(Job {
        input,
        run: &target.run,
        creation_source: None,
        suppress_email: false,
        match_by: target.match_by,
        allow_dynamic_groups: false,
    })
}
