//! Client configuration: plain data with finite, safe defaults, validated once by
//! [`Config::validate`] when a [`crate::Client`] is built.

use std::time::Duration;

use crate::dial::DnsOptions;
use crate::error::Error;
use crate::proxy::ProxyOptions;
use crate::ratelimit::RateLimit;
use crate::retry::{RetryBudget, RetryPolicy};

/// Per-phase timeouts. `None` disables a timeout; every default is finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// DNS, TCP connect and TLS handshake of one new connection. Default 10 s.
    pub connect: Option<Duration>,
    /// Longest wait for the response head after the request was sent, and longest gap
    /// between two pieces of the response body. Default 30 s.
    pub read: Option<Duration>,
    /// Longest time the request may stay blocked while it is being written. Default 30 s.
    pub write: Option<Duration>,
    /// Longest wait for a connection slot when the pool is at its limits. Default 30 s.
    pub pool: Option<Duration>,
    /// The whole request: redirects, head and body. Default 300 s.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Some(Duration::from_secs(10)),
            read: Some(Duration::from_secs(30)),
            write: Some(Duration::from_secs(30)),
            pool: Some(Duration::from_secs(30)),
            total: Some(Duration::from_secs(300)),
        }
    }
}

/// Connection pool limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections across all origins. Default 1024.
    pub max_connections: usize,
    /// Open connections to one origin (scheme, host, port). Default 128.
    pub max_connections_per_host: usize,
    /// How long an idle connection is kept. Default 4 s: below the 5 s keep-alive of Node
    /// servers, so the client never reuses a connection the server is about to close. A
    /// shorter `Keep-Alive: timeout=N` hint from the server wins for that connection.
    pub keep_alive_timeout: Duration,
    // Idle caps and connection lifetime (crate::pool).
    /// Idle connections kept across all origins; when one more goes idle, the least recently
    /// used closes. `Some(0)` keeps none. `None` (the default): `max_connections`.
    pub max_idle_connections: Option<usize>,
    /// Idle connections kept per origin; one more returned to the pool closes. `Some(0)`
    /// disables keep-alive. `None` (the default): `max_connections_per_host`.
    pub max_idle_connections_per_host: Option<usize>,
    /// Age after which a connection takes no new request: it finishes what it carries and
    /// closes. `None` (the default) keeps connections as long as they are used.
    pub max_connection_age: Option<Duration>,
    /// Requests after which a connection takes no new request and closes once they are done.
    /// `None` (the default) sets no limit.
    pub max_requests_per_connection: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            max_connections_per_host: 128,
            keep_alive_timeout: Duration::from_secs(4),
            max_idle_connections: None,
            max_idle_connections_per_host: None,
            max_connection_age: None,
            max_requests_per_connection: None,
        }
    }
}

impl Limits {
    /// [`Limits::max_idle_connections`] with its default resolved.
    pub(crate) fn idle_cap(&self) -> usize {
        self.max_idle_connections.unwrap_or(self.max_connections)
    }

    /// [`Limits::max_idle_connections_per_host`] with its default resolved.
    pub(crate) fn idle_cap_per_host(&self) -> usize {
        self.max_idle_connections_per_host
            .unwrap_or(self.max_connections_per_host)
    }
}

/// What to do with a 3xx response that has a `Location`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedirectMode {
    /// Follow up to [`Config::max_redirects`] redirects (default).
    #[default]
    Follow,
    /// Return the 3xx response as it is.
    Manual,
    /// Fail with a redirect error.
    Error,
}

/// A TLS protocol version the client may negotiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// TLS settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// Verify the server's certificate and host name. Default true.
    pub verify: bool,
    /// Extra trusted CA certificates (PEM), added to the built-in Mozilla roots.
    pub ca: Vec<String>,
    /// Client certificate chain (PEM) for mutual TLS.
    pub cert: Option<String>,
    /// Client private key (PEM) for mutual TLS.
    pub key: Option<String>,
    /// Also trust the certificates in the file named by `NODE_EXTRA_CA_CERTS`. Default true.
    pub use_node_extra_ca_certs: bool,
    /// Also trust the operating system's certificate store (as Node's `--use-system-ca`).
    /// Default false.
    pub use_system_ca: bool,
    /// Name sent as SNI and verified against the certificate instead of the URL's host.
    pub server_name: Option<String>,
    /// Lowest protocol version offered. Default TLS 1.2.
    pub min_version: TlsVersion,
    /// Highest protocol version offered. Default TLS 1.3.
    pub max_version: TlsVersion,
    /// SHA-256 digests of trusted SubjectPublicKeyInfos. When not empty, a verified chain must
    /// also contain one of these keys (the leaf, an intermediate or the trust anchor).
    pub pins: Vec<[u8; 32]>,
    // Client certificate from a PKCS#12 file or an encrypted key (Node's `pfx`, `passphrase`).
    /// Client certificate and key as one PKCS#12 (PFX) file, instead of `cert` and `key`.
    pub pfx: Option<Vec<u8>>,
    /// Passphrase of `pfx` or of an encrypted (PKCS#8) `key`.
    pub passphrase: Option<String>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            verify: true,
            ca: Vec::new(),
            cert: None,
            key: None,
            use_node_extra_ca_certs: true,
            use_system_ca: false,
            server_name: None,
            min_version: TlsVersion::Tls12,
            max_version: TlsVersion::Tls13,
            pins: Vec::new(),
            pfx: None,
            passphrase: None,
        }
    }
}

/// Everything a [`crate::Client`] is built from.
///
/// ```
/// use hyperhttp_core::Config;
/// let mut config = Config::default();
/// config.limits.max_connections_per_host = 16;
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Timeouts (client defaults; each can be overridden per request).
    pub timeouts: Timeouts,
    /// Pool limits.
    pub limits: Limits,
    /// Offer HTTP/2 through ALPN on TLS connections. Default true.
    pub http2: bool,
    /// Speak HTTP/2 without negotiation: h2c on `http:`, h2 without ALPN fallback on `https:`.
    pub http2_prior_knowledge: bool,
    /// TLS settings.
    pub tls: TlsOptions,
    /// Decode gzip, deflate, br and zstd bodies and send `Accept-Encoding`. Default true.
    pub decompress: bool,
    /// Cap on the decoded size of a compressed body, in bytes. Default 256 MiB.
    pub max_decoded_body_size: u64,
    /// Cap on the size of the response head, in bytes. Default 64 KiB.
    pub max_header_size: usize,
    /// Cap on the number of response header fields. Default 256.
    pub max_header_count: usize,
    /// Redirect handling. Default follow.
    pub redirect: RedirectMode,
    /// Redirects followed before failing. Default 20.
    pub max_redirects: u32,
    /// Refuse `http:` URLs, including redirects from `https:` to `http:`.
    pub https_only: bool,
    /// `User-Agent` sent when the request has none. Default `hyperhttp/<version>`. A value that
    /// is not a valid header value makes [`crate::Client::new`] fail.
    pub user_agent: Option<String>,
    /// Retry policy. Default: idempotent requests retried twice with decorrelated jitter.
    pub retry: RetryPolicy,
    /// Retry budget shared by all requests of the client; `None` leaves retries unbounded.
    pub retry_budget: Option<RetryBudget>,
    /// Per-origin rate limit; `None` (the default) sends at any rate.
    pub rate_limit: Option<RateLimit>,
    /// Proxies; `None` (the default) connects directly.
    pub proxy: Option<ProxyOptions>,
    /// DNS and connections: `lookup`, address filter, DNS cache, Happy Eyeballs, local address.
    pub dns: DnsOptions,
    /// Keep an in-memory cookie jar ([`crate::MemoryJar`]) that every hop of every request
    /// reads and fills. Default false.
    pub cookie_jar: bool,
    /// Every connection goes over this Unix domain socket (a named pipe on Windows) instead
    /// of DNS and TCP; the URL still gives the Host header and path. Default none.
    pub socket_path: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeouts: Timeouts::default(),
            limits: Limits::default(),
            http2: true,
            http2_prior_knowledge: false,
            tls: TlsOptions::default(),
            decompress: true,
            max_decoded_body_size: 256 * 1024 * 1024,
            max_header_size: 64 * 1024,
            max_header_count: 256,
            redirect: RedirectMode::Follow,
            max_redirects: 20,
            https_only: false,
            user_agent: Some(concat!("hyperhttp/", env!("CARGO_PKG_VERSION")).to_owned()),
            retry: RetryPolicy::default(),
            retry_budget: Some(RetryBudget::default()),
            rate_limit: None,
            proxy: None,
            dns: DnsOptions::default(),
            cookie_jar: false,
            socket_path: None,
        }
    }
}

impl Config {
    /// Checks the values that cannot be expressed by types alone.
    pub fn validate(&self) -> Result<(), Error> {
        if self.limits.max_connections == 0 {
            return Err(Error::invalid("limits.maxConnections must be at least 1"));
        }
        if self.limits.max_connections_per_host == 0 {
            return Err(Error::invalid(
                "limits.maxConnectionsPerHost must be at least 1",
            ));
        }
        if self.limits.max_requests_per_connection == Some(0) {
            return Err(Error::invalid(
                "limits.maxRequestsPerConnection must be at least 1",
            ));
        }
        if self.max_header_size < 1024 {
            return Err(Error::invalid("maxHeaderSize must be at least 1024 bytes"));
        }
        if self.max_header_count == 0 {
            return Err(Error::invalid("maxHeaderCount must be at least 1"));
        }
        if let Some(limit) = &self.rate_limit {
            if !(limit.rate.is_finite() && limit.rate > 0.0) || limit.burst == 0 {
                return Err(Error::invalid(
                    "rateLimit.rate must be > 0 and rateLimit.burst at least 1",
                ));
            }
        }
        if let Some(budget) = &self.retry_budget {
            if !(budget.ratio.is_finite() && budget.ratio >= 0.0) || budget.window.is_zero() {
                return Err(Error::invalid(
                    "retry.budget.ratio must be >= 0 and retry.budget.window > 0",
                ));
            }
        }
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            return Err(Error::invalid(
                "tls.cert and tls.key must be given together for a client certificate",
            ));
        }
        if self.tls.pfx.is_some() && self.tls.cert.is_some() {
            return Err(Error::invalid(
                "tls.pfx and tls.cert/tls.key are two ways to give the client certificate: give one",
            ));
        }
        if self.tls.min_version > self.tls.max_version {
            return Err(Error::invalid(
                "tls.minVersion must not be higher than tls.maxVersion",
            ));
        }
        if let Some(name) = &self.tls.server_name {
            if rustls_pki_types::ServerName::try_from(name.as_str()).is_err() {
                return Err(Error::invalid(format!(
                    "tls.servername must be a DNS name or an IP address, got {name:?}"
                )));
            }
        }
        self.dns.validate()?;
        if let Some(path) = &self.socket_path {
            if path.is_empty() || path.contains('\0') {
                return Err(Error::invalid(
                    "socketPath must be a non-empty path without NUL characters",
                ));
            }
        }
        Ok(())
    }
}

/// Per-request overrides of the client's configuration. `None` keeps the client's value.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Override of [`Timeouts::connect`] for connections this request opens.
    pub connect_timeout: Option<Option<Duration>>,
    /// Override of [`Timeouts::pool`].
    pub pool_timeout: Option<Option<Duration>>,
    /// Override of [`Timeouts::read`] (`Some(None)` disables it).
    pub read_timeout: Option<Option<Duration>>,
    /// Override of [`Timeouts::write`].
    pub write_timeout: Option<Option<Duration>>,
    /// Override of [`Timeouts::total`].
    pub total_timeout: Option<Option<Duration>>,
    /// Override of [`Config::redirect`].
    pub redirect: Option<RedirectMode>,
    /// Override of [`Config::max_redirects`].
    pub max_redirects: Option<u32>,
    /// Override of [`Config::decompress`].
    pub decompress: Option<bool>,
    /// Override of [`Config::max_decoded_body_size`].
    pub max_decoded_body_size: Option<u64>,
    /// Override of [`RetryPolicy::max_retries`].
    pub max_retries: Option<u32>,
    /// Opt this request in to retries whatever its method (for example a POST the caller
    /// knows to be idempotent).
    pub retry_non_idempotent: Option<bool>,
}

/// The settings one request runs with: each [`RequestOptions`] override resolved over the
/// client's [`Config`]. Resolved once when the request starts (and again for the per-attempt
/// fields when a before-retry hook replaces the request), then read everywhere else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Effective {
    pub connect_timeout: Option<Duration>,
    pub pool_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    pub write_timeout: Option<Duration>,
    pub total_timeout: Option<Duration>,
    pub redirect: RedirectMode,
    pub max_redirects: u32,
    pub decompress: bool,
    pub max_decoded_body_size: u64,
    pub max_retries: u32,
    pub retry_non_idempotent: bool,
}

impl Effective {
    /// `options` over `config`.
    pub(crate) fn resolve(options: &RequestOptions, config: &Config) -> Effective {
        let timeouts = &config.timeouts;
        Effective {
            connect_timeout: options.connect_timeout.unwrap_or(timeouts.connect),
            pool_timeout: options.pool_timeout.unwrap_or(timeouts.pool),
            read_timeout: options.read_timeout.unwrap_or(timeouts.read),
            write_timeout: options.write_timeout.unwrap_or(timeouts.write),
            total_timeout: options.total_timeout.unwrap_or(timeouts.total),
            redirect: options.redirect.unwrap_or(config.redirect),
            max_redirects: options.max_redirects.unwrap_or(config.max_redirects),
            decompress: options.decompress.unwrap_or(config.decompress),
            max_decoded_body_size: options
                .max_decoded_body_size
                .unwrap_or(config.max_decoded_body_size),
            max_retries: options.max_retries.unwrap_or(config.retry.max_retries),
            retry_non_idempotent: options.retry_non_idempotent.unwrap_or(false),
        }
    }

    /// The settings of an attempt whose request a before-retry hook replaced: its own
    /// per-attempt settings, and this request's retry count and total timeout, which bound the
    /// whole request rather than one attempt.
    pub(crate) fn for_replacement(&self, options: &RequestOptions, config: &Config) -> Effective {
        Effective {
            total_timeout: self.total_timeout,
            max_retries: self.max_retries,
            retry_non_idempotent: self.retry_non_idempotent,
            ..Effective::resolve(options, config)
        }
    }
}
