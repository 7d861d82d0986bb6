//! From a host and port to a connected TCP stream, in three awaited steps under the connect
//! deadline: resolve (the embedder's `lookup` or the system resolver, through a cache), ask the
//! address filter, then connect with Happy Eyeballs (RFC 8305) over the addresses.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use parking_lot::Mutex;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Mutex as AsyncMutex;
use tokio::time::Instant;

use crate::error::{Error, Kind, Phase};

/// What a [`Lookup`] answers: the host's addresses, best first.
pub type LookupFuture = Pin<Box<dyn Future<Output = Result<Vec<IpAddr>, Error>> + Send>>;

/// What an [`AddressFilter`] answers: `Ok` lets every address be dialed.
pub type FilterFuture = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// The address family a resolver should return, from the bound local address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IPv4 and IPv6.
    Any,
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

impl Family {
    /// The number Node's `dns.lookup` uses for this family (0, 4 or 6).
    pub fn number(self) -> u8 {
        match self {
            Family::Any => 0,
            Family::V4 => 4,
            Family::V6 => 6,
        }
    }

    fn admits(self, ip: &IpAddr) -> bool {
        match self {
            Family::Any => true,
            Family::V4 => ip.is_ipv4(),
            Family::V6 => ip.is_ipv6(),
        }
    }
}

/// Replaces the system resolver for host names (never called for IP literals). A failure
/// should be built with [`lookup_failed`].
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use hyperhttp_core::{Family, Lookup, LookupFuture};
/// struct Loopback;
/// impl Lookup for Loopback {
///     fn lookup(&self, _host: &str, _family: Family) -> LookupFuture {
///         Box::pin(async { Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]) })
///     }
/// }
/// ```
pub trait Lookup: Send + Sync {
    /// The addresses of `host`, of `family` when it is not [`Family::Any`].
    fn lookup(&self, host: &str, family: Family) -> LookupFuture;
}

/// Consulted before every connection with all the addresses about to be dialed for a host
/// (resolved or literal, redirects and retries included). A refusal should be built with
/// [`address_blocked`]; it fails the request before anything is sent.
pub trait AddressFilter: Send + Sync {
    /// `Ok` when every address in `addresses` may be dialed for `host`.
    fn check(&self, host: &str, addresses: &[IpAddr]) -> FilterFuture;
}

/// The resolver's answers kept for [`DnsCacheOptions::ttl`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnsCacheOptions {
    /// How long an answer is reused. Default 30 s (the system resolver reports no TTL).
    pub ttl: Duration,
    /// Hosts kept at most; beyond it the answer closest to expiry is dropped. Default 1024.
    pub max_entries: usize,
}

impl Default for DnsCacheOptions {
    fn default() -> Self {
        DnsCacheOptions {
            ttl: Duration::from_secs(30),
            max_entries: 1024,
        }
    }
}

/// How host names become connections.
#[derive(Clone)]
pub struct DnsOptions {
    /// Resolves host names instead of the system resolver (`getaddrinfo`).
    pub lookup: Option<Arc<dyn Lookup>>,
    /// Asked before every connection; `None` (the default) dials any address.
    pub address_filter: Option<Arc<dyn AddressFilter>>,
    /// Cache of resolved names (the `lookup`'s answers too); `None` resolves per connection.
    pub cache: Option<DnsCacheOptions>,
    /// Happy Eyeballs: the next address is tried after this delay even while the previous
    /// attempt is still pending. Default 250 ms (Node's `autoSelectFamilyAttemptTimeout`).
    /// `None` tries one address after another, each after the previous one failed.
    pub attempt_delay: Option<Duration>,
    /// Outgoing connections are bound to this address; only its family is dialed.
    pub local_address: Option<IpAddr>,
}

impl Default for DnsOptions {
    fn default() -> Self {
        DnsOptions {
            lookup: None,
            address_filter: None,
            cache: Some(DnsCacheOptions::default()),
            attempt_delay: Some(Duration::from_millis(250)),
            local_address: None,
        }
    }
}

impl fmt::Debug for DnsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsOptions")
            .field("lookup", &self.lookup.is_some())
            .field("address_filter", &self.address_filter.is_some())
            .field("cache", &self.cache)
            .field("attempt_delay", &self.attempt_delay)
            .field("local_address", &self.local_address)
            .finish()
    }
}

/// Shortest attempt delay, as Node's `autoSelectFamilyAttemptTimeout` (shorter ones would
/// open a connection per address on any network with a few ms of latency).
pub const MIN_ATTEMPT_DELAY: Duration = Duration::from_millis(10);

impl DnsOptions {
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if let Some(cache) = &self.cache {
            if cache.ttl.is_zero() || cache.max_entries == 0 {
                return Err(Error::invalid(
                    "dnsCache.ttl must be > 0 and dnsCache.maxEntries at least 1 (false turns the cache off)",
                ));
            }
        }
        if self.attempt_delay.is_some_and(|d| d < MIN_ATTEMPT_DELAY) {
            return Err(Error::invalid(
                "autoSelectFamilyAttemptTimeout must be at least 10 ms",
            ));
        }
        Ok(())
    }

    fn family(&self) -> Family {
        match self.local_address {
            None => Family::Any,
            Some(IpAddr::V4(_)) => Family::V4,
            Some(IpAddr::V6(_)) => Family::V6,
        }
    }
}

/// The error a [`Lookup`] returns when `host` could not be resolved.
pub fn lookup_failed(host: &str, reason: &str) -> Error {
    Error::new(Kind::Dns, format!("lookup of host {host} failed: {reason}")).with_phase(Phase::Dns)
}

/// The error an [`AddressFilter`] returns when it refuses `address` for `host`.
pub fn address_blocked(host: &str, address: &str) -> Error {
    Error::new(
        Kind::AddressBlocked,
        format!("address {address} of host {host} was refused by addressFilter; nothing was sent"),
    )
    .with_phase(Phase::Connect)
}

/// The connect deadline and the whole connect timeout it came from.
pub(crate) type Deadline = Option<(Instant, Duration)>;

/// Resolves, filters and dials for one client.
pub(crate) struct Dialer {
    options: DnsOptions,
    family: Family,
    cache: Option<DnsCache>,
}

impl Dialer {
    pub(crate) fn new(options: DnsOptions) -> Self {
        Dialer {
            family: options.family(),
            cache: options.cache.map(DnsCache::new),
            options,
        }
    }

    /// A connected stream to `host:port`: resolve, filter, connect.
    pub(crate) async fn tcp(
        &self,
        host: &str,
        port: u16,
        deadline: Deadline,
    ) -> Result<TcpStream, Error> {
        let addresses = self.resolve(host, deadline).await?;
        self.filter(host, &addresses, deadline).await?;
        self.connect(host, &addresses, port, deadline).await
    }

    /// The addresses of `host` (an IP literal is its own address), best first.
    pub(crate) async fn resolve(
        &self,
        host: &str,
        deadline: Deadline,
    ) -> Result<Arc<[IpAddr]>, Error> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(Arc::from([ip]));
        }
        let Some(cache) = &self.cache else {
            return self.lookup(host, deadline).await;
        };
        if let Some(hit) = cache.get(host) {
            return Ok(hit);
        }
        // One lookup of a name at a time: a burst of new connections waits for the first
        // answer and takes it from the cache.
        let gate = cache.gate(host);
        let _turn = within(deadline, Phase::Dns, gate.lock()).await?;
        if let Some(hit) = cache.get(host) {
            return Ok(hit);
        }
        let addresses = self.lookup(host, deadline).await?;
        cache.insert(host, addresses.clone());
        Ok(addresses)
    }

    /// Asks the `lookup` hook or the system resolver, keeping the addresses of the family
    /// the client dials.
    async fn lookup(&self, host: &str, deadline: Deadline) -> Result<Arc<[IpAddr]>, Error> {
        let resolved = match &self.options.lookup {
            Some(lookup) => {
                within(deadline, Phase::Dns, lookup.lookup(host, self.family)).await??
            }
            None => within(deadline, Phase::Dns, system_lookup(host)).await??,
        };
        let addresses: Arc<[IpAddr]> = resolved
            .into_iter()
            .filter(|ip| self.family.admits(ip))
            .collect();
        if addresses.is_empty() {
            let family = match self.family {
                Family::Any => String::new(),
                f => format!(" of family IPv{} (the family of localAddress)", f.number()),
            };
            return Err(Error::new(
                Kind::Dns,
                format!("host {host} resolved to no address{family}"),
            )
            .with_phase(Phase::Dns));
        }
        Ok(addresses)
    }

    /// Asks the address filter, when there is one, about every address of `host`.
    pub(crate) async fn filter(
        &self,
        host: &str,
        addresses: &[IpAddr],
        deadline: Deadline,
    ) -> Result<(), Error> {
        match &self.options.address_filter {
            Some(filter) => within(deadline, Phase::Connect, filter.check(host, addresses)).await?,
            None => Ok(()),
        }
    }

    /// Connects to one of `addresses` (RFC 8305 section 5): families interleaved, the next
    /// attempt started after the attempt delay or as soon as the previous one fails, each
    /// attempt limited to its share of the connect timeout; the first to connect wins and the
    /// others are dropped (closed).
    pub(crate) async fn connect(
        &self,
        host: &str,
        addresses: &[IpAddr],
        port: u16,
        deadline: Deadline,
    ) -> Result<TcpStream, Error> {
        let order = interleave(addresses);
        let share = deadline.map(|(_, total)| total / order.len() as u32);
        let local = self.options.local_address;
        let race = async {
            let mut pending = FuturesUnordered::new();
            let mut queue = order.iter().copied();
            let mut failures: Vec<(SocketAddr, io::Error)> = Vec::new();
            loop {
                if let Some(ip) = queue.next() {
                    let addr = SocketAddr::new(ip, port);
                    pending.push(async move { (addr, attempt(addr, local, share).await) });
                }
                let more = failures.len() + pending.len() < order.len();
                let delay = self.options.attempt_delay.filter(|_| more);
                let next = tokio::select! {
                    Some(done) = pending.next() => Some(done),
                    () = sleep(delay) => None,
                };
                match next {
                    Some((_, Ok(stream))) => return Ok(stream),
                    Some((addr, Err(e))) => {
                        failures.push((addr, e));
                        if pending.is_empty() && !more {
                            return Err(connect_failed(host, failures, deadline));
                        }
                    }
                    None => {}
                }
            }
        };
        within(deadline, Phase::Connect, race).await?
    }
}

/// One connection attempt, bound to `local` when given, within `limit`.
async fn attempt(
    addr: SocketAddr,
    local: Option<IpAddr>,
    limit: Option<Duration>,
) -> io::Result<TcpStream> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(local) = local {
        socket.bind(SocketAddr::new(local, 0))?;
    }
    socket.set_nodelay(true)?;
    match limit {
        Some(limit) => tokio::time::timeout(limit, socket.connect(addr))
            .await
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no answer within its {} ms share", limit.as_millis()),
                )
            })?,
        None => socket.connect(addr).await,
    }
}

/// Sleeps for `delay`, or forever when there is none.
async fn sleep(delay: Option<Duration>) {
    match delay {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// The system resolver (`getaddrinfo` on tokio's blocking pool, never on a worker thread).
async fn system_lookup(host: &str) -> Result<Vec<IpAddr>, Error> {
    match tokio::net::lookup_host((host, 0)).await {
        Ok(addrs) => Ok(addrs.map(|a| a.ip()).collect()),
        Err(e) => Err(
            Error::new(Kind::Dns, format!("could not resolve host {host}: {e}"))
                .with_phase(Phase::Dns)
                .with_source(e),
        ),
    }
}

/// The failure after every address was tried: a timeout when none answered at all. The last
/// attempt's I/O error is the source.
fn connect_failed(
    host: &str,
    mut failures: Vec<(SocketAddr, io::Error)>,
    deadline: Deadline,
) -> Error {
    let tried: Vec<String> = failures
        .iter()
        .map(|(addr, e)| format!("{addr}: {e}"))
        .collect();
    let all_silent = failures
        .iter()
        .all(|(_, e)| e.kind() == io::ErrorKind::TimedOut);
    let last = failures.pop().map(|(_, e)| e);
    let err = match deadline {
        Some((_, total)) if all_silent => Error::new(
            Kind::Timeout,
            format!(
                "connect timeout of {} ms elapsed: no address of {host} answered ({})",
                total.as_millis(),
                tried.join("; ")
            ),
        )
        .with_phase(Phase::Connect),
        _ => {
            let message = match tried.as_slice() {
                [one] => format!("could not connect to {one}"),
                _ => format!("could not connect to {host}: {}", tried.join("; ")),
            };
            Error::new(Kind::Connect, message).with_phase(Phase::Connect)
        }
    };
    match last {
        Some(e) => err.with_source(e),
        None => err,
    }
}

/// RFC 8305 section 4: the first address's family first, then the families alternate, each
/// keeping the resolver's order.
pub(crate) fn interleave(addresses: &[IpAddr]) -> Vec<IpAddr> {
    let Some(first) = addresses.first() else {
        return Vec::new();
    };
    let (mut preferred, mut other): (Vec<IpAddr>, Vec<IpAddr>) = addresses
        .iter()
        .partition(|ip| ip.is_ipv6() == first.is_ipv6());
    let mut out = Vec::with_capacity(addresses.len());
    preferred.reverse();
    other.reverse();
    loop {
        match (preferred.pop(), other.pop()) {
            (None, None) => return out,
            (a, b) => out.extend(a.into_iter().chain(b)),
        }
    }
}

/// A cached answer: when it expires, and the addresses.
type Entry = (Instant, Arc<[IpAddr]>);

/// Resolved names for [`DnsCacheOptions::ttl`], at most [`DnsCacheOptions::max_entries`].
struct DnsCache {
    options: DnsCacheOptions,
    entries: Mutex<HashMap<String, Entry>>,
    /// Names being resolved: whoever holds a name's lock is looking it up.
    resolving: Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
}

/// A share of a name's lookup lock; the last share removes it from [`DnsCache::resolving`].
struct Gate<'a> {
    cache: &'a DnsCache,
    host: String,
    lock: Arc<AsyncMutex<()>>,
}

impl Gate<'_> {
    async fn lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.lock.lock().await
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        let mut resolving = self.cache.resolving.lock();
        // Shares are only taken under this map's lock: two means the map's and this one.
        if Arc::strong_count(&self.lock) == 2 {
            resolving.remove(&self.host);
        }
    }
}

impl DnsCache {
    fn new(options: DnsCacheOptions) -> Self {
        DnsCache {
            options,
            entries: Mutex::new(HashMap::new()),
            resolving: Mutex::new(HashMap::new()),
        }
    }

    fn gate(&self, host: &str) -> Gate<'_> {
        let lock = self
            .resolving
            .lock()
            .entry(host.to_owned())
            .or_default()
            .clone();
        Gate {
            cache: self,
            host: host.to_owned(),
            lock,
        }
    }

    fn get(&self, host: &str) -> Option<Arc<[IpAddr]>> {
        let entries = self.entries.lock();
        let (expires, addresses) = entries.get(host)?;
        (*expires > Instant::now()).then(|| addresses.clone())
    }

    fn insert(&self, host: &str, addresses: Arc<[IpAddr]>) {
        let now = Instant::now();
        let mut entries = self.entries.lock();
        if entries.len() >= self.options.max_entries && !entries.contains_key(host) {
            entries.retain(|_, (expires, _)| *expires > now);
            if entries.len() >= self.options.max_entries {
                let soonest = entries
                    .iter()
                    .min_by_key(|(_, (expires, _))| *expires)
                    .map(|(h, _)| h.clone());
                if let Some(h) = soonest {
                    entries.remove(&h);
                }
            }
        }
        entries.insert(host.to_owned(), (now + self.options.ttl, addresses));
    }
}

/// Runs `fut` until `deadline`, failing with a connect timeout in `phase` after it.
pub(crate) async fn within<F: Future>(
    deadline: Deadline,
    phase: Phase,
    fut: F,
) -> Result<F::Output, Error> {
    match deadline {
        Some((at, total)) => tokio::time::timeout_at(at, fut).await.map_err(|_| {
            Error::new(
                Kind::Timeout,
                format!(
                    "connect timeout of {} ms elapsed during {}",
                    total.as_millis(),
                    phase.as_str()
                ),
            )
            .with_phase(phase)
        }),
        None => Ok(fut.await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_alternates_families_starting_with_the_first() {
        let v6a: IpAddr = "::1".parse().unwrap();
        let v6b: IpAddr = "::2".parse().unwrap();
        let v4a: IpAddr = "127.0.0.1".parse().unwrap();
        let v4b: IpAddr = "127.0.0.2".parse().unwrap();
        let v4c: IpAddr = "127.0.0.3".parse().unwrap();
        assert_eq!(
            interleave(&[v6a, v6b, v4a, v4b, v4c]),
            vec![v6a, v4a, v6b, v4b, v4c]
        );
        assert_eq!(interleave(&[v4a, v6a, v4b]), vec![v4a, v6a, v4b]);
    }

    #[tokio::test(start_paused = true)]
    async fn cache_expires_and_drops_the_entry_closest_to_expiry_when_full() {
        let cache = DnsCache::new(DnsCacheOptions {
            ttl: Duration::from_secs(30),
            max_entries: 2,
        });
        let a: Arc<[IpAddr]> = Arc::from(["127.0.0.1".parse::<IpAddr>().unwrap()]);
        cache.insert("a", a.clone());
        tokio::time::advance(Duration::from_secs(1)).await;
        cache.insert("b", a.clone());
        cache.insert("c", a.clone());
        assert!(cache.get("a").is_none(), "the oldest entry makes room");
        assert!(cache.get("b").is_some() && cache.get("c").is_some());
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(cache.get("c").is_none(), "expired after the TTL");
    }
}
