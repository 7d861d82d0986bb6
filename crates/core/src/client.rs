//! The client: one pool, one TLS configuration and one set of defaults, shared by every
//! request. Cheap to clone. It starts each request (settings, total timeout, attempts) and
//! sends each hop on a connection; the retry loop is [`crate::attempts`], the redirect loop
//! [`crate::follow`].

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{HeaderMap, Method, StatusCode, Version};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::Connected;
use hyper_util::client::legacy::connect::{capture_connection, CaptureConnection};
use hyper_util::rt::TokioTimer;
use tokio::time::Instant;
use url::Url;

use crate::alpn::ProtocolGate;
use crate::attempts::{Attempts, BeforeRetry, NextAttempt};
use crate::body::{Body, ReqBody, UploadProgress};
use crate::config::{Config, Effective};
use crate::conn::{ConnHandle, ConnShared, InFlight};
use crate::connect::{ConnectTimeouts, Connector, ConnectorConfig, TIMEOUTS};
use crate::cookies::{CookieJar, MemoryJar};
use crate::error::{Error, Kind, Phase};
use crate::pool::{Pool, PoolStats};
use crate::proxy::Proxies;
use crate::ratelimit::RateLimiter;
use crate::request::{BodyStream, Request, RequestBody};
use crate::retry::BudgetState;
use crate::runtime::{opening, Lane, LaneExecutor};
// Request timings and connection events (observability).
use crate::observe::{ConnectionObserver, Observers};
use crate::route::{MockRoutes, Routes};
use crate::timings::{Marks, RequestClock, Timings};

type Hyper = hyper_util::client::legacy::Client<Connector, ReqBody>;

/// The HTTP/2 decoder's own cap on a response head, as a multiple of `max_header_size`. It
/// counts 32 bytes of overhead per field where `check_head_size` counts 4, so it sits far
/// enough above the configured limit that every head over that limit but under this cap reaches
/// `check_head_size` and fails as too large; h2 resets a stream whose head exceeds the cap
/// (reported as a protocol error: h2 does not say why it reset) and bounds memory.
const H2_HEADER_LIST_FACTOR: usize = 8;

/// Local HTTP/2 stream resets h2 remembers at once, to drop frames the server already had in
/// flight for them; the oldest is forgotten first (h2's default).
const H2_MAX_CONCURRENT_RESET_STREAMS: usize = 10;

/// Streams h2 may reset for the server's protocol errors before it closes the connection with
/// ENHANCE_YOUR_CALM, so a server cannot make the client spin resetting streams.
const H2_MAX_LOCAL_ERROR_RESET_STREAMS: usize = 1024;

/// Request body bytes h2 buffers per stream beyond what the server's window accepts.
const H2_MAX_SEND_BUFFER: usize = 1024 * 1024;

/// The largest HTTP/2 frame the server may send (the protocol's default is 16 KiB).
const H2_MAX_FRAME_SIZE: u32 = 256 * 1024;

/// Response body bytes an HTTP/2 server may send on one stream before the client reads them
/// ([`H2_CONNECTION_WINDOW`] bounds all streams together). A window this size keeps the server
/// interleaving concurrent streams: with 2 MiB, nginx (8 KiB DATA frames) served 64 streams of
/// 1 MiB unevenly, p99 353-399 ms against p50 112-130, and 1 MiB still doubled p99 (183-253
/// ms). Against 256 KiB (and an 8 MiB connection window), 384 KiB with 16 MiB gave nginx's 64
/// streams of 1 MiB +4-7 % req/s at the same p99 (1,032-1,091 against 938-1,026 req/s, p99
/// 78-84 ms against 81-95, alternated, quiet machine): the server waited less for window
/// updates. 128 KiB cost `fetch` 16 % req/s against the hyper server.
const H2_STREAM_WINDOW: u32 = 384 * 1024;

/// Response body bytes an HTTP/2 server may send on one connection, all streams together,
/// before the client reads them: the memory one connection can make the client hold. 12 MiB
/// gave 2-3 % fewer req/s than 16 MiB in the run above; 24 MiB no more.
const H2_CONNECTION_WINDOW: u32 = 16 * 1024 * 1024;

/// The most bytes hyper reads from a connection at once. Larger reads mean fewer, larger body
/// chunks; the response head is held to `max_header_size` separately (`check_head_size`).
const READ_BUFFER: usize = 256 * 1024;

/// Why one exchange failed, and whether its connection came from the pool.
struct SendFailure {
    error: Error,
    reused: bool,
}

impl SendFailure {
    fn fresh(error: Error) -> Self {
        SendFailure {
            error,
            reused: false,
        }
    }
}

/// Methods that may be sent twice without a different effect (RFC 9110 section 9.2.2).
fn is_idempotent(method: &Method) -> bool {
    matches!(
        method.as_str(),
        "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE" | "QUERY"
    )
}

/// The body of each hop of a request: buffered bytes are sent again on every hop (and on the
/// resends in [`Client::send_hop`]), a stream only once.
#[derive(Default)]
pub(crate) struct HopBody {
    pub replay: Option<Bytes>,
    pub stream: Option<BodyStream>,
}

/// An HTTP client with a connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), hyperhttp_core::Error> {
/// use hyperhttp_core::{Client, Config, Request, RequestBody, RequestOptions};
/// let client = Client::new(Config::default())?;
/// let req = Request::new("GET", "http://127.0.0.1:8080/", &[], RequestBody::Empty, RequestOptions::default())?;
/// let mut res = client.execute(req).await?;
/// while let Some(chunk) = res.body.chunk(64 * 1024).await? {
///     println!("{} bytes", chunk.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    hyper: Hyper,
    config: Config,
    /// Set when `https:` origins may answer HTTP/2 through ALPN.
    protocols: Option<ProtocolGate>,
    closed: AtomicBool,
    budget: Option<BudgetState>,
    limiter: Option<RateLimiter>,
    /// Slots and live connections, for queued counts and statistics (crate::pool).
    pool: Arc<Pool>,
    /// The proxies, to add their headers to forwarded `http:` requests.
    proxies: Option<Arc<Proxies>>,
    /// Connection events: who is told, shared with the connector.
    observers: Arc<Observers>,
    /// Cookie jar: the client's own when `Config::cookie_jar` is set.
    cookies: Option<MemoryJar>,
    /// Where connections go (shared with the connector): `socketPath`, a mock server.
    routes: Arc<Routes>,
    /// `Config::user_agent` as the header value every request without its own sends, made once.
    user_agent: Option<HeaderValue>,
}

/// A response head with its body still to read.
pub struct Response {
    /// Status code.
    pub status: StatusCode,
    /// HTTP version of the connection.
    pub version: Version,
    /// Header fields as the server sent them.
    pub headers: HeaderMap,
    /// Response extensions (hyper's `ReasonPhrase` when the server's is not the standard one).
    pub extensions: http::Extensions,
    /// The URL of the final hop.
    pub url: Url,
    /// How many redirects were followed.
    pub redirects: u32,
    /// How many attempts were made (1 when the request was not retried).
    pub attempts: u32,
    /// The body.
    pub body: Body,
    /// When the request's steps happened (the final exchange's); `end` is left to the reader
    /// of the body ([`Timings::mark_end`]).
    pub timings: Timings,
}

impl Client {
    /// Builds a client. Must be called inside a tokio runtime (see [`crate::runtime`]).
    pub fn new(config: Config) -> Result<Client, Error> {
        config.validate()?;
        let h2_only = config.http2_prior_knowledge;
        let alpn: Vec<Vec<u8>> = if h2_only {
            vec![b"h2".to_vec()]
        } else if config.http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        let tls = crate::tls::client_config(&config.tls, alpn)?;
        let proxies = (config.proxy.as_ref())
            .map(|p| Proxies::new(p, h2_only).map(Arc::new))
            .transpose()?;
        let proxy_tls = match &proxies {
            Some(p) if p.any_https() => Some(crate::proxy::tls_config(&config.tls)?),
            _ => None,
        };
        let observers = Arc::new(Observers::default());
        let pool = Pool::new(config.limits);
        let routes = Arc::new(Routes::new(config.socket_path.clone()));
        let connector = Connector::new(ConnectorConfig {
            connect_timeout: config.timeouts.connect,
            pool_timeout: config.timeouts.pool,
            keep_alive_timeout: config.limits.keep_alive_timeout,
            tls,
            server_name: crate::tls::server_name(&config.tls)?,
            h2_only,
            pool: pool.clone(),
            proxies: proxies.clone(),
            proxy_tls,
            dns: config.dns.clone(),
            observers: observers.clone(),
            routes: routes.clone(),
        });
        let hyper = hyper_util::client::legacy::Client::builder(LaneExecutor)
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(config.limits.keep_alive_timeout)
            .pool_max_idle_per_host(config.limits.idle_cap_per_host())
            .http1_max_buf_size(config.max_header_size.max(READ_BUFFER))
            .http1_max_headers(config.max_header_count)
            .http2_only(h2_only)
            .http2_max_header_list_size(
                u32::try_from(config.max_header_size.saturating_mul(H2_HEADER_LIST_FACTOR))
                    .unwrap_or(u32::MAX),
            )
            .http2_max_concurrent_reset_streams(H2_MAX_CONCURRENT_RESET_STREAMS)
            .http2_max_local_error_reset_streams(Some(H2_MAX_LOCAL_ERROR_RESET_STREAMS))
            .http2_max_send_buf_size(H2_MAX_SEND_BUFFER)
            .http2_initial_stream_window_size(H2_STREAM_WINDOW)
            .http2_initial_connection_window_size(H2_CONNECTION_WINDOW)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .http2_keep_alive_timeout(Duration::from_secs(10))
            // Throughput: larger DATA frames from the server, fewer frames per body.
            .http2_max_frame_size(H2_MAX_FRAME_SIZE)
            .build(connector);
        let user_agent = (config.user_agent.as_deref())
            .map(HeaderValue::from_str)
            .transpose()
            .map_err(|_| Error::invalid("userAgent must be a valid header value"))?;
        Ok(Client {
            inner: Arc::new(Inner {
                hyper,
                user_agent,
                protocols: (config.http2 && !h2_only).then(ProtocolGate::default),
                budget: config.retry_budget.map(BudgetState::new),
                limiter: config.rate_limit.map(RateLimiter::new),
                pool,
                proxies,
                cookies: config.cookie_jar.then(MemoryJar::default),
                config,
                closed: AtomicBool::new(false),
                observers,
                routes,
            }),
        })
    }

    /// Where a request to `url` should run ([`crate::runtime`]): its origin's HTTP/2 lane when
    /// the origin is known to speak HTTP/2 (prior knowledge, or a live connection that chose
    /// HTTP/2 through ALPN), otherwise the shared runtime.
    pub fn lane(&self, url: &Url) -> Lane {
        let inner = &self.inner;
        let h2 = inner.config.http2_prior_knowledge
            || (url.scheme() == "https"
                && (inner.protocols.as_ref())
                    .is_some_and(|gate| gate.speaks_h2(&url.origin().ascii_serialization())));
        match url.host_str() {
            Some(host) if h2 => {
                let port = url.port_or_known_default().unwrap_or_default();
                crate::runtime::shared().http2_lane(host, port)
            }
            _ => Lane::Shared,
        }
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Open, idle and busy connections, requests in flight and queued, and HTTP/2 streams, per
    /// origin and in total. Cheap: a few locks and counters, no I/O.
    ///
    /// ```no_run
    /// # fn run(client: &hyperhttp_core::Client) {
    /// let stats = client.stats();
    /// println!("{} busy, {} queued", stats.total.busy, stats.total.queued);
    /// # }
    /// ```
    pub fn stats(&self) -> PoolStats {
        self.inner.pool.stats()
    }

    /// Sends this client's new connections through a mock server's routes (`None`: back to
    /// the network). For `hyperhttp/testing`; connections already pooled are kept.
    pub fn set_mock_routes(&self, routes: Option<Arc<MockRoutes>>) {
        self.inner.routes.set_mock(routes);
    }

    /// Refuses new requests from now on. In-flight requests are ended by dropping their
    /// futures; idle connections close when the last clone of the client is dropped.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
    }

    /// Reports connection events (opened, closed, failed to open) to `observer` from now on;
    /// `None` stops. Connections opened while nobody observed report no close.
    ///
    /// ```no_run
    /// # fn run(client: hyperhttp_core::Client) {
    /// use std::sync::Arc;
    /// use hyperhttp_core::ConnectionEvent;
    /// client.observe_connections(Some(Arc::new(|event: ConnectionEvent| println!("{event:?}"))));
    /// # }
    /// ```
    pub fn observe_connections(&self, observer: Option<ConnectionObserver>) {
        self.inner.observers.set(observer);
    }

    /// Sends `req`, following redirects and retrying as configured, and returns the response
    /// head. The body is read from [`Response::body`].
    pub fn execute(&self, req: Request) -> impl Future<Output = Result<Response, Error>> + '_ {
        self.execute_with_retries(req, None, self.own_jar())
    }

    /// Like [`Client::execute`], and calls `hook` between attempts, after each retry wait;
    /// the hook may change the request or stop it (see [`BeforeRetry`]).
    pub async fn execute_with_hook(
        &self,
        req: Request,
        mut hook: impl BeforeRetry,
    ) -> Result<Response, Error> {
        self.execute_with_retries(req, Some(&mut hook), self.own_jar())
            .await
    }

    /// Like [`Client::execute`] (with `hook` as in [`Client::execute_with_hook`]), with `jar`
    /// instead of the client's own cookie jar: every hop reads its `Cookie` from `jar` and
    /// stores its `Set-Cookie` there.
    pub async fn execute_with_jar(
        &self,
        req: Request,
        hook: Option<&mut dyn BeforeRetry>,
        jar: &dyn CookieJar,
    ) -> Result<Response, Error> {
        self.execute_with_retries(req, hook, Some(jar)).await
    }

    /// The client's own cookie jar, when [`Config::cookie_jar`] is set.
    pub fn cookies(&self) -> Option<&MemoryJar> {
        self.inner.cookies.as_ref()
    }

    fn own_jar(&self) -> Option<&dyn CookieJar> {
        self.inner.cookies.as_ref().map(|jar| jar as &dyn CookieJar)
    }

    /// The retry loop under the total timeout. A plain function that returns the loop's
    /// future: as an `async fn` its future would hold `req` twice (the argument and the local
    /// it moves into), and every layer above would copy those bytes.
    fn execute_with_retries<'a, 'h>(
        &'a self,
        req: Request,
        hook: Option<&'a mut (dyn BeforeRetry + 'h)>,
        jar: Option<&'a dyn CookieJar>,
    ) -> impl Future<Output = Result<Response, Error>> + use<'a, 'h> {
        let settings = Effective::resolve(&req.options, &self.inner.config);
        let next = NextAttempt::new(req, settings);
        async move {
            // The first request's URL names its errors, whatever a hook changes.
            let first = next.head().clone();
            let total = settings.total_timeout.map(|d| (Instant::now() + d, d));
            let made = AtomicU32::new(1);
            let attempts = Attempts {
                config: &self.inner.config,
                budget: self.inner.budget.as_ref(),
                made: &made,
            };
            let clock = RequestClock::start();
            // The request's state machine (retries, redirects, the exchange) is a few KB. Boxed
            // once here, the layers above it (the total timeout, the binding's task) hold a
            // pointer instead of copying it whenever they are built or moved: unboxed, those
            // copies took 17 % of the engine threads' samples (HTTP/1.1, 200 B, c64).
            let retries = Box::pin(clock.scope(attempts.run(
                next,
                hook,
                |head, body, settings| self.attempt(head, body, settings, total, jar),
            )));
            let res = match total {
                Some((at, d)) => tokio::time::timeout_at(at, retries)
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::timeout(Phase::Total, d.as_millis() as u64)
                            .with_attempts(made.load(Ordering::Relaxed)))
                    }),
                None => retries.await,
            };
            match res {
                Ok(mut res) => {
                    res.timings = clock.snapshot();
                    Ok(*res)
                }
                Err(e) => Err(e
                    .with_url(first.url.as_str())
                    .with_timings(clock.snapshot())),
            }
        }
    }

    /// One attempt: a turn of the origin's rate limit, then the request and its redirects.
    async fn attempt(
        &self,
        head: Arc<Request>,
        body: RequestBody,
        settings: Effective,
        total: Option<(Instant, Duration)>,
        jar: Option<&dyn CookieJar>,
    ) -> Result<Box<Response>, Error> {
        if let Some(limiter) = &self.inner.limiter {
            limiter
                .acquire(&head.url.origin().ascii_serialization())
                .await?;
        }
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::new(Kind::ClientClosed, "the client is closed"));
        }
        // Boxed for the reason given in `execute_with_retries`: the retry loop holds this
        // future and would otherwise copy it into its own state.
        Box::pin(crate::follow::follow(
            self, &head, body, &settings, total, jar,
        ))
        .await
    }

    /// Sends one hop and checks its response head against the client's limits; errors carry
    /// the hop's URL. A request the server cannot have acted on is sent again: one that failed
    /// on a reused connection before any response byte (the server closed an idle connection
    /// as the request arrived) or was cut by an HTTP/2 GOAWAY, when it is idempotent; or one
    /// refused by an HTTP/2 server. Each dead pooled connection is skipped, and any other such
    /// failure is resent once. Never with a streamed body.
    pub(crate) async fn send_hop(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &mut HopBody,
        settings: &Effective,
    ) -> Result<(http::Response<Incoming>, Option<InFlight>), Error> {
        let replayable = body.stream.is_none();
        let mut resent = false;
        let mut stale_skipped = 0;
        loop {
            let body = match (&body.replay, body.stream.take()) {
                (_, Some(s)) => ReqBody::Stream {
                    expected: content_length(headers),
                    stream: s,
                    sent: 0,
                    asked: false,
                    progress: UploadProgress::new(),
                },
                (Some(b), None) => ReqBody::Full(Some(b.clone())),
                (None, None) => ReqBody::Empty,
            };
            let failure = match self
                .send(method, url, headers.clone(), body, settings)
                .await
            {
                Ok((res, conn)) => {
                    if res.status() == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
                        let proxies = self.inner.proxies.as_deref();
                        let forwarded = proxies
                            .filter(|_| !self.inner.routes.is_local(url))
                            .and_then(|p| p.forwarding(url));
                        if let Some(proxy) = forwarded {
                            return Err(proxy.refused_forward().with_url(url.as_str()));
                        }
                    }
                    let config = &self.inner.config;
                    return check_head_size(
                        res.headers(),
                        config.max_header_size,
                        config.max_header_count,
                    )
                    .and_then(
                        |()| match self.inner.routes.mock_refusal(url, res.headers()) {
                            Some(refused) => Err(refused),
                            None => Ok((res, conn)),
                        },
                    )
                    .map_err(|e| e.with_url(url.as_str()));
                }
                Err(failure) => failure,
            };
            let stale = failure.reused && failure.error.kind() == Kind::ConnectionClosed;
            let resendable = stale || failure.error.is_resendable_if_idempotent();
            let safe = failure.error.is_unprocessed() || (resendable && is_idempotent(method));
            if safe && replayable {
                // A dead pooled connection says nothing about the server, and the next pooled
                // one may be just as dead (a server closing all its idle connections at once):
                // each is skipped, and the pool drops it, so this ends with a fresh connection.
                if stale && stale_skipped < self.inner.config.limits.max_connections_per_host {
                    stale_skipped += 1;
                    continue;
                }
                if !resent {
                    resent = true;
                    continue;
                }
            }
            let error = if stale && !is_idempotent(method) {
                failure.error.explain(
                    "; the server may have processed the request, so it was not sent again (non-idempotent method)",
                )
            } else {
                failure.error
            };
            return Err(error.with_url(url.as_str()));
        }
    }

    /// One exchange on one connection: waits for the response head under the write and read
    /// timeouts, measured from the connection's own activity.
    ///
    /// A plain function returning its future: as an `async fn` it would hold `headers` and
    /// `body` twice (the arguments and the locals they move into), and the whole future is
    /// copied whenever a hop is sent. For the same reason the request is built after the
    /// protocol gate's wait, not held across it.
    #[allow(clippy::manual_async_fn)] // deliberately not an `async fn`, see above
    fn send<'a>(
        &'a self,
        method: &'a Method,
        url: &'a Url,
        mut headers: HeaderMap,
        body: ReqBody,
        settings: &'a Effective,
    ) -> impl Future<Output = Result<(http::Response<Incoming>, Option<InFlight>), SendFailure>> + 'a
    {
        async move {
            if let Some(proxies) = &self.inner.proxies {
                // A local socket (socketPath, a mock server) is never reached through the proxy.
                if !self.inner.routes.is_local(url) {
                    proxies.add_forward_headers(url, &mut headers);
                }
            }
            let uri: http::Uri = url.as_str().parse().map_err(|e| {
                SendFailure::fresh(Error::invalid(format!("invalid URL {url}: {e}")))
            })?;
            let upload = match &body {
                ReqBody::Stream { progress, .. } => Some(progress.clone()),
                _ => None,
            };
            let probe = match &self.inner.protocols {
                Some(gate) if url.scheme() == "https" => {
                    gate.enter(&url.origin().ascii_serialization()).await
                }
                _ => None,
            };
            // In a block of its own: a request that has been borrowed would otherwise keep its
            // place in the future after it moved into hyper's.
            let (exchange, capture) = {
                let mut req = http::Request::new(body);
                *req.method_mut() = method.clone();
                *req.uri_mut() = uri;
                *req.headers_mut() = headers;
                add_default_headers(req.headers_mut(), settings, self.inner.user_agent.as_ref());
                let capture = capture_connection(&mut req);
                (self.inner.hyper.request(req), capture)
            };
            let pool_key = self.inner.routes.pool_key(url);
            let queued = pool_key.as_deref().map(|key| self.inner.pool.queue(key));
            let connect = ConnectTimeouts {
                connect: settings.connect_timeout,
                pool: settings.pool_timeout,
                pool_key,
            };
            let marks = Marks::for_exchange();
            let mut fut = std::pin::pin!(TIMEOUTS.scope(connect, opening(marks.scope(exchange))));

            // The request counts as in flight from the moment it has a connection, so idle expiry
            // never closes a connection whose response has yet to arrive. hyper-util hands the
            // connection over while `fut` is polled, so it is looked for after each poll.
            let conn = std::future::poll_fn(|cx| match fut.as_mut().poll(cx) {
                Poll::Ready(res) => Poll::Ready(Err(res)),
                Poll::Pending => match capture.connection_metadata().as_ref() {
                    Some(meta) => Poll::Ready(Ok(conn_shared(meta).map(|c| claim(c, Some(meta))))),
                    None => Poll::Pending,
                },
            })
            .await;
            drop(queued);
            if let Some(probe) = probe {
                probe.finish(capture.connection_metadata().as_ref().and_then(conn_shared));
            }
            let conn = match conn {
                Ok(conn) => {
                    marks.acquired(conn.as_ref().map(InFlight::conn));
                    conn
                }
                Err(res) => {
                    // Handed over and answered within one poll (the connection's task runs on
                    // another thread).
                    let handed = res
                        .as_ref()
                        .ok()
                        .and_then(|r| r.extensions().get::<ConnHandle>())
                        .map(|h| &*h.0);
                    if handed.is_some() {
                        marks.acquired(handed);
                    }
                    marks.settle(handed, res.is_ok());
                    return finish(res, None, &capture);
                }
            };
            let started = Instant::now();
            // The pool handed over a connection that was already discarded (closing): see
            // `ORPHAN_GRACE`.
            let mut dying = conn.as_ref().is_some_and(|c| c.conn().is_discarded());
            loop {
                let wait = head_wait(
                    conn.as_ref().map(InFlight::conn),
                    started,
                    upload.as_ref(),
                    settings.read_timeout,
                    settings.write_timeout,
                );
                if let Some((left, phase, ms)) = wait {
                    if left.is_zero() {
                        marks.settle(conn.as_ref().map(InFlight::conn), false);
                        return Err(SendFailure::fresh(Error::timeout(phase, ms)));
                    }
                } else if !dying {
                    let res = fut.await;
                    marks.settle(conn.as_ref().map(InFlight::conn), res.is_ok());
                    return finish(res, conn, &capture);
                }
                let left = wait.map_or(Duration::MAX, |(left, ..)| left);
                // select! builds every branch's future: the timer only starts when polled.
                let grace = async { tokio::time::sleep(ORPHAN_GRACE).await };
                tokio::select! {
                    biased;
                    res = &mut fut => {
                        marks.settle(conn.as_ref().map(InFlight::conn), res.is_ok());
                        return finish(res, conn, &capture);
                    }
                    _ = tokio::time::sleep(left) => {}
                    () = grace, if dying => {
                        // hyper-util resends a request its connection closed before taking
                        // it; the capture then names the new connection, which is alive.
                        let current = capture.connection_metadata().as_ref().and_then(conn_shared);
                        if current.is_some_and(|c| c.is_discarded()) {
                            marks.settle(conn.as_ref().map(InFlight::conn), false);
                            discard_connection(&capture, None);
                            return Err(SendFailure { error: orphaned(), reused: true });
                        }
                        dying = false;
                    }
                }
            }
        }
    }
}

/// How long a request handed a connection that was already discarded (closed by the engine
/// while idle: a `MockAgent` route change) may wait for hyper to answer it. hyper answers such
/// a request at once when the connection's task ends, normally with an error on which
/// hyper-util's pool sends it on another connection (a local or loopback one, for a route
/// change, opened well within this grace); but when the request reached the connection's queue
/// in the instant the task shut down, hyper 1.x never answers it (a race of its HTTP/1
/// dispatcher with tokio's channel, hyperium/hyper#4122) and it would wait for the read
/// timeout. Past this grace the request is taken back and fails as on a stale pooled
/// connection: resent at once when its method is idempotent. (A connection refuses writes once
/// discarded, so such a request was almost surely never sent; but the discard may have come
/// just after hyper wrote it, so a POST is not resent.)
const ORPHAN_GRACE: Duration = Duration::from_millis(100);

/// The error of a request taken back under [`ORPHAN_GRACE`].
fn orphaned() -> Error {
    Error::new(
        Kind::ConnectionClosed,
        "the pool handed over a connection as it closed, and no answer came on it",
    )
    .with_phase(Phase::Headers)
}

/// `Accept-Encoding` when bodies are decoded, and the client's `User-Agent`, unless the
/// request set its own.
fn add_default_headers(
    headers: &mut HeaderMap,
    settings: &Effective,
    user_agent: Option<&HeaderValue>,
) {
    if settings.decompress && !headers.contains_key(header::ACCEPT_ENCODING) {
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static(crate::decode::ACCEPT_ENCODING),
        );
    }
    if let Some(ua) = user_agent {
        if !headers.contains_key(header::USER_AGENT) {
            headers.insert(header::USER_AGENT, ua.clone());
        }
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Marks the request as using the connection `shared` describes; one that reached its age or
/// request limit is poisoned through `connected`, its hyper-util metadata, so hyper-util's pool
/// never hands it out again.
fn claim(shared: Arc<ConnShared>, connected: Option<&Connected>) -> InFlight {
    let conn = InFlight::new(shared);
    if let (true, Some(connected)) = (conn.retiring(), connected) {
        connected.poison();
    }
    conn
}

/// The request's claim on the connection that answered, named by the response (as the timings
/// read it): the claim made at the handover when it is that connection, else a new one. The
/// response can arrive in the very poll that hands the connection over, and hyper-util resends
/// a request on another connection when the pooled one it took closed before the request left;
/// either way every response is claimed once, on its own connection.
fn claim_responder(
    claimed: Option<InFlight>,
    res: &http::Response<Incoming>,
    capture: &CaptureConnection,
) -> Option<InFlight> {
    let Some(ConnHandle(responder)) = res.extensions().get::<ConnHandle>() else {
        return claimed;
    };
    match claimed {
        Some(conn) if std::ptr::eq(conn.conn(), &**responder) => Some(conn),
        // hyper-util records each connection it tries, so the capture holds the responder's.
        _ => Some(claim(
            responder.clone(),
            capture.connection_metadata().as_ref(),
        )),
    }
}

fn conn_shared(connected: &Connected) -> Option<Arc<ConnShared>> {
    let mut ext = http::Extensions::new();
    connected.get_extras(&mut ext);
    ext.get::<ConnHandle>().map(|h| h.0.clone())
}

/// How much longer to wait for the head, and which timeout that is. While a write is blocked
/// the write timeout runs; otherwise the read timeout runs from the request's last write. On
/// HTTP/1.1 that is the connection's last write. On HTTP/2 the connection's writes belong to
/// every stream (and to PING acks), so they would keep pushing one request's deadline back:
/// there the timeout runs from the request's own send, or for a streamed body from the body's
/// own last chunk (its end, once it has ended).
fn head_wait(
    conn: Option<&ConnShared>,
    started: Instant,
    upload: Option<&UploadProgress>,
    read: Option<Duration>,
    write: Option<Duration>,
) -> Option<(Duration, Phase, u64)> {
    if let (Some(limit), Some(blocked)) = (write, conn.and_then(ConnShared::write_blocked_for)) {
        return Some((
            limit.saturating_sub(blocked),
            Phase::Write,
            limit.as_millis() as u64,
        ));
    }
    let limit = read?;
    let waited = match (conn, upload) {
        (Some(c), _) if !c.is_h2() => c.since_last_write().min(started.elapsed()),
        (_, Some(upload)) => upload.idle().min(started.elapsed()),
        _ => started.elapsed(),
    };
    Some((
        limit.saturating_sub(waited),
        Phase::Headers,
        limit.as_millis() as u64,
    ))
}

fn finish(
    res: Result<http::Response<Incoming>, hyper_util::client::legacy::Error>,
    conn: Option<InFlight>,
    capture: &CaptureConnection,
) -> Result<(http::Response<Incoming>, Option<InFlight>), SendFailure> {
    match res {
        Ok(res) if has_ambiguous_length(&res) => {
            discard_connection(capture, claim_responder(conn, &res, capture).as_ref());
            Err(SendFailure::fresh(
                Error::new(
                    Kind::Protocol,
                    "response has both Content-Length and Transfer-Encoding (RFC 9112 section 6.3: \
                     a possible response-splitting attempt); its connection was closed, not reused",
                )
                .with_phase(Phase::Headers),
            ))
        }
        Ok(res) if res.status() == StatusCode::SWITCHING_PROTOCOLS => Err(SendFailure::fresh(
            Error::new(
                Kind::Protocol,
                "server answered 101 Switching Protocols to a request that asked for no upgrade",
            )
            .with_phase(Phase::Headers),
        )),
        Ok(res) => {
            let conn = claim_responder(conn, &res, capture);
            if let (Some(conn), Some(secs)) = (&conn, keep_alive_hint(res.headers())) {
                conn.conn().apply_keep_alive_hint(secs);
            }
            Ok((res, conn))
        }
        Err(e) => {
            let phase = if e.is_connect() {
                Phase::Connect
            } else {
                Phase::Headers
            };
            // The error may arrive before this task saw which connection it got; hyper-util
            // then still knows it.
            let reused = match &conn {
                Some(c) => c.reused(),
                None => e
                    .connect_info()
                    .and_then(conn_shared)
                    .is_some_and(|c| c.used_before()),
            };
            Err(SendFailure {
                error: crate::classify::hyper_error(&e, phase).with_source(e),
                reused,
            })
        }
    }
}

/// True for an HTTP/1 response that frames its body two ways. hyper decodes it as chunked and
/// would keep the connection, but whatever follows the body on that connection may be a second,
/// smuggled response.
fn has_ambiguous_length(res: &http::Response<Incoming>) -> bool {
    res.version() < Version::HTTP_2
        && res.headers().contains_key(header::TRANSFER_ENCODING)
        && res.headers().contains_key(header::CONTENT_LENGTH)
}

/// Makes sure a connection is never used again: the pool will not hand it out, and the transport
/// reports end of stream so hyper closes the socket now rather than when the pool reaps it.
fn discard_connection(capture: &CaptureConnection, conn: Option<&InFlight>) {
    if let Some(connected) = capture.connection_metadata().as_ref() {
        connected.poison();
    }
    if let Some(conn) = conn {
        conn.conn().discard();
    }
}

/// Enforces `max_header_size` exactly, and `max_header_count` on HTTP/2 (hyper enforces it on
/// HTTP/1). hyper bounds its read buffer by the same size but checks it only while a head is
/// incomplete, so a head that arrives in one read can exceed it; h2 is given a looser cap (see
/// `H2_HEADER_LIST_FACTOR`).
fn check_head_size(headers: &HeaderMap, max: usize, max_count: usize) -> Result<(), Error> {
    if headers.len() > max_count {
        return Err(Error::new(
            Kind::HeadersTooLarge,
            format!("response head has {} fields, over maxHeaderCount ({max_count}); raise the limit if this server is trusted", headers.len()),
        )
        .with_phase(Phase::Headers));
    }
    // Each field costs its name, its value, ": " and CRLF on the wire.
    let size: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if size > max {
        return Err(Error::new(
            Kind::HeadersTooLarge,
            format!("response head is {size} bytes, over maxHeaderSize ({max}); raise the limit if this server is trusted"),
        )
        .with_phase(Phase::Headers));
    }
    Ok(())
}

/// The `timeout=N` parameter of a `Keep-Alive` response header.
fn keep_alive_hint(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get("keep-alive")?.to_str().ok()?;
    value.split(',').find_map(|param| {
        let (key, val) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("timeout")
            .then(|| val.trim().parse().ok())?
    })
}

impl Response {
    /// Reads the whole body into memory.
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        Ok(Bytes::from(self.body.read_to_end(Vec::new()).await?))
    }
}
