//! Proxies: which proxy (if any) a target goes through (the proxy URLs and `NO_PROXY`), and the
//! handshakes that open a tunnel through one: HTTP `CONNECT` and SOCKS5 (RFC 1928) with
//! username/password authentication (RFC 1929). Credentials from a proxy URL go to the proxy
//! only, and every message shows the URL with its password masked.
//!
//! SOCKS5 is written here rather than taken from a crate: the client side is three small
//! exchanges, and owning them gives each failure its own error (kind, message, reply code)
//! under the connection's own timeout, with no new dependency.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::percent_decode_str;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use url::Url;

use crate::config::TlsOptions;
use crate::conn::Socket;
use crate::error::{Error, Kind, Phase};
use crate::runtime::Lane;

/// The proxies of a client. An explicit proxy sets `http` and `https` to the same URL; the
/// environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) is read by the caller
/// and passed here as it is.
///
/// ```
/// use hyperhttp_core::{Config, ProxyOptions};
/// let mut config = Config::default();
/// config.proxy = Some(ProxyOptions {
///     http: Some("http://user:secret@127.0.0.1:3128".into()),
///     https: Some("http://user:secret@127.0.0.1:3128".into()),
///     no_proxy: Some("localhost, .internal.example, 10.0.0.0/8".into()),
///     ..ProxyOptions::default()
/// });
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyOptions {
    /// Proxy URL for `http:` targets (`http:`, `https:`, `socks5:` or `socks5h:`).
    pub http: Option<String>,
    /// Proxy URL for `https:` targets.
    pub https: Option<String>,
    /// Extra headers for the proxy: sent with each `CONNECT`, and with each request forwarded
    /// to an `http:` target through an HTTP proxy.
    pub headers: Vec<(String, String)>,
    /// Targets that go direct: a comma-separated list of host names, domain suffixes
    /// (`example.com` and `.example.com` both match the domain and its subdomains), `*`, IP
    /// addresses, CIDR ranges, each optionally with `:port`. Entries that are none of these
    /// are ignored, as curl ignores them.
    pub no_proxy: Option<String>,
}

/// TLS to an `https:` proxy: the client's trusted roots and verification settings, HTTP/1.1
/// only (the handshake and forwarded requests are HTTP/1.1), and neither the origin's pins nor
/// its client certificate, which belong to the origin.
pub(crate) fn tls_config(origin: &TlsOptions) -> Result<Arc<rustls::ClientConfig>, Error> {
    let opts = TlsOptions {
        pins: Vec::new(),
        cert: None,
        key: None,
        server_name: None,
        ..origin.clone()
    };
    crate::tls::client_config(&opts, vec![b"http/1.1".to_vec()])
}

/// Largest response head accepted from a proxy answering `CONNECT`.
const MAX_CONNECT_HEAD: usize = 64 * 1024;

/// A proxied connection's stream: TCP, TLS to the proxy, a tunnel, or TLS inside a tunnel.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {
    /// Moves the socket under every layer to `lane`'s reactor, as for a direct connection
    /// (an HTTP/2 connection runs on its origin's lane, [`crate::runtime`]).
    fn move_to(&mut self, lane: Lane) -> io::Result<()>;
}

/// A boxed [`Io`]; only proxied connections pay for the indirection.
pub(crate) type BoxIo = Box<dyn Io>;

impl Io for Socket {
    fn move_to(&mut self, lane: Lane) -> io::Result<()> {
        Socket::move_to(self, lane)
    }
}

impl<S: Io> Io for tokio_rustls::client::TlsStream<S> {
    fn move_to(&mut self, lane: Lane) -> io::Result<()> {
        self.get_mut().0.move_to(lane)
    }
}

impl<S: Io> Io for BufReader<S> {
    fn move_to(&mut self, lane: Lane) -> io::Result<()> {
        self.get_mut().move_to(lane)
    }
}

impl Io for BoxIo {
    fn move_to(&mut self, lane: Lane) -> io::Result<()> {
        (**self).move_to(lane)
    }
}

/// How a proxy is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProxyScheme {
    Http,
    /// HTTP with TLS to the proxy itself.
    Https,
    /// SOCKS5 with names resolved locally.
    Socks5,
    /// SOCKS5 with names resolved by the proxy.
    Socks5h,
}

/// How a request reaches its target through a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hop {
    /// The request goes to the proxy in absolute form (`http:` targets, HTTP proxies).
    Forward,
    /// A tunnel (`CONNECT` or SOCKS5) to the target carries the connection.
    Tunnel,
}

/// One parsed proxy.
#[derive(Debug)]
pub(crate) struct Proxy {
    pub scheme: ProxyScheme,
    /// Host name or IP address, without brackets.
    pub host: String,
    pub port: u16,
    credentials: Option<(String, String)>,
    /// `Proxy-Authorization` from the URL's credentials (HTTP proxies).
    authorization: Option<HeaderValue>,
    headers: HeaderMap,
    /// The URL as shown in messages: the password masked.
    shown: String,
}

/// The proxies of one client and the targets that bypass them.
#[derive(Debug)]
pub(crate) struct Proxies {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: NoProxy,
    /// `http:` targets are tunnelled rather than forwarded: HTTP/2 prior knowledge cannot be
    /// forwarded by an HTTP/1.1 proxy.
    tunnel_plain: bool,
}

impl Proxies {
    /// Parses `options`; a bad proxy URL or header is an invalid-argument error whose message
    /// never holds the password.
    pub(crate) fn new(options: &ProxyOptions, h2_prior_knowledge: bool) -> Result<Self, Error> {
        let mut headers = HeaderMap::new();
        for (name, value) in &options.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid(format!("proxy header name {name:?} is not valid")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::invalid(format!("proxy header {name} has a value that is not valid"))
            })?;
            headers.append(name, value);
        }
        let parse = |url: &Option<String>| {
            url.as_deref()
                .map(|u| Proxy::parse(u, headers.clone()))
                .transpose()
        };
        Ok(Proxies {
            http: parse(&options.http)?,
            https: parse(&options.https)?,
            no_proxy: NoProxy::parse(options.no_proxy.as_deref().unwrap_or("")),
            tunnel_plain: h2_prior_knowledge,
        })
    }

    /// The proxy a target goes through and how, or `None` to connect directly. `host` may be
    /// bracketed (an IPv6 URL host).
    pub(crate) fn route(&self, https: bool, host: &str, port: u16) -> Option<(&Proxy, Hop)> {
        let proxy = if https { &self.https } else { &self.http }.as_ref()?;
        if self.no_proxy.matches(host, port) {
            return None;
        }
        let http_proxy = matches!(proxy.scheme, ProxyScheme::Http | ProxyScheme::Https);
        let hop = if !https && http_proxy && !self.tunnel_plain {
            Hop::Forward
        } else {
            Hop::Tunnel
        };
        Some((proxy, hop))
    }

    /// True when some proxy needs TLS to itself.
    pub(crate) fn any_https(&self) -> bool {
        [&self.http, &self.https]
            .into_iter()
            .flatten()
            .any(|p| p.scheme == ProxyScheme::Https)
    }

    /// The HTTP proxy that requests to `url` are forwarded to, if any.
    pub(crate) fn forwarding(&self, url: &Url) -> Option<&Proxy> {
        let (host, port) = (url.host_str()?, url.port_or_known_default()?);
        match self.route(url.scheme() == "https", host, port)? {
            (proxy, Hop::Forward) => Some(proxy),
            (_, Hop::Tunnel) => None,
        }
    }

    /// Adds the proxy's headers to a request forwarded to `url` through an HTTP proxy; other
    /// requests are left alone, so proxy credentials never reach an origin.
    pub(crate) fn add_forward_headers(&self, url: &Url, headers: &mut HeaderMap) {
        if let Some(proxy) = self.forwarding(url) {
            proxy.add_headers(headers);
        }
    }
}

impl Proxy {
    fn parse(raw: &str, headers: HeaderMap) -> Result<Proxy, Error> {
        let refuse = |why: &str| Error::invalid(format!("proxy URL {} {why}", mask(raw)));
        let url = Url::parse(raw).map_err(|e| refuse(&format!("is not a valid URL: {e}")))?;
        let (scheme, default_port) = match url.scheme() {
            "http" => (ProxyScheme::Http, 80),
            "https" => (ProxyScheme::Https, 443),
            "socks5" => (ProxyScheme::Socks5, 1080),
            "socks5h" => (ProxyScheme::Socks5h, 1080),
            other => {
                return Err(refuse(&format!(
                    "has the unsupported scheme {other}:; use http:, https:, socks5: or socks5h:"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| refuse("has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port().unwrap_or(default_port);
        let decode = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| refuse("has credentials that are not UTF-8 once percent-decoded"))
        };
        let credentials = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            Some((
                decode(url.username())?,
                decode(url.password().unwrap_or(""))?,
            ))
        };
        let socks = matches!(scheme, ProxyScheme::Socks5 | ProxyScheme::Socks5h);
        if let (true, Some((user, pass))) = (socks, &credentials) {
            if user.is_empty() || user.len() > 255 || pass.len() > 255 {
                return Err(refuse(
                    "has a SOCKS5 username or password that is empty or longer than 255 bytes",
                ));
            }
        }
        let authorization = match (&credentials, socks) {
            (Some((user, pass)), false) => {
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
                let mut value = HeaderValue::from_str(&format!("Basic {token}"))
                    .expect("base64 is a valid header value");
                value.set_sensitive(true);
                Some(value)
            }
            _ => None,
        };
        let shown_host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let shown_user = match &credentials {
            Some((user, pass)) if !pass.is_empty() => format!("{}:***@", url.username()),
            Some(_) => format!("{}@", url.username()),
            None => String::new(),
        };
        Ok(Proxy {
            shown: format!("{}://{shown_user}{shown_host}:{port}", url.scheme()),
            scheme,
            host,
            port,
            credentials,
            authorization,
            headers,
        })
    }

    /// Appends "(through proxy <url>)" to an error about reaching the proxy.
    pub(crate) fn explain(&self, err: Error) -> Error {
        let note = format!(" (through proxy {})", self.shown);
        err.explain(&note)
    }

    fn add_headers(&self, headers: &mut HeaderMap) {
        if let Some(auth) = &self.authorization {
            if !headers.contains_key(http::header::PROXY_AUTHORIZATION) {
                headers.insert(http::header::PROXY_AUTHORIZATION, auth.clone());
            }
        }
        for (name, value) in &self.headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
    }

    /// Opens a tunnel to `host:port` over `io`, a connection to this proxy.
    pub(crate) async fn tunnel(&self, io: BoxIo, host: &str, port: u16) -> Result<BoxIo, Error> {
        match self.scheme {
            ProxyScheme::Http | ProxyScheme::Https => self.connect(io, host, port).await,
            ProxyScheme::Socks5 => {
                // The connector resolves the name first (lookup hook, cache, address filter).
                let ip = host.parse::<IpAddr>().map_err(|_| {
                    Error::new(Kind::Dns, format!("socks5: target {host} was not resolved"))
                        .with_phase(Phase::Dns)
                })?;
                self.socks5(io, Target::Ip(ip), port).await
            }
            ProxyScheme::Socks5h => {
                let target = match host.parse::<IpAddr>() {
                    Ok(ip) => Target::Ip(ip),
                    Err(_) => Target::Name(host),
                };
                self.socks5(io, target, port).await
            }
        }
    }

    /// HTTP `CONNECT`: any 2xx opens the tunnel; anything else is a proxy error with the status.
    async fn connect(&self, io: BoxIo, host: &str, port: u16) -> Result<BoxIo, Error> {
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut head =
            format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
        let mut headers = HeaderMap::new();
        self.add_headers(&mut headers);
        for (name, value) in &headers {
            head.extend_from_slice(name.as_str().as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        // Buffered reads may take bytes past the head; the reader keeps them for the tunnel.
        let mut io = BufReader::new(io);
        io.write_all(&head).await.map_err(|e| self.io_error(e))?;
        io.flush().await.map_err(|e| self.io_error(e))?;

        let mut response = Vec::new();
        while !(response.ends_with(b"\n\r\n") || response.ends_with(b"\n\n")) {
            let room = MAX_CONNECT_HEAD.saturating_sub(response.len());
            if room == 0 {
                return Err(self.refused(format!(
                    "answered CONNECT with a head over {MAX_CONNECT_HEAD} bytes"
                )));
            }
            let n = (&mut io)
                .take(room as u64)
                .read_until(b'\n', &mut response)
                .await
                .map_err(|e| self.io_error(e))?;
            if n == 0 {
                return Err(self.refused(format!(
                    "closed the connection before answering CONNECT {authority}"
                )));
            }
        }
        let status = parse_status(&response)
            .ok_or_else(|| self.refused("answered CONNECT with something that is not HTTP"))?;
        if (200..300).contains(&status.0) {
            return Ok(Box::new(io));
        }
        let hint = if status.0 == 407 {
            if self.authorization.is_some() {
                ": the proxy refused the credentials in the proxy URL"
            } else {
                ": the proxy requires credentials; put them in the proxy URL (http://user:password@host:port)"
            }
        } else {
            ""
        };
        Err(self
            .refused(format!(
                "refused CONNECT {authority} with {} {}{hint}",
                status.0, status.1
            ))
            .with_proxy_status(status.0))
    }

    /// SOCKS5 (RFC 1928) `CONNECT`, with username/password authentication (RFC 1929) when the
    /// URL has credentials.
    async fn socks5(&self, mut io: BoxIo, target: Target<'_>, port: u16) -> Result<BoxIo, Error> {
        const NO_AUTH: u8 = 0x00;
        const USER_PASS: u8 = 0x02;
        const NO_ACCEPTABLE: u8 = 0xff;
        let greeting: &[u8] = if self.credentials.is_some() {
            &[5, 2, NO_AUTH, USER_PASS]
        } else {
            &[5, 1, NO_AUTH]
        };
        io.write_all(greeting).await.map_err(|e| self.io_error(e))?;
        let mut choice = [0u8; 2];
        io.read_exact(&mut choice)
            .await
            .map_err(|e| self.io_error(e))?;
        if choice[0] != 5 {
            return Err(self.refused("is not a SOCKS5 server (bad greeting reply)"));
        }
        match (choice[1], &self.credentials) {
            (NO_AUTH, _) => {}
            (USER_PASS, Some((user, pass))) => {
                let mut auth = vec![1, user.len() as u8];
                auth.extend_from_slice(user.as_bytes());
                auth.push(pass.len() as u8);
                auth.extend_from_slice(pass.as_bytes());
                io.write_all(&auth).await.map_err(|e| self.io_error(e))?;
                let mut status = [0u8; 2];
                io.read_exact(&mut status)
                    .await
                    .map_err(|e| self.io_error(e))?;
                if status[1] != 0 {
                    return Err(self
                        .refused("refused the username and password in the proxy URL (SOCKS5)"));
                }
            }
            (NO_ACCEPTABLE, None) | (USER_PASS, None) => {
                return Err(self.refused(
                    "requires authentication; put credentials in the proxy URL (socks5://user:password@host:port)",
                ))
            }
            (other, _) => {
                return Err(self.refused(format!(
                    "accepted none of the offered SOCKS5 authentication methods (answered {other:#04x})"
                )))
            }
        }

        let mut request = vec![5, 1, 0];
        match target {
            Target::Ip(IpAddr::V4(ip)) => {
                request.push(1);
                request.extend_from_slice(&ip.octets());
            }
            Target::Ip(IpAddr::V6(ip)) => {
                request.push(4);
                request.extend_from_slice(&ip.octets());
            }
            Target::Name(name) => {
                let len = u8::try_from(name.len()).map_err(|_| {
                    Error::invalid(format!("host name {name} is too long for SOCKS5"))
                })?;
                request.extend_from_slice(&[3, len]);
                request.extend_from_slice(name.as_bytes());
            }
        }
        request.extend_from_slice(&port.to_be_bytes());
        io.write_all(&request).await.map_err(|e| self.io_error(e))?;

        let mut reply = [0u8; 4];
        io.read_exact(&mut reply)
            .await
            .map_err(|e| self.io_error(e))?;
        if reply[1] != 0 {
            return Err(self
                .refused(format!(
                    "refused the SOCKS5 connection to {}:{port}: {}",
                    target.shown(),
                    socks_reply(reply[1])
                ))
                .with_proxy_status(u16::from(reply[1])));
        }
        // The bound address the proxy reports: skipped, the tunnel is what matters.
        let rest = match reply[3] {
            1 => 4 + 2,
            4 => 16 + 2,
            3 => usize::from(io.read_u8().await.map_err(|e| self.io_error(e))?) + 2,
            _ => return Err(self.refused("sent a SOCKS5 reply with an unknown address type")),
        };
        let mut bound = vec![0u8; rest];
        io.read_exact(&mut bound)
            .await
            .map_err(|e| self.io_error(e))?;
        Ok(io)
    }

    /// The error for a forwarded request the proxy answered with 407: as for a `CONNECT`, a
    /// proxy's refusal is a proxy error, not the origin's response.
    pub(crate) fn refused_forward(&self) -> Error {
        let hint = if self.authorization.is_some() {
            "refused the credentials in the proxy URL (407)"
        } else {
            "requires credentials (407); put them in the proxy URL (http://user:password@host:port)"
        };
        self.refused(hint)
            .with_phase(Phase::Headers)
            .with_proxy_status(407)
    }

    fn refused(&self, what: impl std::fmt::Display) -> Error {
        Error::new(Kind::Proxy, format!("proxy {} {what}", self.shown)).with_phase(Phase::Connect)
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        self.refused(format!("failed during the handshake: {e}"))
            .with_source(e)
    }
}

/// The target named in a SOCKS5 request.
#[derive(Clone, Copy)]
enum Target<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

impl Target<'_> {
    fn shown(&self) -> String {
        match self {
            Target::Ip(ip) => ip.to_string(),
            Target::Name(name) => (*name).to_owned(),
        }
    }
}

/// The reason of a SOCKS5 reply code (RFC 1928 section 6).
fn socks_reply(code: u8) -> &'static str {
    match code {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown reply code",
    }
}

/// Status code and reason phrase of an HTTP/1.x response head.
fn parse_status(head: &[u8]) -> Option<(u16, String)> {
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let mut parts = line.splitn(3, ' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    let code = code.parse().ok()?;
    Some((code, parts.next().unwrap_or("").to_owned()))
}

/// `raw` with the password of its userinfo replaced by `***`, for messages about a URL that
/// could not be parsed.
fn mask(raw: &str) -> String {
    let authority_start = raw.find("://").map_or(0, |i| i + 3);
    let authority_end = raw[authority_start..]
        .find(['/', '?', '#'])
        .map_or(raw.len(), |i| authority_start + i);
    let authority = &raw[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return raw.to_owned();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return raw.to_owned();
    };
    format!(
        "{}{}:***{}",
        &raw[..authority_start],
        &userinfo[..colon],
        &raw[authority_start + at..]
    )
}

/// The `NO_PROXY` list: targets that go direct.
#[derive(Debug, Default)]
pub(crate) struct NoProxy {
    all: bool,
    entries: Vec<NoProxyEntry>,
}

#[derive(Debug)]
struct NoProxyEntry {
    pattern: Pattern,
    port: Option<u16>,
}

#[derive(Debug)]
enum Pattern {
    /// A host name, matching itself and its subdomains; lower case, no leading or trailing dot.
    Domain(String),
    Ip(IpAddr),
    Cidr(IpAddr, u8),
}

impl NoProxy {
    /// Parses a comma- or space-separated list, as curl reads `NO_PROXY`.
    pub(crate) fn parse(list: &str) -> NoProxy {
        let mut no_proxy = NoProxy::default();
        for item in list.split([',', ' ', '\t']).filter(|s| !s.is_empty()) {
            if item == "*" {
                no_proxy.all = true;
            } else if let Some(entry) = NoProxyEntry::parse(item) {
                no_proxy.entries.push(entry);
            }
        }
        no_proxy
    }

    /// True when `host:port` goes direct. `host` may be bracketed.
    pub(crate) fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|entry| {
            entry.port.is_none_or(|p| p == port)
                && match (&entry.pattern, ip) {
                    (Pattern::Domain(domain), _) => {
                        host == *domain
                            || host
                                .strip_suffix(domain.as_str())
                                .is_some_and(|prefix| prefix.ends_with('.'))
                    }
                    (Pattern::Ip(want), Some(ip)) => *want == ip,
                    (Pattern::Cidr(net, bits), Some(ip)) => in_cidr(ip, *net, *bits),
                    _ => false,
                }
        })
    }
}

impl NoProxyEntry {
    fn parse(item: &str) -> Option<NoProxyEntry> {
        let item = item.to_ascii_lowercase();
        let (addr, port) = split_port(&item)?;
        let pattern = if let Some((net, bits)) = addr.split_once('/') {
            let net: IpAddr = net
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .ok()?;
            let bits: u8 = bits.parse().ok()?;
            let max = if net.is_ipv4() { 32 } else { 128 };
            if bits > max {
                return None;
            }
            Pattern::Cidr(net, bits)
        } else if let Ok(ip) = addr.trim_start_matches('[').trim_end_matches(']').parse() {
            Pattern::Ip(ip)
        } else {
            let domain = addr
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .trim_end_matches('.');
            if domain.is_empty() || domain.contains(['[', ']', '/', '*']) {
                return None;
            }
            Pattern::Domain(domain.to_owned())
        };
        Some(NoProxyEntry { pattern, port })
    }
}

/// Splits `host:port`, `[v6]:port` and `v4/bits:port`; a bare IPv6 address has no port.
/// `None` for a port that is not a number.
fn split_port(item: &str) -> Option<(&str, Option<u16>)> {
    let split = if item.starts_with('[') {
        item.rfind("]:").map(|i| i + 1)
    } else if item.matches(':').count() == 1 {
        item.find(':')
    } else {
        None
    };
    match split {
        Some(i) => Some((&item[..i], Some(item[i + 1..].parse().ok()?))),
        None => Some((item, None)),
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_proxy(list: &str) -> NoProxy {
        NoProxy::parse(list)
    }

    #[test]
    fn domains_match_themselves_and_subdomains_with_or_without_a_leading_dot() {
        for list in [
            "example.com",
            ".example.com",
            "*.example.com",
            "EXAMPLE.com.",
        ] {
            let np = no_proxy(list);
            assert!(np.matches("example.com", 80), "{list}");
            assert!(np.matches("api.Example.com", 443), "{list}");
            assert!(np.matches("a.b.example.com.", 443), "{list}");
            assert!(!np.matches("badexample.com", 80), "{list}");
            assert!(!np.matches("example.com.evil", 80), "{list}");
        }
    }

    #[test]
    fn star_matches_everything_and_empty_matches_nothing() {
        assert!(no_proxy("*").matches("anything.test", 1));
        assert!(no_proxy("a.test, *").matches("[::1]", 1));
        assert!(!no_proxy("").matches("localhost", 80));
        assert!(!no_proxy(" , ,").matches("localhost", 80));
    }

    #[test]
    fn ip_addresses_and_cidr_ranges() {
        let np = no_proxy("127.0.0.1, 10.0.0.0/8, ::1, fd00::/8, [2001:db8::1]");
        assert!(np.matches("127.0.0.1", 80));
        assert!(!np.matches("127.0.0.2", 80));
        assert!(np.matches("10.1.2.3", 80));
        assert!(!np.matches("11.0.0.1", 80));
        assert!(np.matches("[::1]", 80));
        assert!(np.matches("fd12::7", 80));
        assert!(!np.matches("fe80::1", 80));
        assert!(np.matches("[2001:db8::1]", 8080));
        // A CIDR range never matches a name (no DNS lookup), as in curl.
        assert!(!np.matches("localhost", 80));
        assert!(no_proxy("0.0.0.0/0").matches("192.168.1.1", 80));
        assert!(!no_proxy("0.0.0.0/0").matches("::1", 80));
    }

    #[test]
    fn entries_with_a_port_match_that_port_only() {
        let np = no_proxy("localhost:8080, [::1]:9000, 10.0.0.0/8:443");
        assert!(np.matches("localhost", 8080));
        assert!(!np.matches("localhost", 8081));
        assert!(np.matches("[::1]", 9000));
        assert!(!np.matches("[::1]", 80));
        assert!(np.matches("10.9.9.9", 443));
        assert!(!np.matches("10.9.9.9", 80));
    }

    #[test]
    fn malformed_entries_are_ignored() {
        let np = no_proxy("host:notaport, 10.0.0.0/99, [, ok.test");
        assert!(!np.matches("host", 80));
        assert!(!np.matches("10.0.0.1", 80));
        assert!(np.matches("ok.test", 80));
    }

    fn options(url: &str) -> ProxyOptions {
        ProxyOptions {
            http: Some(url.to_owned()),
            https: Some(url.to_owned()),
            ..ProxyOptions::default()
        }
    }

    #[test]
    fn proxy_urls_parse_with_default_ports_and_masked_passwords() {
        let p = Proxies::new(&options("http://us%65r:p%40ss@proxy.test"), false).unwrap();
        let proxy = p.http.as_ref().unwrap();
        assert_eq!((proxy.host.as_str(), proxy.port), ("proxy.test", 80));
        assert_eq!(proxy.shown, "http://us%65r:***@proxy.test:80");
        assert_eq!(
            proxy.authorization.as_ref().unwrap().to_str().unwrap(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("user:p@ss")
            )
        );
        let p = Proxies::new(&options("socks5h://[::1]"), false).unwrap();
        let proxy = p.https.as_ref().unwrap();
        assert_eq!((proxy.host.as_str(), proxy.port), ("::1", 1080));
        assert_eq!(proxy.shown, "socks5h://[::1]:1080");
        assert!(proxy.authorization.is_none());
        let p = Proxies::new(&options("https://proxy.test"), false).unwrap();
        assert_eq!(p.http.as_ref().unwrap().port, 443);
        assert!(p.any_https());
    }

    #[test]
    fn bad_proxy_urls_are_refused_without_showing_the_password() {
        for (url, expect) in [
            (
                "socks4://u:hunter2@127.0.0.1:1080",
                "unsupported scheme socks4:",
            ),
            ("ftp://u:hunter2@127.0.0.1", "unsupported scheme ftp:"),
            ("http://u:hunter2@", "not a valid URL"),
            ("not a url", "not a valid URL"),
        ] {
            let err = Proxies::new(&options(url), false).unwrap_err();
            assert_eq!(err.kind(), Kind::InvalidArgument, "{url}");
            assert!(err.message().contains(expect), "{url}: {}", err.message());
            assert!(!err.message().contains("hunter2"), "{}", err.message());
        }
        assert_eq!(
            mask("http://user:hunter2@host:1/p@th"),
            "http://user:***@host:1/p@th"
        );
    }

    #[test]
    fn routes_forward_plain_http_and_tunnel_the_rest() {
        let mut opts = options("http://127.0.0.1:3128");
        opts.no_proxy = Some("direct.test".into());
        let p = Proxies::new(&opts, false).unwrap();
        assert_eq!(p.route(false, "a.test", 80).unwrap().1, Hop::Forward);
        assert_eq!(p.route(true, "a.test", 443).unwrap().1, Hop::Tunnel);
        assert!(p.route(true, "direct.test", 443).is_none());
        let h2c = Proxies::new(&opts, true).unwrap();
        assert_eq!(h2c.route(false, "a.test", 80).unwrap().1, Hop::Tunnel);
        let socks = Proxies::new(&options("socks5://127.0.0.1:1080"), false).unwrap();
        assert_eq!(socks.route(false, "a.test", 80).unwrap().1, Hop::Tunnel);
        let only_https = Proxies::new(
            &ProxyOptions {
                https: Some("http://127.0.0.1:3128".into()),
                ..ProxyOptions::default()
            },
            false,
        )
        .unwrap();
        assert!(only_https.route(false, "a.test", 80).is_none());
    }

    #[test]
    fn forward_headers_go_only_to_proxied_plain_http_requests() {
        let mut opts = options("http://u:p@127.0.0.1:3128");
        opts.headers = vec![("x-proxy-tag".into(), "t".into())];
        opts.no_proxy = Some("direct.test".into());
        let p = Proxies::new(&opts, false).unwrap();
        let mut headers = HeaderMap::new();
        p.add_forward_headers(&Url::parse("http://a.test/").unwrap(), &mut headers);
        assert!(headers.contains_key("proxy-authorization"));
        assert_eq!(headers["x-proxy-tag"], "t");
        for url in ["https://a.test/", "http://direct.test/"] {
            let mut headers = HeaderMap::new();
            p.add_forward_headers(&Url::parse(url).unwrap(), &mut headers);
            assert!(headers.is_empty(), "{url}");
        }
    }

    #[test]
    fn connect_status_lines() {
        assert_eq!(
            parse_status(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"),
            Some((407, "Proxy Authentication Required".into()))
        );
        assert_eq!(
            parse_status(b"HTTP/1.0 200\r\n\r\n"),
            Some((200, String::new()))
        );
        assert_eq!(parse_status(b"SSH-2.0-OpenSSH\r\n\r\n"), None);
        assert_eq!(parse_status(b"HTTP/1.1 2000 x\r\n\r\n"), None);
    }
}
