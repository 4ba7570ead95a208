//! The HTTP side: accept loop, per-request handling (log, faults, auth, routing) and the
//! background job processor.

use crate::auth::authenticate;
use crate::faults::Fault;
use crate::handlers::{groups, jobs as job_ops, systemusers, userstates};
use crate::processor;
use crate::reply::Reply;
use crate::routes::{route, route_v1, Route};
use crate::shared::{ApiRequest, Shared};
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Body, Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Counters for load tests, outside the API (no auth, not counted):
/// `{"requests": N, "edges_added": N, "edges_removed": N}` (membership changes applied).
pub const STATS_PATH: &str = "/_mock/stats";

/// Largest request body the mock reads (a job of 800 full records is far below it).
const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// A body that sends its first half and then fails, so the client sees a truncated response.
#[derive(Debug)]
pub(crate) struct Truncated(Option<Bytes>);

impl Body for Truncated {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(match self.0.take() {
            Some(half) => Ok(Frame::data(half)),
            None => Err(std::io::Error::other("body truncated by fault injection")),
        }))
    }
}

pub(crate) type MockBody = Either<Full<Bytes>, Truncated>;

/// The service's error: the connection is dropped without an answer.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
pub(crate) struct Dropped;

fn encode(shared: &Shared, reply: Reply, truncate: bool) -> Response<MockBody> {
    let bytes = reply
        .body
        .as_ref()
        .map(|body| Bytes::from(serde_json::to_vec(body).unwrap_or_default()))
        .unwrap_or_default();
    let mut builder = Response::builder().status(reply.status).header(
        "x-request-id",
        shared.ids.next(crate::ids::Kind::WorkResult),
    );
    if reply.body.is_some() {
        builder = builder.header(
            http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        );
    }
    if let Some(total) = reply.total_count {
        builder = builder.header("x-total-count", HeaderValue::from(total));
    }
    if let Some(seconds) = reply.retry_after {
        builder = builder.header(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    let body = if truncate && bytes.len() > 1 {
        builder = builder.header(http::header::CONTENT_LENGTH, bytes.len());
        Either::Right(Truncated(Some(bytes.slice(..bytes.len() / 2))))
    } else {
        Either::Left(Full::new(bytes))
    };
    builder
        .body(body)
        .unwrap_or_else(|_| Response::new(Either::Left(Full::new(Bytes::new()))))
}

/// Serves one request with its body read; no faults here.
fn serve(shared: &Shared, parts: &http::request::Parts, body: Bytes) -> Reply {
    let base = shared.config.normalized_base();
    let path = parts.uri.path();
    let below = |root: &str| {
        path.strip_prefix(root)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    let v1_root = base.strip_suffix("/v2");
    let routed = match (below(base.as_str()), v1_root.and_then(below)) {
        (Some(relative), _) => route(&parts.method, relative),
        (None, Some(relative)) => route_v1(&parts.method, relative).unwrap_or_else(|| {
            Err(Reply::error(
                StatusCode::NOT_FOUND,
                format!("no operation at {path}"),
            ))
        }),
        (None, None) => {
            return Reply::error(StatusCode::NOT_FOUND, format!("no operation at {path}"))
        }
    };
    if let Ok(route @ (Route::OrgsList | Route::ProviderOrgs(_))) = &routed {
        return crate::orgs::serve(shared, route, parts);
    }
    let caller = match authenticate(&shared.config.admins, &shared.tokens, &parts.headers) {
        Ok(caller) => caller,
        Err(reply) => return reply,
    };
    let operation = match routed {
        Ok(operation) => operation,
        Err(reply) => return reply,
    };
    shared
        .state()
        .org(&caller.org)
        .apply_due(shared.clock.now());
    let request = ApiRequest {
        query: crate::query::pairs(parts.uri.query().unwrap_or_default()),
        headers: parts.headers.clone(),
        body,
        caller,
    };
    match operation {
        Route::Submit(kind) => job_ops::submit(shared, &request, kind),
        Route::Results(id) | Route::LegacyResults(id) => job_ops::results(shared, &request, &id),
        Route::LegacyJob(id) => job_ops::details(shared, &request, &id),
        Route::ScheduleCreate => userstates::create(shared, &request),
        Route::ScheduleList => userstates::list(shared, &request),
        Route::ScheduleDelete(id) => userstates::delete(shared, &request, &id),
        Route::NextScheduled => userstates::next(shared, &request),
        Route::UsersList => systemusers::list(shared, &request),
        Route::UsersSearch => systemusers::search(shared, &request),
        Route::UserGet(id) => systemusers::get(shared, &request, &id),
        Route::GroupsList => groups::list(shared, &request),
        Route::GroupCreate => groups::create(shared, &request),
        Route::GroupGet(id) => groups::get(shared, &request, &id),
        Route::GroupPut(id) => groups::put(shared, &request, &id),
        Route::GroupMembers(id) => groups::members(shared, &request, &id),
        Route::GroupMemberChange(id) => groups::change_member(shared, &request, &id),
        Route::MemberOf(id) => groups::member_of(shared, &request, &id),
        Route::OrgsList | Route::ProviderOrgs(_) => {
            Reply::error(StatusCode::NOT_FOUND, "no org route")
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<MockBody>, Dropped> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let reply = Reply::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request bodies are limited to {MAX_REQUEST_BYTES} bytes"),
            );
            return Ok(encode(&shared, reply, false));
        }
    };
    if parts.uri.path() == STATS_PATH {
        let load = |counter: &std::sync::atomic::AtomicU64| {
            counter.load(std::sync::atomic::Ordering::Relaxed)
        };
        let reply = Reply::json(
            StatusCode::OK,
            serde_json::json!({
                "requests": load(&shared.requests),
                "edges_added": load(&shared.edges_added),
                "edges_removed": load(&shared.edges_removed),
            }),
        );
        return Ok(encode(&shared, reply, false));
    }
    shared
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    shared
        .log
        .record(parts.method.as_str(), &parts.uri, &parts.headers, &body);
    if parts.uri.path() == crate::oauth::TOKEN_PATH && parts.method == http::Method::POST {
        let config = &shared.config;
        let reply = shared.tokens.token(
            &config.oauth_clients,
            config.token_lifetime_secs,
            &parts.headers,
            &body,
        );
        return Ok(encode(&shared, reply, false));
    }
    let decision = shared.faults.decide(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query().unwrap_or_default(),
        &body,
    );
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    if let Fault::Status(code) = decision.fault {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let mut reply = Reply::error(status, format!("injected fault: {status}"));
        if status == StatusCode::TOO_MANY_REQUESTS {
            reply.retry_after = Some(shared.faults.config().retry_after_secs);
        }
        return Ok(encode(&shared, reply, false));
    }
    let reply = serve(&shared, &parts, body);
    match decision.fault {
        Fault::Drop => Err(Dropped),
        Fault::Truncate => Ok(encode(&shared, reply, true)),
        _ => Ok(encode(&shared, reply, false)),
    }
}

pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = shared.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |request| handle(shared.clone(), request));
                        let _ = auto::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                // Out of file descriptors and the like: wait a little instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

/// Records settled per lock when processing as fast as possible.
const BATCH: usize = 256;
/// How often a rate-limited processor wakes.
const TICK: Duration = Duration::from_millis(10);

pub(crate) async fn processor(shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut credit = 0.0f64;
    // Credit accrues for the time actually slept (a 10 ms sleep often lasts 11), so the
    // configured rate is the rate delivered; idle time earns nothing.
    let mut since = tokio::time::Instant::now();
    loop {
        let idle = shared.paused.load(std::sync::atomic::Ordering::SeqCst)
            || shared.state().queue.is_empty();
        if idle {
            tokio::select! {
                _ = shutdown.changed() => return,
                () = shared.work.notified() => {
                    since = tokio::time::Instant::now();
                    continue;
                }
            }
        }
        let budget = match shared.config.process_rate {
            None => BATCH,
            Some(rate) => {
                tokio::select! {
                    _ = shutdown.changed() => return,
                    () = tokio::time::sleep(TICK) => {}
                }
                let now = tokio::time::Instant::now();
                let slept = now.duration_since(since).as_secs_f64();
                since = now;
                credit = (credit + rate * slept).min(rate.max(1.0));
                let whole = credit.floor();
                credit -= whole;
                whole as usize
            }
        };
        {
            let now = shared.clock.now();
            let mut state = shared.state();
            processor::process(
                &mut state,
                budget,
                &shared.ids,
                &shared.config.default_user_state,
                now,
            );
        }
        tokio::task::yield_now().await;
    }
}
