//! Opening connections: pool slots (total and per origin, from [`crate::pool`]), DNS, TCP and
//! TLS with ALPN, each step under the connect timeout and reported with its own phase.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;

use crate::conn::{Conn, Stream};
use crate::error::{BoxError, Error, Kind, Phase};
use crate::pool::Pool;

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
}

/// Opens connections for hyper-util's pool. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Connector {
    inner: Arc<Inner>,
}

struct Inner {
    config: ConnectorConfig,
    tls: TlsConnector,
}

impl Connector {
    pub(crate) fn new(config: ConnectorConfig) -> Self {
        Connector {
            inner: Arc::new(Inner {
                tls: TlsConnector::from(config.tls.clone()),
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
        Box::pin(async move { inner.connect(uri, timeouts).await.map_err(BoxError::from) })
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

        let slots = self
            .config
            .pool
            .acquire(https, &host, port, timeouts.pool)
            .await?;

        let deadline = timeouts.connect.map(|d| (Instant::now() + d, d));
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

    async fn tcp(
        &self,
        host: &str,
        port: u16,
        deadline: Option<(Instant, Duration)>,
    ) -> Result<TcpStream, Error> {
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => within(deadline, Phase::Dns, tokio::net::lookup_host((host, port)))
                .await?
                .map_err(|e| {
                    Error::new(Kind::Dns, format!("could not resolve host {host}: {e}"))
                        .with_phase(Phase::Dns)
                        .with_source(e)
                })?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(
                Error::new(Kind::Dns, format!("host {host} resolved to no address"))
                    .with_phase(Phase::Dns),
            );
        }
        let mut last = None;
        for addr in addrs {
            match within(deadline, Phase::Connect, TcpStream::connect(addr)).await? {
                Ok(tcp) => {
                    let _ = tcp.set_nodelay(true);
                    return Ok(tcp);
                }
                Err(e) => last = Some((addr, e)),
            }
        }
        let (addr, e) = last.expect("at least one address was tried");
        Err(
            Error::new(Kind::Connect, format!("could not connect to {addr}: {e}"))
                .with_phase(Phase::Connect)
                .with_source(e),
        )
    }

    async fn tls_handshake(
        &self,
        host: &str,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Error> {
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

/// Runs `fut` until `deadline`, failing with a timeout in `phase` after it.
async fn within<F: Future>(
    deadline: Option<(Instant, Duration)>,
    phase: Phase,
    fut: F,
) -> Result<F::Output, Error> {
    match deadline {
        Some((at, total)) => tokio::time::timeout_at(at, fut).await.map_err(|_| {
            let mut err = Error::timeout(phase, total.as_millis() as u64);
            if phase != Phase::Pool {
                err = Error::new(
                    Kind::Timeout,
                    format!(
                        "connect timeout of {} ms elapsed during {}",
                        total.as_millis(),
                        phase.as_str()
                    ),
                )
                .with_phase(phase);
            }
            err
        }),
        None => Ok(fut.await),
    }
}
