//! The operations, one module per group: thin verbs over the session (build, send, decode) that
//! the `Client` façade calls.

pub(crate) mod jobs;
mod legacy;
mod orgs;
mod resolve;
mod users;
pub(crate) mod userstates;

pub use legacy::Legacy;
pub use orgs::{OrgSummary, Orgs};
pub use resolve::{CurrentUser, Lookup, ResolveOptions};
pub use users::{Resolution, UserKey, Users};
