//! `jcbulk users ...`.

use crate::cli::{Global, ImportArgs, TargetArgs, TemplateKind, UsersCommand};
use crate::commands::import;
use crate::csv_input::{template, Kind};
use crate::exit::{CliError, CliResult, Exit};
use jc_models::{BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate};

/// Runs a `users` command.
///
/// # Errors
/// See the commands.
pub async fn run(global: &Global, command: &UsersCommand) -> CliResult {
    match command {
        UsersCommand::Create(args) => {
            Ok(
                import::run::<BulkUserCreate>(global, args, Kind::Create, None)
                    .await?
                    .0,
            )
        }
        UsersCommand::Update(args) => {
            if args.creation_source.is_some() {
                return Err(CliError::invalid(
                    "--creation-source is for `users create` only",
                ));
            }
            Ok(
                import::run::<BulkUserUpdate>(global, args, Kind::Update, None)
                    .await?
                    .0,
            )
        }
        UsersCommand::Expire(target) => targets::<BulkUserExpire>(global, target).await,
        UsersCommand::Unlock(target) => targets::<BulkUserUnlock>(global, target).await,
        UsersCommand::Template { kind } => {
            print!(
                "{}",
                template(match kind {
                    TemplateKind::Create => Kind::Create,
                    TemplateKind::Update => Kind::Update,
                })
            );
            Ok(Exit::Ok)
        }
    }
}

/// Expire or unlock: ids from `--ids` (written to a temporary CSV) or `--csv`.
async fn targets<R>(global: &Global, target: &TargetArgs) -> CliResult
where
    R: jc_bulk::BulkRecord + serde::de::DeserializeOwned + Send + 'static,
{
    let temporary;
    let path = match (&target.csv, target.ids.is_empty()) {
        (Some(path), _) => path.clone(),
        (None, false) => {
            let ids: Vec<&str> = target
                .ids
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            if ids.is_empty() {
                return Err(CliError::invalid("--ids holds no id"));
            }
            temporary = TempCsv::new(&format!("id\n{}\n", ids.join("\n")))?;
            temporary.path.clone()
        }
        (None, true) => return Err(CliError::invalid("give --ids ID,... or --csv FILE")),
    };
    let args = ImportArgs {
        csv: path,
        skip_invalid: false,
        dry_run: false,
        chunk_size: 800,
        concurrency: 4,
        no_wait: false,
        wait_timeout: 1800,
        report: None,
        failed_rows: None,
        creation_source: None,
        suppress_email: false,
        journal: None,
        resume: false,
    };
    Ok(import::run::<R>(global, &args, Kind::Target, None).await?.0)
}

/// A CSV file in the temporary directory, removed on drop.
pub struct TempCsv {
    /// Its path.
    pub path: std::path::PathBuf,
}

impl TempCsv {
    /// Writes `text` to a new temporary file.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn new(text: &str) -> CliResult<Self> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "jcbulk-{}-{}.csv",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, text)?;
        Ok(Self { path })
    }
}

impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
