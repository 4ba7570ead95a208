//! One module per group of operations.

pub(crate) mod groups;
pub(crate) mod jobs;
pub(crate) mod systemusers;
pub(crate) mod userstates;
