//! The lower bound of an import: a minimal raw hyper client that posts pre-serialized chunk
//! bodies and polls their results with the SDK's default schedule (first poll at once, then
//! 100 ms growing by 1.5 up to 5 s, re-reading from the first page still pending). No CSV, no
//! validation, no report.

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Http = Client<HttpConnector, Full<Bytes>>;

struct Target {
    client: Http,
    base: String,
    key: String,
    requests: AtomicU64,
}

impl Target {
    async fn send(&self, method: http::Method, path: &str, body: Bytes) -> Result<Value, String> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("x-api-key", &self.key)
            .header("content-type", "application/json")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if !status.is_success() {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)));
        }
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }

    async fn chunk(&self, body: Bytes, records: usize) -> Result<(), String> {
        let job = self.send(http::Method::POST, "/bulk/users", body).await?;
        let job = job["jobId"].as_str().ok_or("no jobId")?.to_owned();
        let mut statuses: Vec<bool> = Vec::with_capacity(records);
        let mut interval = Duration::from_millis(100);
        loop {
            let first_pending = statuses
                .iter()
                .position(|done| !done)
                .unwrap_or(statuses.len());
            statuses.truncate(first_pending / 100 * 100);
            loop {
                let path = format!(
                    "/bulk/users/{job}/results?limit=100&skip={}",
                    statuses.len()
                );
                let page = self.send(http::Method::GET, &path, Bytes::new()).await?;
                let items = page.as_array().ok_or("results are not an array")?;
                statuses.extend(items.iter().map(|r| r["status"] != "pending"));
                if items.len() < 100 {
                    break;
                }
            }
            if statuses.len() >= records && statuses.iter().all(|d| *d) {
                return Ok(());
            }
            tokio::time::sleep(interval).await;
            interval = interval.mul_f64(1.5).min(Duration::from_secs(5));
        }
    }
}

/// Runs the lower bound; prints `{"wall_ms", "requests", "records"}`.
pub fn run(args: &[String]) -> Result<(), String> {
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .ok_or(format!("missing {flag}"))
    };
    let (base, key, dir) = (value("--base")?, value("--key")?, value("--chunks")?);
    let concurrency: usize = value("--concurrency")
        .unwrap_or_else(|_| "4".into())
        .parse()
        .map_err(|e| format!("{e}"))?;
    let mut files: Vec<_> = std::fs::read_dir(Path::new(&dir))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let bodies: Vec<(Bytes, usize)> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).map_err(|e| e.to_string())?;
            let records = serde_json::from_slice::<Vec<Value>>(&bytes)
                .map_err(|e| e.to_string())?
                .len();
            Ok((Bytes::from(bytes), records))
        })
        .collect::<Result<_, String>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let target = Target {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base,
            key,
            requests: AtomicU64::new(0),
        };
        let records: usize = bodies.iter().map(|(_, n)| n).sum();
        let started = Instant::now();
        let outcomes: Vec<Result<(), String>> = futures::stream::iter(bodies)
            .map(|(body, n)| target.chunk(body, n))
            .buffered(concurrency)
            .collect()
            .await;
        let wall = started.elapsed();
        if let Some(Err(error)) = outcomes.into_iter().find(Result::is_err) {
            return Err(error);
        }
        println!(
            "{}",
            serde_json::json!({"wall_ms": wall.as_millis() as u64, "requests": target.requests.load(Ordering::Relaxed), "records": records})
        );
        Ok(())
    })
}
