//! One pooled connection's transport: the socket (plain or TLS), the pool slots it holds, and
//! its idle expiry. Expiry lives at the I/O layer because hyper's pool has one idle timeout
//! for all connections, while a server's `Keep-Alive: timeout=N` hint is per connection.
//! Retirement (`max_connection_age`, `max_requests_per_connection`) ends a connection the same
//! way once its last request is done.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use futures_util::task::AtomicWaker;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use tokio_rustls::client::TlsStream;

use crate::pool::{Lease, Pool, Slots};
use crate::runtime::Lane;

/// Microseconds since the first call, on tokio's clock.
fn now_us() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// Milliseconds on the clock of [`now_us`].
fn now_ms() -> u64 {
    now_us() / 1000
}

/// State shared between a connection's transport and the responses that use it.
#[derive(Debug)]
pub(crate) struct ConnShared {
    /// Requests using this connection: from the moment one gets the connection until its
    /// response body ends or is dropped.
    in_flight: AtomicUsize,
    /// When `in_flight` last dropped to zero, in microseconds: the pool closes the least
    /// recently used idle connection first, and back-to-back requests end within one
    /// millisecond.
    idle_since_us: AtomicU64,
    /// When bytes were last written (a request started).
    last_write: AtomicU64,
    /// When a write started to block, or `u64::MAX`.
    write_blocked_since: AtomicU64,
    /// How long this connection may stay idle, in ms.
    idle_limit: AtomicU64,
    /// Requests that have used this connection.
    uses: AtomicU64,
    /// The connection must not carry another byte (see [`ConnShared::discard`]).
    discarded: AtomicBool,
    /// The connection speaks HTTP/2, so its reads and writes belong to many requests.
    h2: bool,
    /// The connection task's last read, woken when the connection becomes idle so the idle
    /// timer is armed even if hyper polled the socket while a body was still being read.
    reader: AtomicWaker,
    /// The pool this connection belongs to, told when the connection goes idle.
    pool: Arc<Pool>,
    /// When the connection reaches `max_connection_age` (`u64::MAX`: never).
    retire_at: u64,
    /// `max_requests_per_connection` (`u64::MAX`: no limit).
    max_uses: u64,
    /// The connection takes no new request and closes as soon as it is idle.
    retiring: AtomicBool,
}

impl ConnShared {
    fn new(idle_limit: Duration, h2: bool, pool: Arc<Pool>) -> Self {
        let now_us = now_us();
        let now = now_us / 1000;
        let limits = pool.limits();
        let retire_at = limits
            .max_connection_age
            .map_or(u64::MAX, |age| now.saturating_add(age.as_millis() as u64));
        let max_uses = limits.max_requests_per_connection.unwrap_or(u64::MAX);
        ConnShared {
            in_flight: AtomicUsize::new(0),
            idle_since_us: AtomicU64::new(now_us),
            last_write: AtomicU64::new(now),
            write_blocked_since: AtomicU64::new(u64::MAX),
            idle_limit: AtomicU64::new(idle_limit.as_millis() as u64),
            uses: AtomicU64::new(0),
            discarded: AtomicBool::new(false),
            h2,
            reader: AtomicWaker::new(),
            pool,
            retire_at,
            max_uses,
            retiring: AtomicBool::new(false),
        }
    }

    /// When this idle connection expires (at once when retiring), or `None` while a request
    /// uses it.
    fn idle_deadline(&self) -> Option<u64> {
        if self.in_flight.load(Ordering::Acquire) != 0 {
            return None;
        }
        let since = self.idle_since_us.load(Ordering::Acquire) / 1000;
        if self.retiring.load(Ordering::Acquire) {
            return Some(since);
        }
        let expiry = since.saturating_add(self.idle_limit.load(Ordering::Relaxed));
        Some(expiry.min(self.retire_at))
    }

    /// Requests using this connection now.
    pub(crate) fn requests(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Since when (microseconds) this connection has been idle, if it is idle and still
    /// usable: a candidate for the pool to close.
    pub(crate) fn evictable_since(&self) -> Option<u64> {
        (self.in_flight.load(Ordering::Acquire) == 0 && !self.discarded.load(Ordering::Acquire))
            .then(|| self.idle_since_us.load(Ordering::Acquire))
    }

    /// Applies a server's `Keep-Alive: timeout=N` hint: keep the connection at most one second
    /// less than the server will, so the server never closes it under a new request.
    pub(crate) fn apply_keep_alive_hint(&self, server_timeout_secs: u64) {
        let limit = server_timeout_secs
            .saturating_mul(1000)
            .saturating_sub(1000);
        self.idle_limit.fetch_min(limit, Ordering::Relaxed);
    }

    /// Ends the connection: its next read reports end of stream, which makes hyper close it
    /// and drop it from the pool. For a response that leaves the rest of the stream suspect.
    pub(crate) fn discard(&self) {
        self.discarded.store(true, Ordering::Release);
        self.reader.wake();
    }

    /// [`ConnShared::discard`] unless a request is using the connection: for an idle pooled
    /// connection whose route changed (`route.rs`).
    pub(crate) fn discard_if_idle(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 {
            self.discard();
        }
    }

    /// True once the connection has been discarded: it carries no more bytes and is closing.
    pub(crate) fn is_discarded(&self) -> bool {
        self.discarded.load(Ordering::Acquire)
    }

    /// True when a request has already used this connection.
    pub(crate) fn used_before(&self) -> bool {
        self.uses.load(Ordering::Acquire) > 0
    }

    /// How long the current write has been blocked, if it is.
    pub(crate) fn write_blocked_for(&self) -> Option<Duration> {
        let since = self.write_blocked_since.load(Ordering::Acquire);
        (since != u64::MAX).then(|| Duration::from_millis(now_ms().saturating_sub(since)))
    }

    /// True for an HTTP/2 connection.
    pub(crate) fn is_h2(&self) -> bool {
        self.h2
    }

    /// Time since the last write (the request, on an HTTP/1.1 connection).
    pub(crate) fn since_last_write(&self) -> Duration {
        Duration::from_millis(now_ms().saturating_sub(self.last_write.load(Ordering::Acquire)))
    }
}

/// Marks a request as using its connection until dropped (when its body ends or is dropped).
#[derive(Debug)]
pub(crate) struct InFlight {
    shared: Arc<ConnShared>,
    reused: bool,
}

impl InFlight {
    pub(crate) fn new(shared: Arc<ConnShared>) -> Self {
        shared.in_flight.fetch_add(1, Ordering::AcqRel);
        let uses = shared.uses.fetch_add(1, Ordering::AcqRel) + 1;
        if uses >= shared.max_uses || now_ms() >= shared.retire_at {
            shared.retiring.store(true, Ordering::Release);
        }
        InFlight {
            shared,
            reused: uses > 1,
        }
    }

    /// True when the connection has reached its age or request limit: it must not be handed
    /// out again (the caller poisons it in hyper-util's pool) and closes once idle.
    pub(crate) fn retiring(&self) -> bool {
        self.shared.retiring.load(Ordering::Acquire)
    }

    /// The connection's shared state.
    pub(crate) fn conn(&self) -> &ConnShared {
        &self.shared
    }

    /// True when an earlier request already used this connection (it came from the pool).
    pub(crate) fn reused(&self) -> bool {
        self.reused
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shared.idle_since_us.store(now_us(), Ordering::Release);
        if self.shared.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.reader.wake();
            self.shared.pool.connection_idle();
        }
    }
}

/// Handle to [`ConnShared`] carried in response extensions by hyper-util.
#[derive(Debug, Clone)]
pub(crate) struct ConnHandle(pub(crate) Arc<ConnShared>);

/// A transport hyper can drive, whatever socket, TLS and tunnel layers are under it.
pub(crate) trait Transport: Read + Write + Send + Unpin {}

impl<T: Read + Write + Send + Unpin> Transport for T {}

/// A connection's socket. Direct TCP connections, the common case, are not boxed.
pub(crate) enum Stream {
    Plain(TokioIo<Socket>),
    Tls(Box<TokioIo<TlsStream<Socket>>>),
    /// Through a proxy (any layering of TCP, TLS and tunnels), or over a Unix domain socket or
    /// named pipe, plain or with TLS (`socketPath`, mock servers).
    Boxed(Box<dyn Transport>),
}

/// A connection's socket: TCP (to the origin, or to a proxy under the tunnel's layers), or a
/// Unix domain socket (`socketPath`). It can move to another runtime's reactor once it is
/// connected: an HTTP/2 connection runs on its origin's lane (crate::runtime), and over TLS
/// only ALPN tells, after the handshake on the runtime of the request that opened it.
pub(crate) struct Socket<S = TcpStream>(Option<S>);

impl<S: crate::runtime::Movable> Socket<S> {
    pub(crate) fn new(stream: S) -> Self {
        Socket(Some(stream))
    }

    /// Moves the socket to `lane`'s reactor ([`crate::runtime::adopt`]).
    pub(crate) fn move_to(&mut self, lane: Lane) -> io::Result<()> {
        let stream = self.0.take().ok_or_else(moved_out)?;
        self.0 = Some(crate::runtime::adopt(lane, stream)?);
        Ok(())
    }
}

impl<S: Unpin> Socket<S> {
    fn stream(&mut self) -> io::Result<Pin<&mut S>> {
        self.0.as_mut().map(Pin::new).ok_or_else(moved_out)
    }
}

/// The error of a socket whose move to another reactor failed half-way.
fn moved_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the socket was lost moving to another thread",
    )
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Socket<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut().stream()?.poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Socket<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().stream()?.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().stream()?.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.as_ref().is_some_and(S::is_write_vectored)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().stream()?.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().stream()?.poll_shutdown(cx)
    }
}

/// A connection's transport as hyper sees it.
pub(crate) struct Conn {
    stream: Stream,
    /// Where the connection's tasks run (crate::runtime).
    lane: Lane,
    shared: Arc<ConnShared>,
    h2: bool,
    idle_timer: Option<Pin<Box<Sleep>>>,
    _lease: Lease,
    /// Requests go to an HTTP proxy that forwards them (absolute-form targets).
    forwarding: bool,
    /// Reports the close to connection observers (diagnostics), when they watched the open.
    _close: Option<crate::observe::CloseGuard>,
}

impl Conn {
    pub(crate) fn new(stream: Stream, h2: bool, idle_limit: Duration, slots: Slots) -> Self {
        let shared = Arc::new(ConnShared::new(idle_limit, h2, slots.pool().clone()));
        Conn {
            stream,
            _lease: slots.register(shared.clone()),
            shared,
            h2,
            lane: crate::runtime::here(),
            idle_timer: None,
            forwarding: false,
            _close: None,
        }
    }

    /// Marks the connection as one to an HTTP proxy that forwards each request.
    pub(crate) fn forwarding(mut self) -> Self {
        self.forwarding = true;
        self
    }

    /// Records that the connection's socket is on `lane`'s reactor, where its tasks belong (by
    /// default the lane of the thread that opened it).
    pub(crate) fn on_lane(mut self, lane: Lane) -> Self {
        self.lane = lane;
        self
    }

    /// Where the connection's tasks run.
    pub(crate) fn lane(&self) -> Lane {
        self.lane
    }

    /// The state shared with the responses that use this connection.
    pub(crate) fn shared(&self) -> &Arc<ConnShared> {
        &self.shared
    }

    /// Reports this connection's close through `guard` when it is dropped.
    pub(crate) fn watch(&mut self, guard: crate::observe::CloseGuard) {
        self._close = Some(guard);
    }

    /// True when the connection has been idle past its limit; arms a wake-up otherwise.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(deadline) = self.shared.idle_deadline() else {
            return false;
        };
        let now = now_ms();
        if now >= deadline {
            return true;
        }
        let at = Instant::now() + Duration::from_millis(deadline - now);
        let timer = self
            .idle_timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        timer.as_mut().reset(at);
        timer.as_mut().poll(cx).is_ready()
    }
}

use std::future::Future;

impl Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.shared.reader.register(cx.waker());
        if this.shared.discarded.load(Ordering::Acquire) {
            return Poll::Ready(Ok(()));
        }
        let res = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
            Stream::Boxed(s) => Pin::new(&mut **s).poll_read(cx, buf),
        };
        // Reading EOF makes hyper drop the connection from its pool, exactly as if the
        // server had closed it, so an expired connection is never handed out again.
        if res.is_pending() && this.poll_expired(cx) {
            return Poll::Ready(Ok(()));
        }
        res
    }
}

impl Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(refused) = this.refuse_write() {
            return refused;
        }
        let res = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
            Stream::Boxed(s) => Pin::new(&mut **s).poll_write(cx, buf),
        };
        this.note_write(&res);
        res
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(refused) = this.refuse_write() {
            return refused;
        }
        let res = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write_vectored(cx, bufs),
            Stream::Boxed(s) => Pin::new(&mut **s).poll_write_vectored(cx, bufs),
        };
        this.note_write(&res);
        res
    }

    fn is_write_vectored(&self) -> bool {
        match &self.stream {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
            Stream::Boxed(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
            Stream::Boxed(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_shutdown(cx),
            Stream::Boxed(s) => Pin::new(&mut **s).poll_shutdown(cx),
        }
    }
}

impl Conn {
    /// A discarded connection writes nothing more: a request that took it from the pool in
    /// the instant it was closed never reaches the server on it.
    fn refuse_write(&self) -> Option<Poll<io::Result<usize>>> {
        self.shared.discarded.load(Ordering::Acquire).then(|| {
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the pool closed this connection",
            )))
        })
    }

    fn note_write(&mut self, res: &Poll<io::Result<usize>>) {
        let shared = &self.shared;
        match res {
            Poll::Ready(Ok(n)) if *n > 0 => {
                shared.last_write.store(now_ms(), Ordering::Release);
                shared
                    .write_blocked_since
                    .store(u64::MAX, Ordering::Release);
            }
            Poll::Pending => {
                let _ = shared.write_blocked_since.compare_exchange(
                    u64::MAX,
                    now_ms(),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                );
            }
            _ => {}
        }
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        let connected = Connected::new()
            .extra(ConnHandle(self.shared.clone()))
            .proxy(self.forwarding);
        if self.h2 {
            connected.negotiated_h2()
        } else {
            connected
        }
    }
}
