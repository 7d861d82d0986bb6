//! Where a new connection goes: the URL's host (DNS and TCP), a local socket (the
//! `socketPath` option), or, for a client under test, a mock server's socket or a scripted
//! connect failure. Redirects, cookies and breakers keep seeing the URL's origin; only the
//! dialling changes, and the pool's key: a local socket's connections count under the socket.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use http::HeaderMap;
use parking_lot::{Mutex, RwLock};
use url::Url;

use crate::conn::ConnShared;
use crate::error::{Error, Kind, Phase};
use crate::pool::{origin_key, push_origin_host};

/// Response header with which a mock server refuses a request that no interceptor matched;
/// its value is the message. Read only on connections to a mock server.
pub const MOCK_UNMATCHED_HEADER: &str = "x-hyperhttp-mock-unmatched";

/// A mock server's routes, shared by every client it serves (see `hyperhttp/testing`).
///
/// Mocked origins, and every origin not let through, are dialled to the mock server's socket
/// in plain HTTP/1.1 (one socket per URL scheme, so the server knows the scheme); the Host
/// header still names the origin. Connect failures are scripted per origin.
///
/// ```
/// use hyperhttp_core::{Kind, MockRoutes};
/// let routes = MockRoutes::new("/tmp/mock-http.sock", "/tmp/mock-https.sock");
/// routes.mock_origin("https://api.example.com");
/// routes.fail_connect("https://down.example.com", Kind::Connect, "scripted", Some(1));
/// assert_eq!(routes.connect_failures_used(), vec![0]);
/// ```
pub struct MockRoutes {
    http_socket: String,
    https_socket: String,
    state: RwLock<MockState>,
    /// The clients' routes attached to this table, told when it changes.
    attached: Mutex<Vec<Weak<Routes>>>,
}

#[derive(Default)]
struct MockState {
    /// Let every origin that is not mocked through to the network.
    pass_all: bool,
    /// Hosts (`host` or `host:port`) let through to the network.
    pass_hosts: HashSet<String>,
    /// Origins always served by the mock server, even when let through.
    mocked: HashSet<String>,
    failures: Vec<ConnectFailure>,
}

struct ConnectFailure {
    origin: String,
    kind: Kind,
    message: String,
    /// Connects left to fail; `None` fails them all.
    left: Option<u32>,
    used: u32,
}

impl MockRoutes {
    /// Routes to a mock server listening on one socket (or named pipe) for `http:` origins and
    /// one for `https:` origins. Nothing is let through until [`MockRoutes::set_net_connect`].
    pub fn new(http_socket: impl Into<String>, https_socket: impl Into<String>) -> Self {
        MockRoutes {
            http_socket: http_socket.into(),
            https_socket: https_socket.into(),
            state: RwLock::new(MockState::default()),
            attached: Mutex::new(Vec::new()),
        }
    }

    /// Which origins that are not mocked reach the network: all of them, or those whose host
    /// (`host`, or `host:port`) is listed.
    pub fn set_net_connect(&self, all: bool, hosts: Vec<String>) {
        {
            let mut state = self.state.write();
            state.pass_all = all;
            state.pass_hosts = hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect();
        }
        self.rerouted();
    }

    /// Serves `origin` (as `URL.origin` spells it) from the mock server whatever
    /// [`MockRoutes::set_net_connect`] lets through.
    pub fn mock_origin(&self, origin: &str) {
        if self.state.write().mocked.insert(origin.to_owned()) {
            self.rerouted();
        }
    }

    /// Fails the next `times` new connections to `origin` (all of them when `None`) with an
    /// error of `kind`, as a real connect failure: in the connect phase (DNS, TLS for those
    /// kinds), retried by the client's policy.
    pub fn fail_connect(&self, origin: &str, kind: Kind, message: &str, times: Option<u32>) {
        self.state.write().failures.push(ConnectFailure {
            origin: origin.to_owned(),
            kind,
            message: message.to_owned(),
            left: times,
            used: 0,
        });
        self.rerouted();
    }

    /// Closes the idle connections of every attached client, so that each next request dials
    /// by the new table rather than reusing a connection that went by the old one.
    fn rerouted(&self) {
        let mut attached = self.attached.lock();
        attached.retain(|routes| match routes.upgrade() {
            Some(routes) => {
                routes.close_idle();
                true
            }
            None => false,
        });
    }

    /// How many connects each scripted failure has failed, in the order they were added.
    pub fn connect_failures_used(&self) -> Vec<u32> {
        self.state.read().failures.iter().map(|f| f.used).collect()
    }

    /// The first scripted failure of `origin` with connects left, used once.
    fn take_failure(&self, origin: &str) -> Option<Error> {
        let mut state = self.state.write();
        let failure = state
            .failures
            .iter_mut()
            .find(|f| f.origin == origin && f.left != Some(0))?;
        failure.used += 1;
        if let Some(left) = &mut failure.left {
            *left -= 1;
        }
        let error = Error::new(failure.kind, failure.message.clone());
        let phase = if matches!(failure.kind, Kind::Dns) {
            Phase::Dns
        } else if error.is_tls() {
            Phase::Tls
        } else {
            Phase::Connect
        };
        Some(error.with_phase(phase))
    }

    /// True when connections to the origin of `parts` go to the mock server.
    fn serves(&self, parts: &OriginParts) -> bool {
        let state = self.state.read();
        state.mocked.contains(&parts.origin)
            || !(state.pass_all
                || state.pass_hosts.contains(&parts.host_port)
                || state.pass_hosts.contains(&parts.host))
    }

    /// The mock server's socket when it serves the origin of `parts`.
    fn dial(&self, https: bool, parts: &OriginParts) -> Option<Dial> {
        // The mock server speaks plain HTTP/1.1 whatever the scheme.
        self.serves(parts).then(|| Dial::Socket {
            path: self.socket(https).to_owned(),
            tls: false,
        })
    }

    fn socket(&self, https: bool) -> &str {
        if https {
            &self.https_socket
        } else {
            &self.http_socket
        }
    }
}

/// How to open a connection to one origin.
pub(crate) enum Dial {
    /// DNS and TCP to the URL's host.
    Network,
    /// A local socket; `tls` when the connection is to speak TLS over it.
    Socket { path: String, tls: bool },
}

impl Dial {
    /// The key under which the pool counts this dial's connections to `host:port` and the
    /// requests waiting for one: a local socket's own key (all origins dialled over it share
    /// its slots), else the origin's.
    pub(crate) fn pool_key(&self, https: bool, host: &str, port: u16) -> String {
        match self {
            Dial::Socket { path, .. } => crate::local::pool_key(path),
            Dial::Network => origin_key(https, host, port),
        }
    }
}

/// One client's routes: its `socketPath`, and the mock server it is attached to, if any.
#[derive(Default)]
pub(crate) struct Routes {
    socket_path: Option<String>,
    mock: RwLock<Option<Arc<MockRoutes>>>,
    /// `mock` is set: read first, so a client without a mock pays one relaxed load per hop.
    mocked: AtomicBool,
    /// The client's connections, closed while idle when the routes change.
    conns: Mutex<Tracked>,
}

/// Weak handles to live connections; dead ones are pruned when the list doubles.
#[derive(Default)]
struct Tracked {
    conns: Vec<Weak<ConnShared>>,
    prune_at: usize,
}

impl Routes {
    pub(crate) fn new(socket_path: Option<String>) -> Self {
        Routes {
            socket_path,
            ..Routes::default()
        }
    }

    /// Attaches the client to a mock server (`None` detaches it). Idle pooled connections are
    /// closed; those in use finish their exchange where they are.
    pub(crate) fn set_mock(self: &Arc<Self>, mock: Option<Arc<MockRoutes>>) {
        if let Some(mock) = &mock {
            mock.attached.lock().push(Arc::downgrade(self));
        }
        self.mocked.store(mock.is_some(), Ordering::Release);
        *self.mock.write() = mock;
        self.close_idle();
    }

    /// Remembers a new connection of this client.
    pub(crate) fn track(&self, conn: &Arc<ConnShared>) {
        let mut tracked = self.conns.lock();
        if tracked.conns.len() >= tracked.prune_at {
            tracked.conns.retain(|c| c.strong_count() > 0);
            tracked.prune_at = (tracked.conns.len() * 2).max(64);
        }
        tracked.conns.push(Arc::downgrade(conn));
    }

    fn close_idle(&self) {
        for conn in self.conns.lock().conns.iter().filter_map(Weak::upgrade) {
            conn.discard_if_idle();
        }
    }

    /// Where a new connection to `host:port` goes, or the scripted failure it meets.
    pub(crate) fn dial(&self, https: bool, host: &str, port: u16) -> Result<Dial, Error> {
        let Some(mock) = self.mock() else {
            return Ok(self.unmocked(https));
        };
        // Spelled once for both the scripted failures and the mock's routing.
        let parts = origin_parts(https, host, port);
        if let Some(error) = mock.take_failure(&parts.origin) {
            return Err(error);
        }
        Ok(mock
            .dial(https, &parts)
            .unwrap_or_else(|| self.unmocked(https)))
    }

    /// The key under which the pool counts the connections for `url` and the requests waiting
    /// for one (see [`Dial::pool_key`]).
    pub(crate) fn pool_key(&self, url: &Url) -> Option<String> {
        let (host, port) = (url.host_str()?, url.port_or_known_default()?);
        let https = url.scheme() == "https";
        Some(self.route(https, host, port).pool_key(https, host, port))
    }

    fn route(&self, https: bool, host: &str, port: u16) -> Dial {
        self.mock()
            .and_then(|mock| mock.dial(https, &origin_parts(https, host, port)))
            .unwrap_or_else(|| self.unmocked(https))
    }

    /// Where a connection goes when no mock server serves it.
    fn unmocked(&self, https: bool) -> Dial {
        match &self.socket_path {
            // Like curl's --unix-socket: TLS over the socket for https: URLs.
            Some(path) => Dial::Socket {
                path: path.clone(),
                tls: https,
            },
            None => Dial::Network,
        }
    }

    fn mock(&self) -> Option<Arc<MockRoutes>> {
        if self.mocked.load(Ordering::Relaxed) {
            self.mock.read().clone()
        } else {
            None
        }
    }

    /// The error for a response with which a mock server refused the request to `url`.
    pub(crate) fn mock_refusal(&self, url: &Url, headers: &HeaderMap) -> Option<Error> {
        if !self.mocked.load(Ordering::Relaxed) {
            return None;
        }
        let message = headers.get(MOCK_UNMATCHED_HEADER)?;
        self.mock_serves(url).then(|| {
            Error::new(
                Kind::MockNotMatched,
                String::from_utf8_lossy(message.as_bytes()).into_owned(),
            )
            .with_phase(Phase::Headers)
        })
    }

    /// True when connections for `url` go to a local socket (the `socketPath`, or the mock
    /// server), never through a proxy.
    pub(crate) fn is_local(&self, url: &Url) -> bool {
        self.socket_path.is_some() || (self.mocked.load(Ordering::Relaxed) && self.mock_serves(url))
    }

    fn mock_serves(&self, url: &Url) -> bool {
        let mock = self.mock.read();
        let (Some(mock), Some(host), Some(port)) =
            (mock.as_ref(), url.host_str(), url.port_or_known_default())
        else {
            return false;
        };
        mock.serves(&origin_parts(url.scheme() == "https", host, port))
    }
}

/// An origin as `URL.origin` spells it, its `host:port` and its host (IPv6 in brackets): what
/// a mock server's table is looked up by.
struct OriginParts {
    origin: String,
    host_port: String,
    host: String,
}

fn origin_parts(https: bool, host: &str, port: u16) -> OriginParts {
    let mut written = String::with_capacity(host.len() + 2);
    push_origin_host(&mut written, host);
    OriginParts {
        origin: origin_key(https, host, port),
        host_port: format!("{written}:{port}"),
        host: written,
    }
}
