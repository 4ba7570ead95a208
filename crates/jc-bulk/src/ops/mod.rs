//! The operations, one module per group: `Client` methods that build, send and decode.

mod jobs;
mod legacy;
mod resolve;
mod users;
mod userstates;

pub use legacy::Legacy;
pub use resolve::ResolveOptions;
pub use users::{Resolution, UserKey, Users};
