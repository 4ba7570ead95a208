//! One module per command group.

pub mod demo;
pub mod export;
pub mod groups;
pub mod import;
pub mod jobs;
pub mod lookup;
pub mod mock;
pub mod orgs;
pub mod profiles;
pub mod sync;
pub mod users;
pub mod userstates;
