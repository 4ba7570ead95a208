//! Resumable imports: a [`Journal`] is told about every chunk before and after its submission,
//! and decides, on a later run, whether a chunk is sent, re-attached to its job, or reported
//! unknown. Chunks are recognised by a hash of their exact request body. The methods are async:
//! a journal that writes to disk does so off the runtime's worker threads (`spawn_blocking`).

use jc_models::JobId;

/// One chunk, as the journal sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChunkInfo {
    /// Chunk number in this run, from 0.
    pub chunk: usize,
    /// FNV-1a hash of the operation and the exact request body: equal chunks, equal hashes.
    pub hash: u64,
    /// Position of its first record.
    pub first: u64,
    /// Position of its last record.
    pub last: u64,
    /// Records in it.
    pub records: usize,
    /// A second submission of records a lookup found absent after their first submission's
    /// outcome was unknown: hashed apart from the first, so that a journal that holds the
    /// first as "being submitted" does not refuse the second.
    pub again: bool,
}

impl ChunkInfo {
    /// A chunk's description (for journals written and read outside the SDK).
    pub fn new(chunk: usize, hash: u64, first: u64, last: u64, records: usize) -> Self {
        Self {
            chunk,
            hash,
            first,
            last,
            records,
            again: false,
        }
    }
}

/// What to do with a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalDecision {
    /// Send it (never sent, or provably not applied).
    Submit,
    /// It was submitted before as this job: read that job's results instead of re-sending.
    Attach {
        /// The job.
        job_id: JobId,
    },
    /// Its earlier submission may have reached the server without a job id coming back: report
    /// its records unknown, never re-send them blindly.
    Unknown {
        /// Why.
        reason: String,
        /// When the earlier run began sending it, where the journal knows: a lookup then tells
        /// a user that earlier attempt created from one that was there before it (without it,
        /// a user found is never taken as created by the earlier attempt).
        since: Option<std::time::SystemTime>,
    },
    /// Do not send it now (the journal cannot record it durably): its records are not submitted.
    Skip {
        /// Why.
        reason: String,
    },
}

/// Durable notes about chunks. Implementations must have written `submitting` durably before
/// `before_submit` returns [`JournalDecision::Submit`], and should do blocking I/O on
/// `tokio::task::spawn_blocking`, not on the caller's task.
#[async_trait::async_trait]
pub trait Journal: Send + Sync {
    /// Called before a chunk is sent.
    async fn before_submit(&self, chunk: &ChunkInfo) -> JournalDecision;
    /// The chunk's job was created.
    async fn submitted(&self, chunk: &ChunkInfo, job_id: &JobId);
    /// The chunk provably did not reach the server; it may be sent again later.
    async fn not_submitted(&self, chunk: &ChunkInfo, reason: &str);
    /// The chunk may have reached the server without a job id coming back.
    async fn outcome_unknown(&self, chunk: &ChunkInfo, reason: &str);
    /// Every record of the chunk has its outcome.
    async fn settled(&self, chunk: &ChunkInfo);
}

/// FNV-1a (64 bit): stable across runs, platforms and Rust versions.
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::stable_hash;

    #[test]
    fn the_hash_is_stable_and_separates_parts() {
        assert_eq!(
            stable_hash(&[b"create", b"[{}]"]),
            stable_hash(&[b"create", b"[{}]"])
        );
        assert_ne!(
            stable_hash(&[b"create", b"[{}]"]),
            stable_hash(&[b"update", b"[{}]"])
        );
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
    }
}
