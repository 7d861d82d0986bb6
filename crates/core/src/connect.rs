//! Opening connections: pool slots (total and per origin), DNS, TCP and TLS with ALPN, each
//! step under the connect timeout and reported with its own phase.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_rustls::TlsConnector;

use crate::conn::{Conn, Stream};
use crate::dial::{within, Deadline, Dialer, DnsOptions};
use crate::error::{BoxError, Error, Kind, Phase};
use crate::local::SocketIo;
use crate::proxy::{BoxIo, Hop, Proxies, Proxy, ProxyScheme};
use crate::route::{Dial, Routes};

tokio::task_local! {
    /// The requesting task's connect and pool timeouts. hyper-util calls the connector from
    /// inside the request's future, so a per-request override reaches it this way.
    pub(crate) static TIMEOUTS: ConnectTimeouts;
}

/// Connect and pool timeouts in force for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectTimeouts {
    pub connect: Option<Duration>,
    pub pool: Option<Duration>,
}

/// Size of the per-origin slot map at which origins without connections are forgotten.
const PRUNE_ORIGINS_AT: usize = 1024;

/// Settings the connector needs, fixed when the client is built.
pub(crate) struct ConnectorConfig {
    pub connect_timeout: Option<Duration>,
    pub pool_timeout: Option<Duration>,
    pub max_connections: usize,
    pub max_connections_per_host: usize,
    pub keep_alive_timeout: Duration,
    pub tls: Arc<rustls::ClientConfig>,
    /// Replaces the URL's host as SNI and verified name (`tls.servername`).
    pub server_name: Option<ServerName<'static>>,
    /// Every connection speaks HTTP/2 (prior knowledge).
    pub h2_only: bool,
    /// Proxies (`proxy` option) and the TLS configuration for `https:` proxies (HTTP/1.1 only).
    pub proxies: Option<Arc<Proxies>>,
    pub proxy_tls: Option<Arc<rustls::ClientConfig>>,
    /// Resolution, address filter, Happy Eyeballs and local address (dial.rs).
    pub dns: DnsOptions,
    /// Local sockets and mock servers that replace DNS and TCP (`route.rs`).
    pub routes: Arc<Routes>,
}

/// Opens connections for hyper-util's pool. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Connector {
    inner: Arc<Inner>,
}

struct Inner {
    config: ConnectorConfig,
    tls: TlsConnector,
    total: Arc<Semaphore>,
    per_origin: Mutex<HashMap<String, Arc<Semaphore>>>,
    proxy_tls: Option<TlsConnector>,
    dialer: Dialer,
}

impl Connector {
    pub(crate) fn new(config: ConnectorConfig) -> Self {
        Connector {
            inner: Arc::new(Inner {
                tls: TlsConnector::from(config.tls.clone()),
                total: Arc::new(Semaphore::new(config.max_connections)),
                per_origin: Mutex::new(HashMap::new()),
                proxy_tls: config.proxy_tls.clone().map(TlsConnector::from),
                dialer: Dialer::new(config.dns.clone()),
                config,
            }),
        }
    }
}

impl tower_service::Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let inner = self.inner.clone();
        let timeouts = TIMEOUTS.try_with(|t| *t).unwrap_or(ConnectTimeouts {
            connect: inner.config.connect_timeout,
            pool: inner.config.pool_timeout,
        });
        Box::pin(async move {
            let conn = inner.connect(uri, timeouts).await?;
            // Known to the routes, so a route change can close it while idle (`route.rs`).
            inner.config.routes.track(conn.shared());
            Ok(conn)
        })
    }
}

impl Inner {
    async fn connect(&self, uri: Uri, timeouts: ConnectTimeouts) -> Result<Conn, Error> {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            other => {
                return Err(Error::invalid(format!(
                    "unsupported URL scheme {other:?}: only http and https are supported"
                )))
            }
        };
        let host = uri
            .host()
            .ok_or_else(|| Error::invalid("URL has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if let Dial::Socket { path, tls } = self.config.routes.dial(https, &host, port)? {
            return self.connect_local(&host, &path, tls, timeouts).await;
        }

        let slots = self
            .acquire_slots(https, &host, port, timeouts.pool)
            .await?;

        let deadline = timeouts.connect.map(|d| (Instant::now() + d, d));
        if let Some((proxy, hop)) = self
            .config
            .proxies
            .as_deref()
            .and_then(|p| p.route(https, &host, port))
        {
            let (stream, h2) = self
                .through_proxy(proxy, hop, (https, &host, port), deadline)
                .await?;
            let conn = Conn::new(stream, h2, self.config.keep_alive_timeout, slots);
            return Ok(if hop == Hop::Forward {
                conn.forwarding()
            } else {
                conn
            });
        }
        let tcp = self.tcp(&host, port, deadline).await?;
        let (stream, h2) = if https {
            let tls = within(deadline, Phase::Tls, self.tls_handshake(&host, tcp)).await??;
            let h2 = self.config.h2_only || tls.get_ref().1.alpn_protocol() == Some(b"h2");
            (Stream::Tls(Box::new(TokioIo::new(tls))), h2)
        } else {
            (Stream::Plain(TokioIo::new(tcp)), self.config.h2_only)
        };
        Ok(Conn::new(stream, h2, self.config.keep_alive_timeout, slots))
    }

    /// Takes one slot of the total limit and one of the origin's, waiting up to the pool
    /// timeout. The slots are released when the connection closes.
    async fn acquire_slots(
        &self,
        https: bool,
        host: &str,
        port: u16,
        pool_timeout: Option<Duration>,
    ) -> Result<(OwnedSemaphorePermit, OwnedSemaphorePermit), Error> {
        let origin = {
            let key = format!("{}://{host}:{port}", if https { "https" } else { "http" });
            let mut map = self.per_origin.lock();
            if map.len() >= PRUNE_ORIGINS_AT && !map.contains_key(&key) {
                // Forget origins with no open connection, so a client that talks to many hosts
                // does not grow this map forever.
                let max = self.config.max_connections_per_host;
                map.retain(|_, sem| Arc::strong_count(sem) > 1 || sem.available_permits() < max);
            }
            map.entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.config.max_connections_per_host)))
                .clone()
        };
        let acquire = async {
            let origin = origin.acquire_owned().await;
            let total = self.total.clone().acquire_owned().await;
            match (origin, total) {
                (Ok(o), Ok(t)) => Ok((t, o)),
                _ => Err(Error::new(Kind::ClientClosed, "the client was closed")),
            }
        };
        match pool_timeout {
            Some(limit) => tokio::time::timeout(limit, acquire).await.map_err(|_| {
                Error::new(
                    Kind::Timeout,
                    format!(
                        "pool timeout of {} ms elapsed waiting for a connection to {host}:{port} \
                         (all connections busy; raise limits.maxConnectionsPerHost or timeout.pool)",
                        limit.as_millis()
                    ),
                )
                .with_phase(Phase::Pool)
            })?,
            None => acquire.await,
        }
    }

    /// A TCP connection to `host:port` (see [`Dialer::tcp`]).
    async fn tcp(&self, host: &str, port: u16, deadline: Deadline) -> Result<TcpStream, Error> {
        self.dialer.tcp(host, port, deadline).await
    }

    /// A connection over the local socket at `path`: all origins share its slots (one key per
    /// socket), and `tls` puts TLS for `host` over it.
    async fn connect_local(
        &self,
        host: &str,
        path: &str,
        tls: bool,
        timeouts: ConnectTimeouts,
    ) -> Result<Conn, Error> {
        let slots = self
            .acquire_slots(false, &format!("unix:{path}"), 0, timeouts.pool)
            .await?;
        let deadline = timeouts.connect.map(|d| (Instant::now() + d, d));
        let socket = within(deadline, Phase::Connect, crate::local::open(path))
            .await?
            .map_err(|e| {
                Error::new(
                    Kind::Connect,
                    format!("could not connect to socket {path}: {e}"),
                )
                .with_phase(Phase::Connect)
                .with_source(e)
            })?;
        let (stream, h2): (Box<dyn SocketIo>, bool) = if tls {
            let tls = within(deadline, Phase::Tls, self.tls_handshake(host, socket)).await??;
            let h2 = self.config.h2_only || tls.get_ref().1.alpn_protocol() == Some(b"h2");
            (Box::new(TokioIo::new(tls)), h2)
        } else {
            (Box::new(TokioIo::new(socket)), self.config.h2_only)
        };
        Ok(Conn::new(
            Stream::Local(stream),
            h2,
            self.config.keep_alive_timeout,
            slots,
        ))
    }

    async fn tls_handshake<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        host: &str,
        tcp: S,
    ) -> Result<tokio_rustls::client::TlsStream<S>, Error> {
        let name = match &self.config.server_name {
            Some(name) => name.clone(),
            None => ServerName::try_from(host.to_owned())
                .map_err(|e| Error::invalid(format!("host {host} is not valid for TLS: {e}")))?,
        };
        self.tls
            .connect(name, tcp)
            .await
            .map_err(|e| crate::tls::handshake_error(e, host))
    }
}

/// Connections through a proxy (the `proxy` option).
impl Inner {
    /// TCP to the proxy, TLS to it for an `https:` proxy, then (unless requests are forwarded)
    /// a tunnel to the target and, for an `https:` target, TLS with ALPN inside it. Returns the
    /// stream and whether it speaks HTTP/2.
    async fn through_proxy(
        &self,
        proxy: &Proxy,
        hop: Hop,
        (https, host, port): (bool, &str, u16),
        deadline: Option<(Instant, Duration)>,
    ) -> Result<(Stream, bool), Error> {
        // Where this side resolves the target (`socks5:`) or the URL holds a literal, the lookup
        // hook, the DNS cache and the address filter apply as for a direct connection, before
        // anything reaches the proxy. Names the proxy resolves itself never reach them.
        let socks_local = proxy.scheme == ProxyScheme::Socks5;
        let mut target = host.to_owned();
        if socks_local || host.parse::<IpAddr>().is_ok() {
            let addresses = self.dialer.resolve(host, deadline).await?;
            self.dialer.filter(host, &addresses, deadline).await?;
            if socks_local {
                target = addresses[0].to_string();
            }
        }
        let tcp = self.tcp(&proxy.host, proxy.port, deadline).await;
        let tcp = tcp.map_err(|e| proxy.explain(e))?;
        let io: BoxIo = match proxy.scheme {
            ProxyScheme::Https => {
                // Built by the client whenever a proxy is `https:`.
                let tls = self
                    .proxy_tls
                    .as_ref()
                    .ok_or_else(|| Error::new(Kind::Tls, "no TLS configuration for the proxy"))?;
                let name = ServerName::try_from(proxy.host.clone()).map_err(|e| {
                    Error::invalid(format!(
                        "proxy host {} is not valid for TLS: {e}",
                        proxy.host
                    ))
                })?;
                let handshake = tls.connect(name, tcp);
                let stream = within(deadline, Phase::Tls, handshake)
                    .await?
                    .map_err(|e| proxy.explain(crate::tls::handshake_error(e, &proxy.host)))?;
                Box::new(stream)
            }
            _ => Box::new(tcp),
        };
        if hop == Hop::Forward {
            return Ok((Stream::Proxied(TokioIo::new(io)), false));
        }
        let tunnel = within(deadline, Phase::Connect, proxy.tunnel(io, &target, port)).await??;
        if !https {
            return Ok((Stream::Proxied(TokioIo::new(tunnel)), self.config.h2_only));
        }
        let tls = within(deadline, Phase::Tls, self.tls_handshake(host, tunnel)).await??;
        let h2 = self.config.h2_only || tls.get_ref().1.alpn_protocol() == Some(b"h2");
        Ok((Stream::Proxied(TokioIo::new(Box::new(tls))), h2))
    }
}
