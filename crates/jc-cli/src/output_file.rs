//! A file jcbulk writes for the user (`--report`, `--failed-rows`): written to a temporary file
//! beside its destination and renamed into place when the run ends, so that it appears whole and
//! an existing file is never truncated by a run that then refuses or fails to start. A lock file
//! beside it keeps two runs from writing the same destination. A destination that exists and is
//! not a regular file (`/dev/stdout`, a pipe) is written directly.

use crate::exit::{CliError, CliResult};
use std::fs::File;
use std::path::{Path, PathBuf};

enum Target {
    Temporary(tempfile::NamedTempFile),
    Direct(File),
}

/// An output file being written.
pub struct OutputFile {
    flag: &'static str,
    destination: PathBuf,
    target: Option<Target>,
    lock: Option<(File, PathBuf)>,
}

impl Drop for OutputFile {
    /// Not committed (the run refused to start): the temporary file goes, and so does the lock.
    fn drop(&mut self) {
        if let Some((lock, path)) = self.lock.take() {
            let _ = std::fs::remove_file(path);
            drop(lock);
        }
    }
}

/// `--flag PATH: what went wrong`.
pub fn file_error(flag: &str, path: &Path, error: impl std::fmt::Display) -> CliError {
    CliError::other(format!("{flag} {}: {error}", path.display()))
}

fn lock_beside(flag: &'static str, destination: &Path) -> CliResult<(File, PathBuf)> {
    let name = destination
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = destination.with_file_name(format!(".{name}.jcbulk-lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| file_error(flag, destination, e))?;
    match file.try_lock() {
        Ok(()) => Ok((file, path)),
        Err(std::fs::TryLockError::WouldBlock) => Err(CliError::invalid(format!(
            "{flag} {} is being written by another jcbulk run; nothing was sent",
            destination.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(file_error(flag, destination, e)),
    }
}

impl OutputFile {
    /// Prepares `destination` (given as `flag`): locks it and creates its temporary file.
    ///
    /// # Errors
    /// Another run writes it (exit 2), or its directory is missing or not writable (exit 1);
    /// the message names the flag and the file.
    pub fn create(flag: &'static str, destination: &Path) -> CliResult<Self> {
        let special = std::fs::metadata(destination).is_ok_and(|m| !m.is_file());
        if special {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(destination)
                .map_err(|e| file_error(flag, destination, e))?;
            return Ok(Self {
                flag,
                destination: destination.to_owned(),
                target: Some(Target::Direct(file)),
                lock: None,
            });
        }
        let lock = lock_beside(flag, destination)?;
        let directory = match destination.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        let temporary = tempfile::Builder::new()
            .prefix(".jcbulk-")
            .tempfile_in(&directory)
            .map_err(|e| file_error(flag, destination, e))?;
        Ok(Self {
            flag,
            destination: destination.to_owned(),
            target: Some(Target::Temporary(temporary)),
            lock: Some(lock),
        })
    }

    /// A handle to write to.
    ///
    /// # Errors
    /// The handle cannot be duplicated.
    pub fn writer(&self) -> CliResult<File> {
        let file = match &self.target {
            Some(Target::Temporary(temporary)) => temporary.as_file().try_clone(),
            Some(Target::Direct(file)) => file.try_clone(),
            None => Err(std::io::Error::other("already committed")),
        };
        file.map_err(|e| file_error(self.flag, &self.destination, e))
    }

    /// The destination.
    pub fn path(&self) -> &Path {
        &self.destination
    }

    /// Renames the complete file into place and releases the lock.
    ///
    /// # Errors
    /// The rename failed.
    pub fn commit(mut self) -> CliResult<()> {
        match self.target.take() {
            Some(Target::Temporary(temporary)) => temporary
                .persist(&self.destination)
                .map(drop)
                .map_err(|e| file_error(self.flag, &self.destination, e.error)),
            _ => Ok(()),
        }
    }
}
