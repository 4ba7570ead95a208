//! The operations, one module per group: `Client` methods that build, send and decode.

mod jobs;
mod legacy;
mod userstates;

pub use legacy::Legacy;
