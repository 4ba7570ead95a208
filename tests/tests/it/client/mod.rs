//! jc-bulk (issue 5): exact requests through mockall's `MockTransport`, and end to end against
//! jc-mock over real HTTP.

mod custom_transport;
mod dropped;
mod e2e;
mod groups;
mod odd_servers;
mod pacing;
mod partial;
mod resolve_paging;
mod service_account;
mod unknown_outcomes;
mod users;
mod wire;
mod wire_paging;
