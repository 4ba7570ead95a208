//! `--journal FILE`: a JSON-lines file that records, per chunk, a hash of its content and its
//! job id before and after submission, synced to disk each time; `--resume` reads it back so a
//! rerun re-attaches to submitted jobs and only sends what never reached JumpCloud. Writes and
//! syncs run on tokio's blocking pool, never on a worker thread.

use crate::exit::{CliError, CliResult};
use jc_bulk::{ChunkInfo, JobId, Journal, JournalDecision};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What an earlier run noted last about a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Noted {
    Submitting,
    Submitted(String),
    NotSent,
    Unknown(String),
}

/// A journal file.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    file: Arc<Mutex<File>>,
    earlier: HashMap<u64, Noted>,
}

fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

impl FileJournal {
    /// Opens the journal of an import of `csv` as `operation` in chunks of `chunk_size`.
    ///
    /// A new journal must not exist yet (or be empty); a resumed one must exist and be of the
    /// same operation and chunk size.
    ///
    /// # Errors
    /// Exit 2 for a journal that exists without `--resume`, is missing or different with it; exit
    /// 1 for I/O errors.
    pub fn open(
        path: &Path,
        resume: bool,
        csv: &Path,
        operation: &str,
        chunk_size: u32,
    ) -> CliResult<Self> {
        let exists = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        let mut earlier = HashMap::new();
        if resume {
            if !exists {
                return Err(CliError::invalid(format!(
                    "--resume: the journal {} does not exist or is empty",
                    path.display()
                )));
            }
            let reader = BufReader::new(File::open(path)?);
            for (i, line) in reader.lines().enumerate() {
                let line = line?;
                // A line cut short by a kill is ignored: its event did not complete.
                let Ok(event) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if i == 0 {
                    let same = event["operation"] == operation && event["chunk_size"] == chunk_size;
                    if !same {
                        return Err(CliError::invalid(format!(
                            "--resume: {} is the journal of a `{}` import in chunks of {}, not `{operation}` in chunks of {chunk_size}",
                            path.display(),
                            event["operation"].as_str().unwrap_or("?"),
                            event["chunk_size"]
                        )));
                    }
                    continue;
                }
                let Some(hash) = event["hash"]
                    .as_str()
                    .and_then(|h| u64::from_str_radix(h, 16).ok())
                else {
                    continue;
                };
                let current = earlier.get(&hash).cloned();
                let next = match (event["event"].as_str(), current) {
                    (_, Some(Noted::Submitted(job))) => Noted::Submitted(job),
                    (Some("submitted"), _) => {
                        Noted::Submitted(event["job_id"].as_str().unwrap_or_default().to_owned())
                    }
                    (Some("submitting"), _) => Noted::Submitting,
                    (Some("not_sent"), _) => Noted::NotSent,
                    (Some("unknown"), _) => {
                        Noted::Unknown(event["reason"].as_str().unwrap_or_default().to_owned())
                    }
                    (_, Some(other)) => other,
                    (_, None) => continue,
                };
                earlier.insert(hash, next);
            }
        } else if exists {
            return Err(CliError::invalid(format!(
                "the journal {} already exists: pass --resume to continue that import, or remove it to start over",
                path.display()
            )));
        }
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        if !resume {
            let header = json!({"journal": "jcbulk", "version": 1, "operation": operation, "chunk_size": chunk_size, "csv": csv.display().to_string()});
            writeln!(file, "{header}")?;
            file.sync_data()?;
        }
        Ok(Self {
            path: path.to_owned(),
            file: Arc::new(Mutex::new(file)),
            earlier,
        })
    }

    /// Appends an event and syncs it to disk, on the blocking pool.
    async fn note(&self, chunk: &ChunkInfo, event: &str, extra: Value) -> std::io::Result<()> {
        let mut line = json!({"event": event, "hash": hex(chunk.hash), "chunk": chunk.chunk, "first": chunk.first, "last": chunk.last, "records": chunk.records});
        if let (Some(line), Value::Object(extra)) = (line.as_object_mut(), extra) {
            line.extend(extra);
        }
        let file = self.file.clone();
        tokio::task::spawn_blocking(move || {
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            writeln!(file, "{line}")?;
            file.sync_data()
        })
        .await
        .map_err(std::io::Error::other)?
    }

    async fn note_or_warn(&self, chunk: &ChunkInfo, event: &str, extra: Value) {
        if let Err(error) = self.note(chunk, event, extra).await {
            tracing::error!(journal = %self.path.display(), %error, "cannot write the journal");
        }
    }
}

#[async_trait::async_trait]
impl Journal for FileJournal {
    async fn before_submit(&self, chunk: &ChunkInfo) -> JournalDecision {
        let lines = format!("lines {}-{}", chunk.first, chunk.last);
        match self.earlier.get(&chunk.hash) {
            Some(Noted::Submitted(job)) => JournalDecision::Attach { job_id: JobId::new(job) },
            Some(Noted::Submitting) => JournalDecision::Unknown {
                reason: format!(
                    "an earlier run stopped while submitting this chunk ({lines}); JumpCloud may have created its job, so it is not sent again: check these users before re-running them"
                ),
            },
            Some(Noted::Unknown(reason)) => JournalDecision::Unknown {
                reason: format!("an earlier run could not tell whether this chunk ({lines}) was applied: {reason}"),
            },
            Some(Noted::NotSent) | None => match self.note(chunk, "submitting", json!({})).await {
                Ok(()) => JournalDecision::Submit,
                Err(error) => JournalDecision::Skip {
                    reason: format!("not sent: cannot write the journal {}: {error}", self.path.display()),
                },
            },
        }
    }

    async fn submitted(&self, chunk: &ChunkInfo, job_id: &JobId) {
        self.note_or_warn(chunk, "submitted", json!({"job_id": job_id}))
            .await;
    }

    async fn not_submitted(&self, chunk: &ChunkInfo, reason: &str) {
        self.note_or_warn(chunk, "not_sent", json!({"reason": reason}))
            .await;
    }

    async fn outcome_unknown(&self, chunk: &ChunkInfo, reason: &str) {
        self.note_or_warn(chunk, "unknown", json!({"reason": reason}))
            .await;
    }

    async fn settled(&self, chunk: &ChunkInfo) {
        self.note_or_warn(chunk, "settled", json!({})).await;
    }
}
