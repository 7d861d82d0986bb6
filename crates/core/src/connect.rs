//! Opening connections: pool slots (total and per origin, from [`crate::pool`]), DNS, TCP and
//! TLS with ALPN, each step under the connect timeout and reported with its own phase.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;

use crate::conn::{Conn, Socket, Stream, Transport};
use crate::dial::{within, Deadline, Dialer, DnsOptions};
use crate::error::{BoxError, Error, Kind, Phase};
use crate::pool::Pool;
use crate::proxy::{BoxIo, Hop, Proxies, Proxy, ProxyScheme};
use crate::route::{Dial, Routes};
use crate::runtime::Lane;
use crate::timings::Protocol;

tokio::task_local! {
    /// The requesting task's connect and pool timeouts. hyper-util calls the connector from
    /// inside the request's future, so a per-request override reaches it this way.
    pub(crate) static TIMEOUTS: ConnectTimeouts;
}

/// Connect and pool timeouts in force for one request.
#[derive(Debug, Clone)]
pub(crate) struct ConnectTimeouts {
    pub connect: Option<Duration>,
    pub pool: Option<Duration>,
    /// The hop's pool key (`Routes::pool_key`), already built for its queue count: a new
    /// connection takes its slots under it rather than spelling the origin again.
    pub pool_key: Option<String>,
}

/// Settings the connector needs, fixed when the client is built.
pub(crate) struct ConnectorConfig {
    pub connect_timeout: Option<Duration>,
    pub pool_timeout: Option<Duration>,
    pub keep_alive_timeout: Duration,
    pub tls: Arc<rustls::ClientConfig>,
    /// Replaces the URL's host as SNI and verified name (`tls.servername`).
    pub server_name: Option<ServerName<'static>>,
    /// Every connection speaks HTTP/2 (prior knowledge).
    pub h2_only: bool,
    /// Slots and live connections (crate::pool).
    pub pool: Arc<Pool>,
    /// Proxies (`proxy` option) and the TLS configuration for `https:` proxies (HTTP/1.1 only).
    pub proxies: Option<Arc<Proxies>>,
    pub proxy_tls: Option<Arc<rustls::ClientConfig>>,
    /// Resolution, address filter, Happy Eyeballs and local address (dial.rs).
    pub dns: DnsOptions,
    /// Connection events (diagnostics): who is told, if anyone.
    pub observers: Arc<crate::observe::Observers>,
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
    proxy_tls: Option<TlsConnector>,
    dialer: Dialer,
}

impl Connector {
    pub(crate) fn new(config: ConnectorConfig) -> Self {
        Connector {
            inner: Arc::new(Inner {
                tls: TlsConnector::from(config.tls.clone()),
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
        let timeouts = TIMEOUTS.try_with(Clone::clone).unwrap_or(ConnectTimeouts {
            connect: inner.config.connect_timeout,
            pool: inner.config.pool_timeout,
            pool_key: None,
        });
        let marks = crate::timings::Marks::current();
        Box::pin(async move {
            let res = inner.connect(&uri, timeouts, &marks).await;
            if let Err(error) = &res {
                crate::observe::failed(inner.config.observers.get(), &uri, error);
            }
            let conn = res?;
            crate::runtime::opened(conn.lane());
            // Known to the routes, so a route change can close it while idle (`route.rs`).
            inner.config.routes.track(conn.shared());
            Ok(conn)
        })
    }
}

impl Inner {
    async fn connect(
        &self,
        uri: &Uri,
        mut timeouts: ConnectTimeouts,
        marks: &crate::timings::Marks,
    ) -> Result<Conn, Error> {
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
        let dial = self.config.routes.dial(https, &host, port)?;
        let key = (timeouts.pool_key.take()).unwrap_or_else(|| dial.pool_key(https, &host, port));
        if let Dial::Socket { path, tls } = dial {
            return self
                .connect_local((&host, port), &path, &key, tls, timeouts, marks)
                .await;
        }

        let slots = self.config.pool.acquire(&key, timeouts.pool).await?;
        marks.slot();

        let deadline = timeouts.connect.map(|d| (Instant::now() + d, d));
        let observer = self.config.observers.get();
        let route = (self.config.proxies.as_deref()).and_then(|p| p.route(https, &host, port));
        let (stream, h2, forwarding, ends, lane) = match route {
            Some((proxy, hop)) => {
                let (stream, h2, lane) = self
                    .through_proxy(proxy, hop, (https, &host, port), deadline)
                    .await?;
                marks.connect();
                // The socket's ends are the proxy's business here; observers get the origin.
                let ends = observer.as_ref().map(|_| (None, None));
                (stream, h2, hop == Hop::Forward, ends, lane)
            }
            None => {
                let tcp = self.tcp(&host, port, deadline, marks).await?;
                marks.connect();
                let ends = observer
                    .as_ref()
                    .map(|_| (tcp.local_addr().ok(), tcp.peer_addr().ok()));
                let socket = Socket::new(tcp);
                let (stream, h2, lane) = if https {
                    let mut tls =
                        within(deadline, Phase::Tls, self.tls_handshake(&host, socket)).await??;
                    marks.tls();
                    let h2 = self.speaks_h2(&tls);
                    let lane = lane_for(h2, &host, port);
                    tls.get_mut().0.move_to(lane).map_err(lost)?;
                    (Stream::Tls(Box::new(TokioIo::new(tls))), h2, lane)
                } else {
                    let (mut socket, h2) = (socket, self.config.h2_only);
                    let lane = lane_for(h2, &host, port);
                    socket.move_to(lane).map_err(lost)?;
                    (Stream::Plain(TokioIo::new(socket)), h2, lane)
                };
                (stream, h2, false, ends, lane)
            }
        };
        let mut conn = Conn::new(stream, h2, self.config.keep_alive_timeout, slots).on_lane(lane);
        if forwarding {
            conn = conn.forwarding();
        }
        let mut observed = None;
        if let (Some(observer), Some((local, remote))) = (observer, ends) {
            let protocol = if h2 { Protocol::Http2 } else { Protocol::Http1 };
            let origin = crate::observe::origin_of(uri);
            let guard =
                crate::observe::opened(observer, conn.shared(), origin, protocol, local, remote);
            observed = Some(guard.id());
            conn.watch(guard);
        }
        marks.opened(conn.shared(), observed);
        Ok(conn)
    }

    /// A TCP connection to `host:port` (see [`Dialer::tcp`]), with the `dns` mark.
    async fn tcp(
        &self,
        host: &str,
        port: u16,
        deadline: Deadline,
        marks: &crate::timings::Marks,
    ) -> Result<TcpStream, Error> {
        let addresses = self.dialer.resolve(host, deadline).await?;
        if host.parse::<IpAddr>().is_err() {
            marks.dns();
        }
        self.dialer.filter(host, &addresses, deadline).await?;
        self.dialer.connect(host, &addresses, port, deadline).await
    }

    /// A connection over the local socket at `path` for the origin at `host` and `port`: all
    /// origins share its slots (`key`, one per socket), and `tls` puts TLS for `host` over it.
    /// An HTTP/2 connection moves to the origin's lane, as a TCP one does.
    async fn connect_local(
        &self,
        (host, port): (&str, u16),
        path: &str,
        key: &str,
        tls: bool,
        timeouts: ConnectTimeouts,
        marks: &crate::timings::Marks,
    ) -> Result<Conn, Error> {
        let slots = (self.config.pool).acquire(key, timeouts.pool).await?;
        marks.slot();
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
        marks.connect();
        let (stream, h2, lane): (Box<dyn Transport>, bool, Lane) = if tls {
            let mut tls = within(deadline, Phase::Tls, self.tls_handshake(host, socket)).await??;
            marks.tls();
            let h2 = self.speaks_h2(&tls);
            let lane = lane_for(h2, host, port);
            let lane = crate::local::move_to(tls.get_mut().0, lane).map_err(lost)?;
            (Box::new(TokioIo::new(tls)), h2, lane)
        } else {
            let (mut socket, h2) = (socket, self.config.h2_only);
            let lane =
                crate::local::move_to(&mut socket, lane_for(h2, host, port)).map_err(lost)?;
            (Box::new(TokioIo::new(socket)), h2, lane)
        };
        let conn = Conn::new(
            Stream::Boxed(stream),
            h2,
            self.config.keep_alive_timeout,
            slots,
        )
        .on_lane(lane);
        marks.opened(conn.shared(), None);
        Ok(conn)
    }

    /// True when a connection over `tls` speaks HTTP/2: this client speaks nothing else, or
    /// ALPN chose it.
    fn speaks_h2<S>(&self, tls: &tokio_rustls::client::TlsStream<S>) -> bool {
        self.config.h2_only || tls.get_ref().1.alpn_protocol() == Some(b"h2")
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

/// Where a connection to `host:port` runs once it is known whether it speaks HTTP/2: an
/// HTTP/2 connection on its origin's lane, HTTP/1.1 on the shared runtime (crate::runtime).
fn lane_for(h2: bool, host: &str, port: u16) -> Lane {
    match h2 {
        true => crate::runtime::http2_lane_here(host, port),
        false => Lane::Shared,
    }
}

/// The error of a connected socket that could not move to its connection's thread.
fn lost(e: std::io::Error) -> Error {
    Error::new(
        Kind::Connect,
        format!("could not hand the connection to its thread: {e}"),
    )
    .with_phase(Phase::Connect)
    .with_source(e)
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
    ) -> Result<(Stream, bool, Lane), Error> {
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
        let tcp = self.dialer.tcp(&proxy.host, proxy.port, deadline).await;
        let tcp = Socket::new(tcp.map_err(|e| proxy.explain(e))?);
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
        // The socket under the layers moves as a direct connection's does.
        if hop == Hop::Forward {
            let mut io = io;
            io.move_to(Lane::Shared).map_err(lost)?;
            return Ok((
                Stream::Boxed(Box::new(TokioIo::new(io))),
                false,
                Lane::Shared,
            ));
        }
        let mut tunnel =
            within(deadline, Phase::Connect, proxy.tunnel(io, &target, port)).await??;
        if !https {
            let h2 = self.config.h2_only;
            let lane = lane_for(h2, host, port);
            tunnel.move_to(lane).map_err(lost)?;
            return Ok((Stream::Boxed(Box::new(TokioIo::new(tunnel))), h2, lane));
        }
        let mut tls = within(deadline, Phase::Tls, self.tls_handshake(host, tunnel)).await??;
        let h2 = self.speaks_h2(&tls);
        let lane = lane_for(h2, host, port);
        tls.get_mut().0.move_to(lane).map_err(lost)?;
        Ok((Stream::Boxed(Box::new(TokioIo::new(tls))), h2, lane))
    }
}
