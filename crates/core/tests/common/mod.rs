//! What the integration tests share: servers on 127.0.0.1 with an ephemeral port (a hyper
//! server speaking HTTP/1.1 and HTTP/2, plain or TLS, that records every request; a raw TCP
//! server that plays a script), certificates made on the fly, and client shortcuts.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Response, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyperhttp_core::{Client, Config, Error, Request, RequestBody, RequestOptions};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub mod h2_raw;

/// Long enough that only a hang reaches it on a loaded machine.
pub const NO_HANG: Duration = Duration::from_secs(30);

/// Fails the test if `fut` has not finished within [`NO_HANG`].
pub async fn within<F: Future>(fut: F) -> F::Output {
    tokio::time::timeout(NO_HANG, fut)
        .await
        .expect("the client hung")
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }
}

#[derive(Default)]
struct Stats {
    accepted: AtomicUsize,
    open: AtomicUsize,
    max_open: AtomicUsize,
    seen: Mutex<Vec<Seen>>,
}

impl Stats {
    fn connection_opened(&self) {
        self.accepted.fetch_add(1, Ordering::SeqCst);
        let open = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_open.fetch_max(open, Ordering::SeqCst);
    }

    fn connection_closed(&self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A server on 127.0.0.1 that counts its connections; stops accepting when dropped.
pub struct Server {
    pub addr: SocketAddr,
    scheme: &'static str,
    stats: Arc<Stats>,
    accept_loop: JoinHandle<()>,
}

impl Server {
    /// `scheme://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.stats.accepted.load(Ordering::SeqCst)
    }

    /// The most connections that were open at the same time.
    pub fn max_open(&self) -> usize {
        self.stats.max_open.load(Ordering::SeqCst)
    }

    /// Requests received whole so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.stats.seen.lock().unwrap().clone()
    }

    /// Waits until `n` requests have been received whole.
    pub async fn wait_for_requests(&self, n: usize) {
        within(async {
            while self.stats.seen.lock().unwrap().len() < n {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

pub type Reply = Response<Full<Bytes>>;

/// A response with `status`, `headers` and `body`.
pub fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Reply {
    let mut res = Response::builder().status(status);
    for (name, value) in headers {
        res = res.header(*name, *value);
    }
    res.body(Full::new(body.into())).unwrap()
}

/// A plain server speaking HTTP/1.1 and h2c; `handler` answers each request after its body
/// has been read.
pub async fn http<H, F>(handler: H) -> Server
where
    H: Fn(Seen) -> F + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    start("http", None, handler).await
}

/// A TLS server speaking HTTP/1.1 and HTTP/2 (whichever the client starts with).
pub async fn https<H, F>(tls: Arc<rustls::ServerConfig>, handler: H) -> Server
where
    H: Fn(Seen) -> F + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    start("https", Some(TlsAcceptor::from(tls)), handler).await
}

async fn start<H, F>(scheme: &'static str, tls: Option<TlsAcceptor>, handler: H) -> Server
where
    H: Fn(Seen) -> F + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stats = Arc::new(Stats::default());
    let handler = Arc::new(handler);
    let accept_loop = tokio::spawn({
        let stats = stats.clone();
        async move {
            while let Ok((tcp, _)) = listener.accept().await {
                stats.connection_opened();
                let (tls, handler, stats) = (tls.clone(), handler.clone(), stats.clone());
                tokio::spawn(async move {
                    serve_connection(tcp, tls, handler, stats.clone()).await;
                    stats.connection_closed();
                });
            }
        }
    });
    Server {
        addr,
        scheme,
        stats,
        accept_loop,
    }
}

async fn serve_connection<H, F>(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    handler: Arc<H>,
    stats: Arc<Stats>,
) where
    H: Fn(Seen) -> F + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    let service = service_fn(move |req: http::Request<Incoming>| {
        let (handler, stats) = (handler.clone(), stats.clone());
        async move {
            let (parts, body) = req.into_parts();
            let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
                return Ok::<_, Infallible>(reply(400, &[], "incomplete request body"));
            };
            let seen = Seen {
                method: parts.method,
                path: parts
                    .uri
                    .path_and_query()
                    .map_or("/".to_owned(), |p| p.to_string()),
                version: parts.version,
                headers: parts.headers,
                body,
            };
            stats.seen.lock().unwrap().push(seen.clone());
            Ok(handler(seen).await)
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    match tls {
        Some(acceptor) => {
            if let Ok(stream) = acceptor.accept(tcp).await {
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            }
        }
        None => {
            let _ = builder.serve_connection(TokioIo::new(tcp), service).await;
        }
    }
}

/// A TCP server that runs `script` on every accepted connection.
pub async fn raw<S, F>(script: S) -> Server
where
    S: Fn(TcpStream) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stats = Arc::new(Stats::default());
    let accept_loop = tokio::spawn({
        let stats = stats.clone();
        async move {
            while let Ok((tcp, _)) = listener.accept().await {
                stats.connection_opened();
                let stats = stats.clone();
                let run = script(tcp);
                tokio::spawn(async move {
                    run.await;
                    stats.connection_closed();
                });
            }
        }
    });
    Server {
        addr,
        scheme: "http",
        stats,
        accept_loop,
    }
}

/// A raw server that reads the request head, writes `bytes`, and closes the connection.
pub async fn answer_then_close(bytes: impl Into<Bytes>) -> Server {
    let bytes = bytes.into();
    raw(move |mut tcp| {
        let bytes = bytes.clone();
        async move {
            read_head(&mut tcp).await;
            let _ = tcp.write_all(&bytes).await;
            let _ = tcp.shutdown().await;
        }
    })
    .await
}

/// A raw server that reads the request head, writes `bytes`, and then keeps the connection
/// open without sending anything more.
pub async fn answer_then_stall(bytes: impl Into<Bytes>) -> Server {
    let bytes = bytes.into();
    raw(move |mut tcp| {
        let bytes = bytes.clone();
        async move {
            read_head(&mut tcp).await;
            let _ = tcp.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    })
    .await
}

/// Reads up to the end of a request head (or EOF) and returns it.
pub async fn read_head(tcp: &mut (impl AsyncRead + Unpin)) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match tcp.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A port on 127.0.0.1 where nothing listens.
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A certificate authority made for one test.
pub struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A server certificate and its private key.
pub struct Identity {
    pub cert: CertificateDer<'static>,
    key: Vec<u8>,
    /// The certificate in PEM.
    pub pem: String,
    /// DER SubjectPublicKeyInfo of the certificate's key.
    pub spki: Vec<u8>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let cert = ca_params(name).self_signed(&key).unwrap();
        Ca { cert, key }
    }

    /// An intermediate CA signed by this one.
    pub fn intermediate(&self, name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let cert = ca_params(name)
            .signed_by(&key, &self.cert, &self.key)
            .unwrap();
        Ca { cert, key }
    }

    /// The CA certificate in DER, as a server sends it in its chain.
    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// The CA certificate, PEM-encoded, as `tls.ca` takes it.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// DER SubjectPublicKeyInfo of the CA's key.
    pub fn spki(&self) -> Vec<u8> {
        self.key.public_key_der()
    }

    /// A leaf certificate for `names` (DNS names or IP addresses), valid now.
    pub fn issue(&self, names: &[&str]) -> Identity {
        self.issue_with(leaf_params(names))
    }

    /// A certificate for `names` wrongly marked as a CA itself.
    pub fn issue_ca_marked(&self, names: &[&str]) -> Identity {
        let mut params = leaf_params(names);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        self.issue_with(params)
    }

    /// A leaf certificate for `names` that expired long ago.
    pub fn issue_expired(&self, names: &[&str]) -> Identity {
        let mut params = leaf_params(names);
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        self.issue_with(params)
    }

    fn issue_with(&self, params: CertificateParams) -> Identity {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        Identity {
            cert: cert.der().clone(),
            key: key.serialize_der(),
            pem: cert.pem(),
            spki: key.public_key_der(),
        }
    }
}

/// A certificate for `names` signed by its own key.
pub fn self_signed(names: &[&str]) -> Identity {
    self_signed_with(leaf_params(names))
}

/// A self-signed certificate for `names` marked as a CA, as `openssl req -x509` makes them.
pub fn self_signed_ca(names: &[&str]) -> Identity {
    let mut params = leaf_params(names);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    self_signed_with(params)
}

fn self_signed_with(params: CertificateParams) -> Identity {
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Identity {
        cert: cert.der().clone(),
        key: key.serialize_der(),
        pem: cert.pem(),
        spki: key.public_key_der(),
    }
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "hyperhttp test server");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}

/// A rustls server configuration presenting `identity` and offering `alpn`.
pub fn server_tls(identity: &Identity, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    server_tls_with_chain(identity, &[], alpn)
}

/// Like [`server_tls`], sending `chain` after the leaf.
pub fn server_tls_with_chain(
    identity: &Identity,
    chain: &[CertificateDer<'static>],
    alpn: &[&[u8]],
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert([std::slice::from_ref(&identity.cert), chain].concat(), key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// A client configuration whose TLS trusts only the built-in roots and `ca`, whatever the
/// environment says.
pub fn config_trusting(ca: &[String]) -> Config {
    let mut config = Config::default();
    config.tls.ca = ca.to_vec();
    config.tls.use_node_extra_ca_certs = false;
    config
}

pub fn client(config: Config) -> Client {
    Client::new(config).expect("valid configuration")
}

/// A request with `headers` given as pairs.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: RequestBody) -> Request {
    request_with(method, url, headers, body, RequestOptions::default())
}

pub fn request_with(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: RequestBody,
    options: RequestOptions,
) -> Request {
    let flat: Vec<String> = headers
        .iter()
        .flat_map(|(name, value)| [name.to_string(), value.to_string()])
        .collect();
    Request::new(method, url, &flat, body, options).expect("valid request")
}

pub fn get(url: &str) -> Request {
    request("GET", url, &[], RequestBody::Empty)
}

/// A response read to its end.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub version: Version,
    pub headers: HeaderMap,
    pub url: String,
    pub redirects: u32,
    pub body: Bytes,
}

/// Sends `req` and reads the whole body, failing the test if that hangs.
pub async fn fetch(client: &Client, req: Request) -> Result<Fetched, Error> {
    within(async {
        let res = client.execute(req).await?;
        let (status, version, headers, url, redirects) = (
            res.status.as_u16(),
            res.version,
            res.headers.clone(),
            res.url.to_string(),
            res.redirects,
        );
        let body = res.bytes().await?;
        Ok(Fetched {
            status,
            version,
            headers,
            url,
            redirects,
            body,
        })
    })
    .await
}
