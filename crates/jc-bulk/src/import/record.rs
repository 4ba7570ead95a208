//! What can be imported: the four bulk record types, with how to submit them and how to name
//! them when matching results.

use crate::error::Error;
use crate::import::ImportOptions;
use crate::options::{CallOptions, CreateUsersOptions, UpdateUsersOptions};
use crate::request::{self, Endpoint};
use bytes::Bytes;
use http::Request;
use jc_models::{BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate, Validate};
use serde::Serialize;

/// What identifies a record to a person and to the result matching: username and e-mail for
/// creates, the user id for the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordKey {
    /// Username, when the record has one.
    pub username: Option<String>,
    /// E-mail, when the record has one.
    pub email: Option<String>,
    /// User id, when the record has one.
    pub id: Option<String>,
}

/// A record type of a bulk job.
pub trait BulkRecord: Serialize + Validate + Clone + Send + Sync + 'static {
    /// A name for messages (`create`, `update`, `expire`, `unlock`).
    const OPERATION: &'static str;

    /// The submission of `records` as one job.
    ///
    /// # Errors
    /// See the request builders in [`crate::request`].
    fn submission(
        endpoint: &Endpoint,
        records: &[Self],
        options: &ImportOptions,
    ) -> Result<Request<Bytes>, Error>
    where
        Self: Sized;

    /// What identifies this record.
    fn key(&self) -> RecordKey;
}

impl BulkRecord for BulkUserCreate {
    const OPERATION: &'static str = "create";

    fn submission(
        endpoint: &Endpoint,
        records: &[Self],
        options: &ImportOptions,
    ) -> Result<Request<Bytes>, Error> {
        let call = CreateUsersOptions {
            creation_source: options.creation_source,
            suppress_email: options.suppress_email,
            validate: false,
            org_id: options.org_id.clone(),
        };
        request::create_users(endpoint, records, &call)
    }

    fn key(&self) -> RecordKey {
        RecordKey {
            username: self.username.clone(),
            email: self.email.clone(),
            id: None,
        }
    }
}

impl BulkRecord for BulkUserUpdate {
    const OPERATION: &'static str = "update";

    fn submission(
        endpoint: &Endpoint,
        records: &[Self],
        options: &ImportOptions,
    ) -> Result<Request<Bytes>, Error> {
        let call = UpdateUsersOptions {
            suppress_email: options.suppress_email,
            validate: false,
            org_id: options.org_id.clone(),
        };
        request::update_users(endpoint, records, &call)
    }

    fn key(&self) -> RecordKey {
        RecordKey {
            username: self.username.clone(),
            email: self.email.clone(),
            id: self.id.clone(),
        }
    }
}

impl BulkRecord for BulkUserExpire {
    const OPERATION: &'static str = "expire";

    fn submission(
        endpoint: &Endpoint,
        records: &[Self],
        options: &ImportOptions,
    ) -> Result<Request<Bytes>, Error> {
        request::expire_users(
            endpoint,
            records,
            &CallOptions {
                org_id: options.org_id.clone(),
            },
        )
    }

    fn key(&self) -> RecordKey {
        RecordKey {
            id: self.id.clone(),
            ..RecordKey::default()
        }
    }
}

impl BulkRecord for BulkUserUnlock {
    const OPERATION: &'static str = "unlock";

    fn submission(
        endpoint: &Endpoint,
        records: &[Self],
        options: &ImportOptions,
    ) -> Result<Request<Bytes>, Error> {
        request::unlock_users(
            endpoint,
            records,
            &CallOptions {
                org_id: options.org_id.clone(),
            },
        )
    }

    fn key(&self) -> RecordKey {
        RecordKey {
            id: self.id.clone(),
            ..RecordKey::default()
        }
    }
}
