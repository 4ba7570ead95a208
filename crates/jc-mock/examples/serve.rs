//! Runs the mock in the foreground: `cargo run --release -p jc-mock --example serve -- [ADDR]`.
//! Prints the base URL and the API key, then serves until interrupted. (`jcbulk mock` is the
//! full-featured way; this example is for load tests of the mock alone.)

use jc_mock::{MockConfig, MockServer};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{e}")))?;
    let server =
        MockServer::start(MockConfig::default().addr(addr).request_log_capacity(0)).await?;
    println!("{} {}", server.base_url(), server.api_key());
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
