//! Bulk jobs: the id returned on submission, the per-record work results, and the legacy
//! job details.

use crate::enums::WorkStatus;
use crate::time::ApiTime;
use serde_json::{Map, Value};

model! {
    /// The answer to a job submission (the spec's `job-id` body; the id itself is [`crate::JobId`]).
    pub struct JobIdBody {
        /// The job's id.
        #[serde(rename = "jobId")]
        pub job_id: String,
    }
}

model! {
    /// The result of one record of a bulk job (`job-workresult`, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 2).
    pub struct JobWorkresult {
        /// When the result was created.
        #[serde(rename = "createdAt")]
        pub created_at: ApiTime,
        /// Id of the result.
        pub id: String,
        /// What the record was about: `index` (position in the request), `username`, `email`,
        /// `userId`, where known.
        pub meta: Map<String, Value>,
        /// The fields that were applied.
        #[serde(rename = "persistedFields")]
        pub persisted_fields: Map<String, Value>,
        /// `pending`, `finished`, `failed`, or a value this SDK does not know.
        pub status: WorkStatus,
        /// The reason when the record failed.
        #[serde(rename = "statusMsg")]
        pub status_msg: String,
        /// When the result last changed.
        #[serde(rename = "updatedAt")]
        pub updated_at: ApiTime,
    }
}

impl JobWorkresult {
    /// True once this record will not change (finished or failed); an absent status is pending.
    pub fn is_terminal(&self) -> bool {
        self.status.as_ref().is_some_and(WorkStatus::is_terminal)
    }

    /// True when this record was rejected.
    pub fn is_failure(&self) -> bool {
        self.status.as_ref().is_some_and(WorkStatus::is_failure)
    }

    /// `meta.index`: the record's position in the submitted array (a number, or a numeric string).
    pub fn index(&self) -> Option<u64> {
        match self.meta.as_ref()?.get("index")? {
            Value::Number(number) => number.as_u64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// `meta.username`.
    pub fn username(&self) -> Option<&str> {
        self.meta_str("username")
    }

    /// `meta.email`.
    pub fn email(&self) -> Option<&str> {
        self.meta_str("email")
    }

    /// `meta.userId`: the id of the user the record created or changed.
    pub fn user_id(&self) -> Option<&str> {
        self.meta_str("userId")
    }

    fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.as_ref()?.get(key)?.as_str()
    }
}

model! {
    /// A job as the legacy GET /jobs/{id} returns it (`job-details`, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 14).
    pub struct JobDetails {
        /// Id of the administrator who created the job.
        #[serde(rename = "adminId")]
        pub admin_id: String,
        /// The job's id.
        pub id: String,
        /// Free-form job metadata.
        pub meta: Map<String, Value>,
        /// Name of the job.
        pub name: String,
        /// Fields the job applies.
        #[serde(rename = "persistedFields")]
        pub persisted_fields: Vec<String>,
        /// `pending` or `finished`, or a value this SDK does not know.
        pub status: WorkStatus,
        /// When the job last changed.
        #[serde(rename = "updatedAt")]
        pub updated_at: ApiTime,
        /// Number of records in the job.
        #[serde(rename = "workUnitsCount")]
        pub work_units_count: i64,
    }
}
