//! Request timings: monotonic marks taken in the engine while a request runs (pool slot,
//! DNS, TCP, TLS, request written, response head, body end), reported with the response or
//! the error as [`Timings`].
//!
//! A request's marks live in a [`RequestClock`] scoped over its whole run (retries and
//! redirects included); each exchange on a connection records its connection-phase marks in a
//! [`Marks`] that the connector receives from the requesting task, like the connect timeouts.
//! hyper-util may give the request a connection other than the one its connect is opening (a
//! pooled one freed meanwhile, or one another request opened): the exchange then reports the
//! connection as reused and no DNS, connect or TLS marks, since it paid for none of them.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::conn::ConnShared;

/// The protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/1.x.
    Http1,
    /// HTTP/2.
    Http2,
}

impl Protocol {
    /// `"h1"` or `"h2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http1 => "h1",
            Protocol::Http2 => "h2",
        }
    }
}

/// When each step of a request happened, in milliseconds from its start, for the last
/// exchange of the request (the final hop of the final attempt, as the browser's Resource
/// Timing describes the final response). A step that did not happen is `None`: `dns`,
/// `connect` and `tls` when the connection was not opened by this exchange (`reused`), `dns`
/// for an IP address, `tls` for `http:`.
///
/// ```
/// use hyperhttp_core::Timings;
/// let t = Timings::default();
/// assert_eq!(t.first_byte, None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// When the request started, on the engine's clock ([`clock_ms`]).
    pub start: f64,
    /// The exchange had its connection: the pool slot for a new connection, else the pooled
    /// connection handed over. Includes rate-limit waits, retry waits and earlier hops.
    pub queued: Option<f64>,
    /// The host name was resolved.
    pub dns: Option<f64>,
    /// The TCP connection was established.
    pub connect: Option<f64>,
    /// The TLS handshake finished.
    pub tls: Option<f64>,
    /// The connection's last write before the response head (or the failure): the request's
    /// last byte on HTTP/1.1, to the millisecond. On HTTP/2 the write may be another stream's.
    pub sent: Option<f64>,
    /// The response head was received.
    pub first_byte: Option<f64>,
    /// The body was received whole (set by whoever reads the body: see [`Timings::mark_end`]).
    pub end: Option<f64>,
    /// True when this exchange did not open its connection. `None` when it got none.
    pub reused: Option<bool>,
    /// The connection's protocol, when it got one.
    pub protocol: Option<Protocol>,
    /// The id of its connection, when connection events were observed as it opened (the id of
    /// [`crate::ConnectionInfo`]).
    pub connection: Option<u64>,
}

impl Timings {
    /// Records the end of the body now.
    pub fn mark_end(&mut self) {
        self.end = Some(clock_ms() - self.start);
    }
}

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Milliseconds on the engine's clock: monotonic, counted from the first time the engine read
/// it. The same clock as `performance.now()` up to a constant offset on Linux, macOS and
/// Windows (both read the OS monotonic clock).
pub fn clock_ms() -> f64 {
    ms(since_epoch(Instant::now()))
}

fn since_epoch(at: Instant) -> Duration {
    at.saturating_duration_since(*EPOCH.get_or_init(Instant::now))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nanoseconds since the epoch for a mark, never 0 (0 means "not marked").
fn stamp() -> u64 {
    (since_epoch(Instant::now()).as_nanos() as u64).max(1)
}

tokio::task_local! {
    /// The running request's clock; set over the whole request by [`RequestClock::scope`].
    static REQUEST: Arc<RequestClock>;
    /// The running exchange's connection marks; set over its hyper-util call.
    static EXCHANGE: Marks;
}

/// The marks of one request.
pub(crate) struct RequestClock {
    start: u64,
    timings: Mutex<Timings>,
}

impl RequestClock {
    pub(crate) fn start() -> Arc<RequestClock> {
        let start = stamp();
        Arc::new(RequestClock {
            start,
            timings: Mutex::new(Timings {
                start: start as f64 / 1e6,
                ..Timings::default()
            }),
        })
    }

    /// Runs `fut` with this clock as the request's. Not an `async fn`: that would be one more
    /// layer holding (and copying) the request's whole state machine.
    pub(crate) fn scope<F: std::future::Future>(
        self: &Arc<Self>,
        fut: F,
    ) -> impl std::future::Future<Output = F::Output> {
        REQUEST.scope(self.clone(), fut)
    }

    /// What the request's last exchange recorded.
    pub(crate) fn snapshot(&self) -> Timings {
        *self.timings.lock()
    }

    fn at(&self, stamp: u64) -> Option<f64> {
        (stamp != 0).then(|| stamp.saturating_sub(self.start) as f64 / 1e6)
    }
}

/// Connection-phase marks of one exchange, written by the connector (possibly after the
/// exchange moved on to another connection: see the module comment).
#[derive(Default)]
struct ExchangeMarks {
    slot: AtomicU64,
    dns: AtomicU64,
    connect: AtomicU64,
    tls: AtomicU64,
    /// The exchange was handed a connection.
    acquired: AtomicU64,
    /// Address of the `ConnShared` of the connection this exchange's connect opened.
    opened: AtomicUsize,
    /// The observed id of the connection handed over, or 0.
    connection: AtomicU64,
    /// The observed id of the connection this exchange's connect opened, or 0.
    opened_id: AtomicU64,
}

/// The marks of one exchange; a no-op outside a request (the connector of a connection that
/// no request is waiting for).
#[derive(Clone, Default)]
pub(crate) struct Marks(Option<Arc<ExchangeMarks>>);

impl Marks {
    /// New marks for an exchange of the running request (none outside a request).
    pub(crate) fn for_exchange() -> Marks {
        Marks(
            REQUEST
                .try_with(|_| Arc::new(ExchangeMarks::default()))
                .ok(),
        )
    }

    /// The marks of the exchange whose task calls the connector.
    pub(crate) fn current() -> Marks {
        EXCHANGE.try_with(Marks::clone).unwrap_or_default()
    }

    /// Runs `fut` (the exchange's hyper-util call) with these marks for the connector. Not an
    /// `async fn`, for the reason given at [`RequestClock::scope`].
    pub(crate) fn scope<F: std::future::Future>(
        &self,
        fut: F,
    ) -> impl std::future::Future<Output = F::Output> {
        EXCHANGE.scope(self.clone(), fut)
    }

    fn set(&self, field: impl Fn(&ExchangeMarks) -> &AtomicU64) {
        if let Some(m) = &self.0 {
            field(m).store(stamp(), Ordering::Release);
        }
    }

    /// Pool slots taken for a new connection.
    pub(crate) fn slot(&self) {
        self.set(|m| &m.slot);
    }

    /// Host name resolved.
    pub(crate) fn dns(&self) {
        self.set(|m| &m.dns);
    }

    /// TCP connected.
    pub(crate) fn connect(&self) {
        self.set(|m| &m.connect);
    }

    /// TLS handshake done.
    pub(crate) fn tls(&self) {
        self.set(|m| &m.tls);
    }

    /// The connect produced the connection whose shared state is `conn`, with the id
    /// `observed` when connection events are observed.
    pub(crate) fn opened(&self, conn: &Arc<ConnShared>, observed: Option<u64>) {
        if let Some(m) = &self.0 {
            m.opened
                .store(Arc::as_ptr(conn) as usize, Ordering::Release);
            m.opened_id.store(observed.unwrap_or(0), Ordering::Release);
        }
    }

    /// The exchange was handed `conn` (its id is read now: the connection may close as soon
    /// as the response is in).
    pub(crate) fn acquired(&self, conn: Option<&ConnShared>) {
        self.set(|m| &m.acquired);
        if let (Some(m), Some(id)) = (&self.0, conn.and_then(crate::observe::id_of)) {
            m.connection.store(id, Ordering::Release);
        }
    }

    /// The exchange ended on `conn` (if it got one): with the response head when `head`, else
    /// with a failure. Its marks become the request's.
    pub(crate) fn settle(&self, conn: Option<&ConnShared>, head: bool) {
        let Some(m) = &self.0 else { return };
        let _ = REQUEST.try_with(|clock| {
            let now = stamp();
            let load = |a: &AtomicU64| clock.at(a.load(Ordering::Acquire));
            let mut t = clock.timings.lock();
            *t = Timings {
                start: t.start,
                ..Timings::default()
            };
            let opened = m.opened.load(Ordering::Acquire);
            let own = conn.is_none_or(|c| std::ptr::eq(c, opened as *const ConnShared));
            if own {
                t.queued = load(&m.slot);
                t.dns = load(&m.dns);
                t.connect = load(&m.connect);
                t.tls = load(&m.tls);
            } else {
                t.queued = load(&m.acquired);
            }
            if let Some(c) = conn {
                t.reused = Some(!own);
                t.protocol = Some(if c.is_h2() {
                    Protocol::Http2
                } else {
                    Protocol::Http1
                });
                t.sent = sent(clock.at(now), c.since_last_write(), &t);
                let id = if own { &m.opened_id } else { &m.connection };
                t.connection = match id.load(Ordering::Acquire) {
                    0 => None,
                    id => Some(id),
                };
            }
            if head {
                t.first_byte = clock.at(now);
            }
        });
    }
}

/// The connection's last write, unless it happened before this exchange had the connection
/// (then it was an earlier request's, and this one wrote nothing). `since_last_write` counts
/// whole milliseconds, so a write up to 1 ms before the last connection mark is taken as
/// right after it.
fn sent(now: Option<f64>, since_last_write: Duration, t: &Timings) -> Option<f64> {
    let written = now? - ms(since_last_write);
    let floor = [t.queued, t.tls, t.connect]
        .into_iter()
        .flatten()
        .fold(0.0, f64::max);
    (written >= floor - 1.0).then(|| written.max(floor))
}
