//! jc-mock over real HTTP (issue 4). Every answer of a spec operation is checked against the
//! spec's schema for that operation and status by `jc_e2e::api::Api::call`.

mod auth;
mod faults;
mod groups;
mod jobs;
mod orgs;
mod systemusers;
mod userstates;

use jc_e2e::api::Api;
use jc_mock::{MockConfig, MockServer};

/// A mock with `config` and a caller with its default key.
pub(crate) async fn start(config: MockConfig) -> (MockServer, Api) {
    let server = MockServer::start(config).await.expect("the mock starts");
    let api = Api::new(&server.base_url(), server.api_key());
    (server, api)
}
