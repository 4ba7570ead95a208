//! `--journal FILE`: a JSON-lines file that records, per chunk, a hash of its content and its
//! job id before and after submission, synced to disk each time; `--resume` reads it back so a
//! rerun re-attaches to submitted jobs and only sends what never reached JumpCloud. Writes and
//! syncs run on tokio's blocking pool, never on a worker thread.

use crate::exit::{CliError, CliResult};
use jc_bulk::{ChunkInfo, JobId, Journal, JournalDecision};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What an earlier run noted last about a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Noted {
    /// Being sent when the run stopped; when it began (Unix ms), where the line says.
    Submitting(Option<u64>),
    Submitted(String),
    NotSent,
    /// Its outcome was unknown (why), and when it was first sent.
    Unknown(String, Option<u64>),
}

/// A journal's time (Unix milliseconds) as a wall-clock time.
fn since_epoch(millis: u64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH
        .checked_add(std::time::Duration::from_millis(millis))
        .unwrap_or(std::time::UNIX_EPOCH)
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

/// FNV-1a 64 of `bytes`: how a journal is bound to its input (see [`Binding::input_hash`]).
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What a journal belongs to: one import of one input. A resumed journal must match in every
/// field, so that `--resume` can never re-send records of another or an edited file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The input's name (a path, `<stdin>`, `--ids`).
    pub input: String,
    /// FNV-1a 64 of the input's bytes.
    pub input_hash: u64,
    /// The input's size in bytes.
    pub input_bytes: u64,
    /// `create`, `update`, `expire` or `unlock`.
    pub operation: String,
    /// Records per job.
    pub chunk_size: u32,
}

impl Binding {
    fn header(&self) -> Value {
        json!({"journal": "jcbulk", "version": 2, "operation": self.operation,
            "chunk_size": self.chunk_size, "input": self.input,
            "input_hash": hex(self.input_hash), "input_bytes": self.input_bytes})
    }

    /// What differs between this import and the journal's header, if anything.
    fn differences(&self, header: &Value) -> Vec<String> {
        let mut found = Vec::new();
        if header["journal"] != "jcbulk" || header["version"] != 2 {
            found.push("it has no jcbulk journal header (version 2) on its first line".to_owned());
            return found;
        }
        if header["operation"] != self.operation.as_str() || header["chunk_size"] != self.chunk_size
        {
            found.push(format!(
                "it is the journal of a `{}` import in chunks of {}, not `{}` in chunks of {}",
                header["operation"].as_str().unwrap_or("?"),
                header["chunk_size"],
                self.operation,
                self.chunk_size
            ));
        }
        if header["input_hash"] != hex(self.input_hash).as_str()
            || header["input_bytes"] != self.input_bytes
        {
            found.push(format!(
                "its input ({}, {} bytes) is not this input ({}, {} bytes): the file was changed or is another one",
                header["input"].as_str().unwrap_or("?"),
                header["input_bytes"],
                self.input,
                self.input_bytes
            ));
        }
        found
    }
}

/// The events of an earlier run, by chunk hash. The first line must be the header of `binding`;
/// a line cut short by a kill is tolerated only as the last line.
fn read_earlier(text: &str, path: &Path, binding: &Binding) -> CliResult<HashMap<u64, Noted>> {
    let refuse = |why: String| {
        CliError::invalid(format!(
            "--resume: the journal {}: {why}; nothing was sent",
            path.display()
        ))
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let header = lines
        .first()
        .and_then(|l| serde_json::from_str::<Value>(l).ok());
    let differences = match &header {
        Some(header) => binding.differences(header),
        None => vec!["its first line is damaged".to_owned()],
    };
    if !differences.is_empty() {
        return Err(refuse(differences.join("; ")));
    }
    let mut earlier = HashMap::new();
    for (i, line) in lines.iter().enumerate().skip(1) {
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            if i + 1 == lines.len() && !line.ends_with('\n') {
                continue; // cut short by a kill: that event did not complete
            }
            return Err(refuse(format!("line {} is damaged", i + 1)));
        };
        let Some(hash) = event["hash"]
            .as_str()
            .and_then(|h| u64::from_str_radix(h, 16).ok())
        else {
            return Err(refuse(format!("line {} has no chunk hash", i + 1)));
        };
        let current = earlier.get(&hash).cloned();
        let next = match (event["event"].as_str(), current) {
            (_, Some(Noted::Submitted(job))) => Noted::Submitted(job),
            (Some("submitted"), _) => {
                Noted::Submitted(event["job_id"].as_str().unwrap_or_default().to_owned())
            }
            (Some("submitting"), _) => Noted::Submitting(event["at"].as_u64()),
            (Some("not_sent"), _) => Noted::NotSent,
            (Some("unknown"), current) => {
                let since = match current {
                    Some(Noted::Submitting(at)) => at,
                    _ => event["at"].as_u64(),
                };
                Noted::Unknown(
                    event["reason"].as_str().unwrap_or_default().to_owned(),
                    since,
                )
            }
            (_, Some(other)) => other,
            (_, None) => continue,
        };
        earlier.insert(hash, next);
    }
    Ok(earlier)
}

impl FileJournal {
    /// Opens the journal of the import `binding` describes, locked for this process: a second
    /// run on the same journal is refused at once.
    ///
    /// A new journal must not exist yet (or be empty); a resumed one must exist and belong to
    /// the same input (content hash and size), operation and chunk size.
    ///
    /// # Errors
    /// Exit 2 for a journal in use, one that exists without `--resume`, or one that is missing,
    /// damaged or different with it; exit 1 for I/O errors.
    pub fn open(path: &Path, resume: bool, binding: &Binding) -> CliResult<Self> {
        let name = path.display();
        let io = |e: std::io::Error| CliError::other(format!("--journal {name}: {e}"));
        // A FIFO, a device or a directory is refused before it is opened (issue 19).
        crate::regular_file::regular_if_present("--journal", path)?;
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(CliError::invalid(format!(
                    "--journal {name} is in use by another jcbulk run; nothing was sent"
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let opened = file.metadata().map_err(io)?;
        if !opened.is_file() {
            return Err(CliError::invalid(format!(
                "--journal {name}: not a regular file"
            )));
        }
        let cap = crate::regular_file::MAX_JOURNAL_LINE;
        let text = crate::regular_file::lines_of(&file, "--journal", path, cap)?.concat();
        let earlier = match (resume, text.is_empty()) {
            (true, true) => {
                return Err(CliError::invalid(format!(
                    "--resume: the journal {name} does not exist or is empty"
                )))
            }
            (true, false) => {
                let earlier = read_earlier(&text, path, binding)?;
                // A last line cut short by a kill goes, so that new lines start on their own.
                if !text.ends_with('\n') {
                    let whole = text.rfind('\n').map_or(0, |i| i + 1);
                    file.set_len(whole as u64).map_err(io)?;
                }
                earlier
            }
            (false, false) => {
                return Err(CliError::invalid(format!(
                    "the journal {name} already exists: pass --resume to continue that import, or remove it to start over"
                )))
            }
            (false, true) => {
                let line = format!("{}\n", binding.header());
                file.write_all(line.as_bytes()).map_err(io)?;
                file.sync_data().map_err(io)?;
                HashMap::new()
            }
        };
        Ok(Self {
            path: path.to_owned(),
            file: Arc::new(Mutex::new(file)),
            earlier,
        })
    }

    /// Appends an event and syncs it to disk, on the blocking pool.
    async fn note(&self, chunk: &ChunkInfo, event: &str, extra: Value) -> std::io::Result<()> {
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let mut line = json!({"event": event, "hash": hex(chunk.hash), "chunk": chunk.chunk, "first": chunk.first, "last": chunk.last, "records": chunk.records, "at": at});
        if let (Some(line), Value::Object(extra)) = (line.as_object_mut(), extra) {
            line.extend(extra);
        }
        let file = self.file.clone();
        let line = format!("{line}\n");
        tokio::task::spawn_blocking(move || {
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            // One write of a whole line: a kill leaves at most the last line cut short.
            file.write_all(line.as_bytes())?;
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
            Some(Noted::Submitting(at)) => JournalDecision::Unknown {
                reason: format!(
                    "an earlier run stopped while submitting this chunk ({lines}); JumpCloud may have created its job, so it is not sent again: check these users before re-running them"
                ),
                since: at.map(since_epoch),
            },
            Some(Noted::Unknown(reason, at)) => JournalDecision::Unknown {
                reason: format!("an earlier run could not tell whether this chunk ({lines}) was applied: {reason}"),
                since: at.map(since_epoch),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_chunk_interrupted_while_submitting_is_unknown_not_resent() {
        use jc_bulk::{ChunkInfo, Journal, JournalDecision};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let csv = dir.path().join("u.csv");
        let binding = |operation: &str| Binding {
            input: csv.display().to_string(),
            input_hash: 0xfeed,
            input_bytes: 12,
            operation: operation.to_owned(),
            chunk_size: 800,
        };
        std::fs::write(
            &path,
            "{\"journal\":\"jcbulk\",\"version\":2,\"operation\":\"create\",\"chunk_size\":800,\"input_hash\":\"000000000000feed\",\"input_bytes\":12}\n\
             {\"event\":\"submitting\",\"hash\":\"00000000000000aa\"}\n\
             {\"event\":\"submitting\",\"hash\":\"00000000000000bb\"}\n\
             {\"event\":\"submitted\",\"hash\":\"00000000000000bb\",\"job_id\":\"job-b\"}\n\
             {\"event\":\"submitting\",\"hash\":\"00000000000000cc\"}\n\
             {\"event\":\"not_sent\",\"hash\":\"00000000000000cc\"}\n\
             {\"event\":\"submitt",
        )
        .unwrap();
        let journal = FileJournal::open(&path, true, &binding("create")).unwrap();
        let chunk = |hash| ChunkInfo::new(0, hash, 2, 801, 800);
        assert!(matches!(
            journal.before_submit(&chunk(0xaa)).await,
            JournalDecision::Unknown { .. }
        ));
        assert_eq!(
            journal.before_submit(&chunk(0xbb)).await,
            JournalDecision::Attach {
                job_id: "job-b".into()
            }
        );
        assert_eq!(
            journal.before_submit(&chunk(0xcc)).await,
            JournalDecision::Submit,
            "provably not sent: send it"
        );
        assert_eq!(
            journal.before_submit(&chunk(0xdd)).await,
            JournalDecision::Submit,
            "never seen: send it"
        );
        // A different import is refused.
        drop(journal);
        assert!(FileJournal::open(&path, true, &binding("update")).is_err());
        assert!(FileJournal::open(&path, false, &binding("create")).is_err());
    }
}
