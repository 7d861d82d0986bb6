//! The pool's own bookkeeping beside hyper-util's idle lists: connection slots (total and per
//! origin) under the pool timeout, a registry of the live connections of each origin, the
//! idle caps, and statistics.
//!
//! hyper-util keeps idle connections without saying which; the registry knows them because
//! every connection's [`ConnShared`] counts the requests using it. When the total cap is
//! reached, the least recently used idle connection of an origin nobody is waiting for is
//! closed instead of making the new origin wait for it to expire.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::config::Limits;
use crate::conn::ConnShared;
use crate::error::{Error, Kind, Phase};

/// Size of the origin map at which origins with nothing in them are forgotten.
const PRUNE_ORIGINS_AT: usize = 1024;

/// One client's connection slots and live connections.
pub(crate) struct Pool {
    limits: Limits,
    total: Arc<Semaphore>,
    origins: Mutex<HashMap<String, Arc<Origin>>>,
    /// Live connections, all origins.
    open: AtomicUsize,
    /// Tasks waiting for a slot of the total limit.
    waiting: AtomicUsize,
    /// Wakes those tasks when a connection goes idle, so they can close it.
    went_idle: Notify,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("open", &self.open.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// One origin's slots, live connections and requests waiting for a connection.
pub(crate) struct Origin {
    slots: Arc<Semaphore>,
    /// Requests waiting for a connection to this origin (a free slot, or one being opened).
    queued: AtomicUsize,
    conns: Mutex<Vec<Arc<ConnShared>>>,
}

/// The slots a new connection holds; registered with the connection by [`Slots::register`].
pub(crate) struct Slots {
    pool: Arc<Pool>,
    origin: Arc<Origin>,
    total: OwnedSemaphorePermit,
    per_origin: OwnedSemaphorePermit,
}

/// A live connection's place in the pool: unregistered, then its slots freed, when dropped.
pub(crate) struct Lease {
    shared: Arc<ConnShared>,
    pool: Arc<Pool>,
    origin: Arc<Origin>,
    _total: OwnedSemaphorePermit,
    _per_origin: OwnedSemaphorePermit,
}

/// Counts a request as queued for its origin until dropped (when it has a connection).
pub(crate) struct Queued(Arc<Origin>);

/// Counts of one origin's connections and requests, or of all of them.
///
/// ```
/// let stats = hyperhttp_core::ConnectionStats::default();
/// assert_eq!(stats.open, stats.idle + stats.busy);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectionStats {
    /// Open connections (idle + busy).
    pub open: usize,
    /// Open connections that carry no request.
    pub idle: usize,
    /// Open connections that carry at least one request.
    pub busy: usize,
    /// Requests that have a connection and have not finished (their body is still read).
    pub in_flight: usize,
    /// Requests waiting for a connection: a free slot, or a connection being opened.
    pub queued: usize,
    /// Requests in flight on HTTP/2 connections (one stream each).
    pub http2_streams: usize,
}

impl ConnectionStats {
    fn add(&mut self, other: &ConnectionStats) {
        self.open += other.open;
        self.idle += other.idle;
        self.busy += other.busy;
        self.in_flight += other.in_flight;
        self.queued += other.queued;
        self.http2_streams += other.http2_streams;
    }
}

/// A snapshot of a client's pool.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// All origins together.
    pub total: ConnectionStats,
    /// Origins (`scheme://host[:port]`, the port only when not the scheme's default) with
    /// open connections or queued requests; a local socket's (`unix:/tmp/app.sock`) stands for
    /// all the origins dialled over it.
    pub origins: Vec<(String, ConnectionStats)>,
}

/// `scheme://host[:port]` as `URL.origin` writes it: the default port left out, the host as
/// [`push_origin_host`] writes it.
pub(crate) fn origin_key(https: bool, host: &str, port: u16) -> String {
    let (scheme, default_port) = if https { ("https", 443) } else { ("http", 80) };
    let mut key = String::with_capacity(scheme.len() + host.len() + 11);
    key.push_str(scheme);
    key.push_str("://");
    push_origin_host(&mut key, host);
    if port != default_port {
        // Written in place: `to_string` would allocate once more on every request.
        let _ = write!(key, ":{port}");
    }
    key
}

/// Appends `host` as an origin writes it: lowercase, an IPv6 address in brackets (whether or
/// not it came with them).
pub(crate) fn push_origin_host(out: &mut String, host: &str) {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let bracketed = host.contains(':');
    if bracketed {
        out.push('[');
    }
    out.extend(host.chars().map(|c| c.to_ascii_lowercase()));
    if bracketed {
        out.push(']');
    }
}

impl Pool {
    pub(crate) fn new(limits: Limits) -> Arc<Pool> {
        Arc::new(Pool {
            total: Arc::new(Semaphore::new(limits.max_connections)),
            limits,
            origins: Mutex::new(HashMap::new()),
            open: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            went_idle: Notify::new(),
        })
    }

    /// The limits the pool was built with.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    fn origin(&self, key: &str) -> Arc<Origin> {
        let mut map = self.origins.lock();
        if let Some(origin) = map.get(key) {
            return origin.clone();
        }
        if map.len() >= PRUNE_ORIGINS_AT {
            // Forget origins nothing refers to (no connection, slot or queued request), so a
            // client that talks to many hosts does not grow this map forever.
            map.retain(|_, origin| Arc::strong_count(origin) > 1);
        }
        let origin = Arc::new(Origin {
            slots: Arc::new(Semaphore::new(self.limits.max_connections_per_host)),
            queued: AtomicUsize::new(0),
            conns: Mutex::new(Vec::new()),
        });
        map.insert(key.to_owned(), origin.clone());
        origin
    }

    /// Counts a request as waiting for a connection under `key` (an [`origin_key`], or a local
    /// socket's `crate::local::pool_key`).
    pub(crate) fn queue(&self, key: &str) -> Queued {
        let origin = self.origin(key);
        origin.queued.fetch_add(1, Ordering::AcqRel);
        Queued(origin)
    }

    /// Takes one slot of the limit of `key` (as in [`Pool::queue`]) and one of the total limit,
    /// waiting up to the pool timeout. At the total limit, an idle connection to another origin
    /// is closed to free its slot.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        key: &str,
        pool_timeout: Option<Duration>,
    ) -> Result<Slots, Error> {
        let origin = self.origin(key);
        let acquire = async {
            let per_origin = origin.slots.clone().acquire_owned().await.map_err(closed)?;
            let total = self.total_slot(&origin).await?;
            Ok::<_, Error>((total, per_origin))
        };
        let (total, per_origin) = match pool_timeout {
            Some(limit) => tokio::time::timeout(limit, acquire).await.map_err(|_| {
                Error::new(
                    Kind::Timeout,
                    format!(
                        "pool timeout of {} ms elapsed waiting for a connection to {key} \
                         (all connections busy; raise limits.maxConnectionsPerHost or timeout.pool)",
                        limit.as_millis()
                    ),
                )
                .with_phase(Phase::Pool)
            })??,
            None => acquire.await?,
        };
        Ok(Slots {
            pool: self.clone(),
            origin,
            total,
            per_origin,
        })
    }

    /// A slot of the total limit: a free one, or one freed by closing the least recently used
    /// idle connection, now or when a connection goes idle. Only while a request to `origin`
    /// waits: hyper-util finishes a connect whose request took an idle connection meanwhile,
    /// and that one must not close another origin's connection.
    async fn total_slot(&self, origin: &Origin) -> Result<OwnedSemaphorePermit, Error> {
        if let Ok(permit) = self.total.clone().try_acquire_owned() {
            return Ok(permit);
        }
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let _waiting = Waiting(&self.waiting);
        loop {
            let went_idle = self.went_idle.notified();
            tokio::pin!(went_idle);
            went_idle.as_mut().enable();
            if origin.queued.load(Ordering::Acquire) > 0 {
                self.evict_idle(|_| 1);
            }
            tokio::select! {
                permit = self.total.clone().acquire_owned() => return permit.map_err(closed),
                () = &mut went_idle => {}
            }
        }
    }

    /// Called when a connection's last request ends: wakes tasks waiting for a total slot and
    /// enforces `max_idle_connections`. Two loads when neither applies.
    pub(crate) fn connection_idle(&self) {
        if self.waiting.load(Ordering::Acquire) > 0 {
            self.went_idle.notify_waiters();
        }
        let cap = self.limits.idle_cap();
        if self.open.load(Ordering::Acquire) > cap {
            self.evict_idle(|usable| usable.saturating_sub(cap));
        }
    }

    /// Closes `how_many(usable)` idle connections at most, least recently used first, where
    /// `usable` counts the idle connections of every origin that can still take a request
    /// (ones already closed by an earlier eviction stay listed until their task ends; counted,
    /// they made the next eviction close a live one too). Origins with queued requests are
    /// counted but skipped: those requests will take their idle connections.
    ///
    /// A request that takes one of these connections from hyper-util's idle list in the same
    /// instant finds it closed before its first byte is written and fails as on any stale
    /// pooled connection (an idempotent one is resent at once, see `Client::send_hop`).
    fn evict_idle(&self, how_many: impl FnOnce(usize) -> usize) {
        let mut usable = 0;
        let mut candidates: Vec<(u64, Arc<ConnShared>)> = Vec::new();
        for origin in self.origins.lock().values() {
            let queued = origin.queued.load(Ordering::Acquire) > 0;
            for conn in origin.conns.lock().iter() {
                if let Some(since) = conn.evictable_since() {
                    usable += 1;
                    if !queued {
                        candidates.push((since, conn.clone()));
                    }
                }
            }
        }
        let n = how_many(usable);
        if n == 0 {
            return;
        }
        candidates.sort_unstable_by_key(|(since, _)| *since);
        let mut closed = 0;
        for (_, conn) in candidates.into_iter() {
            if closed == n {
                break;
            }
            if conn.evictable_since().is_some() {
                conn.discard();
                closed += 1;
            }
        }
    }

    /// Counts per origin and in total. One lock for the origin map and one per origin.
    pub(crate) fn stats(&self) -> PoolStats {
        let mut stats = PoolStats::default();
        for (key, origin) in self.origins.lock().iter() {
            let counts = origin.stats();
            if counts.open > 0 || counts.queued > 0 {
                stats.total.add(&counts);
                stats.origins.push((key.clone(), counts));
            }
        }
        stats.origins.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        stats
    }
}

impl Origin {
    fn stats(&self) -> ConnectionStats {
        let mut counts = ConnectionStats {
            queued: self.queued.load(Ordering::Acquire),
            ..ConnectionStats::default()
        };
        for conn in self.conns.lock().iter() {
            let requests = conn.requests();
            counts.open += 1;
            if requests == 0 {
                counts.idle += 1;
            } else {
                counts.busy += 1;
                counts.in_flight += requests;
                if conn.is_h2() {
                    counts.http2_streams += requests;
                }
            }
        }
        counts
    }
}

impl Slots {
    /// The pool the slots belong to.
    pub(crate) fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    /// Registers the connection `shared` describes, which keeps these slots until it closes.
    pub(crate) fn register(self, shared: Arc<ConnShared>) -> Lease {
        self.origin.conns.lock().push(shared.clone());
        self.pool.open.fetch_add(1, Ordering::AcqRel);
        Lease {
            shared,
            pool: self.pool,
            origin: self.origin,
            _total: self.total,
            _per_origin: self.per_origin,
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.origin
            .conns
            .lock()
            .retain(|c| !Arc::ptr_eq(c, &self.shared));
        self.pool.open.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn closed(_: tokio::sync::AcquireError) -> Error {
    Error::new(Kind::ClientClosed, "the client was closed")
}

#[cfg(test)]
mod tests {
    use super::origin_key;

    #[test]
    fn origin_keys_read_like_url_origin() {
        assert_eq!(origin_key(true, "example.com", 443), "https://example.com");
        assert_eq!(
            origin_key(false, "example.com", 443),
            "http://example.com:443"
        );
        assert_eq!(
            origin_key(false, "127.0.0.1", 8080),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_key(false, "[::1]", 80), "http://[::1]");
        assert_eq!(origin_key(true, "::1", 8443), "https://[::1]:8443");
        assert_eq!(origin_key(true, "Example.COM", 443), "https://example.com");
    }
}
