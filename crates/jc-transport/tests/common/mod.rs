//! Loopback test servers, all bound to port 0.
#![allow(dead_code)]

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Counters a test server keeps.
#[derive(Debug, Default)]
pub struct Counts {
    pub connections: AtomicUsize,
    pub requests: AtomicUsize,
}

impl Counts {
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A handler: the request with its body read, to a response.
pub type Handler = Arc<dyn Fn(Request<Bytes>) -> Response<Full<Bytes>> + Send + Sync>;

async fn serve_io<I>(io: I, handler: Handler, counts: Arc<Counts>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let handler = handler.clone();
        let counts = counts.clone();
        async move {
            counts.requests.fetch_add(1, Ordering::SeqCst);
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Ok::<_, Infallible>(handler(Request::from_parts(parts, body)))
        }
    });
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// An HTTP/1.1 + h2c server on 127.0.0.1:0.
pub async fn http_server(handler: Handler) -> (SocketAddr, Arc<Counts>) {
    raw_server(move |stream, counts| serve_io(stream, handler.clone(), counts)).await
}

/// An HTTPS server on 127.0.0.1:0 with `cert_pem`/`key_pem`, offering h2 and http/1.1 by ALPN.
pub async fn https_server(
    handler: Handler,
    cert_pem: &str,
    key_pem: &str,
) -> (SocketAddr, Arc<Counts>) {
    use rustls_pki_types::pem::PemObject;
    let certs = rustls_pki_types::CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    raw_server(move |stream, counts| {
        let (acceptor, handler) = (acceptor.clone(), handler.clone());
        async move {
            if let Ok(tls) = acceptor.accept(stream).await {
                serve_io(tls, handler, counts).await;
            }
        }
    })
    .await
}

/// A raw TCP server on 127.0.0.1:0: `on_conn` gets each accepted connection and the counters
/// (connections are counted here; requests by `on_conn`).
pub async fn raw_server<F, Fut>(on_conn: F) -> (SocketAddr, Arc<Counts>)
where
    F: Fn(TcpStream, Arc<Counts>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(Counts::default());
    let shared = counts.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            shared.connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(on_conn(stream, shared.clone()));
        }
    });
    (addr, counts)
}

/// A server that reads each request and answers nothing for 30 s.
pub async fn slow_server() -> (SocketAddr, Arc<Counts>) {
    raw_server(|mut stream, _| async move {
        let _ = read_head(&mut stream).await;
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        drop(stream);
    })
    .await
}

/// Reads one request head (up to the blank line) from `stream`.
pub async fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    head
}

/// A server that reads each request and drops the connection without answering.
pub async fn drop_after_read_server() -> (SocketAddr, Arc<Counts>) {
    raw_server(|mut stream, counts| async move {
        let _ = read_head(&mut stream).await;
        counts.requests.fetch_add(1, Ordering::SeqCst);
        let _ = stream.shutdown().await;
    })
    .await
}

/// A CONNECT proxy on 127.0.0.1:0 that tunnels to the requested address and counts tunnels.
pub async fn connect_proxy() -> (SocketAddr, Arc<Counts>) {
    raw_server(|mut client, counts| async move {
        let head = String::from_utf8_lossy(&read_head(&mut client).await).to_string();
        let Some(target) = head
            .strip_prefix("CONNECT ")
            .and_then(|rest| rest.split_whitespace().next())
        else {
            return;
        };
        counts.requests.fetch_add(1, Ordering::SeqCst);
        let Ok(mut upstream) = TcpStream::connect(target).await else {
            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
            return;
        };
        let _ = client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    })
    .await
}

/// A handler answering `status` with `body`.
pub fn answer(status: u16, body: &'static str) -> Handler {
    Arc::new(move |_| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(body.as_bytes())))
            .unwrap()
    })
}

/// A test CA and a `localhost` certificate it signed: (ca_pem, cert_pem, key_pem).
pub fn test_pki() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "jc-bulk test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    (ca_cert.pem(), leaf.pem(), leaf_key.serialize_pem())
}

/// A GET request with no body.
pub fn get(url: &str) -> Request<Bytes> {
    Request::get(url).body(Bytes::new()).unwrap()
}

/// A POST request with a JSON body.
pub fn post(url: &str, body: &'static str) -> Request<Bytes> {
    Request::post(url)
        .header("content-type", "application/json")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}
