//! Connection events for observers (diagnostics): a connection opened, closed, or failed to
//! open. Nothing is built, and no address is looked up, while no observer is set.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use parking_lot::{Mutex, RwLock};

use crate::conn::ConnShared;

use crate::error::{Error, Kind, Phase};
use crate::timings::Protocol;

/// One connection, as reported when it opens and again when it closes.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    /// Unique among the connections of this process.
    pub id: u64,
    /// `scheme://host:port` the connection was opened for.
    pub origin: String,
    /// The protocol it speaks.
    pub protocol: Protocol,
    /// The local end of the TCP connection.
    pub local: Option<SocketAddr>,
    /// The server's end.
    pub remote: Option<SocketAddr>,
}

/// What happened to a connection.
#[derive(Debug)]
pub enum ConnectionEvent {
    /// A connection was opened (TCP, and TLS for `https:`, done).
    Open(ConnectionInfo),
    /// A connection opened while observed was closed.
    Close(ConnectionInfo),
    /// Opening a connection to `origin` failed.
    Error {
        /// `scheme://host:port`.
        origin: String,
        /// Why (a DNS, connect, TLS or timeout error with its phase).
        error: Error,
    },
}

/// Receives connection events, on the engine's threads.
pub type ConnectionObserver = Arc<dyn Fn(ConnectionEvent) + Send + Sync>;

/// The observer of one client's connections, if any.
#[derive(Default)]
pub(crate) struct Observers {
    observer: RwLock<Option<ConnectionObserver>>,
}

impl Observers {
    pub(crate) fn set(&self, observer: Option<ConnectionObserver>) {
        *self.observer.write() = observer;
    }

    pub(crate) fn get(&self) -> Option<ConnectionObserver> {
        self.observer.read().clone()
    }
}

/// Ids of the observed connections that are open, by the address of their shared state, so
/// a request can say which one it used ([`id_of`]).
static OPEN: LazyLock<Mutex<HashMap<usize, u64>>> = LazyLock::new(Default::default);
/// Entries in `OPEN`, read without its lock while nothing is observed.
static OPEN_COUNT: AtomicUsize = AtomicUsize::new(0);

/// The id of `conn` when it was opened while observed.
pub(crate) fn id_of(conn: &ConnShared) -> Option<u64> {
    if OPEN_COUNT.load(Ordering::Acquire) == 0 {
        return None;
    }
    let key = conn as *const ConnShared as usize;
    OPEN.lock().get(&key).copied()
}

/// Reports the close of an observed connection when dropped (with the connection).
pub(crate) struct CloseGuard {
    info: ConnectionInfo,
    observer: ConnectionObserver,
    key: usize,
}

impl Drop for CloseGuard {
    fn drop(&mut self) {
        if OPEN.lock().remove(&self.key).is_some() {
            OPEN_COUNT.fetch_sub(1, Ordering::AcqRel);
        }
        (self.observer)(ConnectionEvent::Close(self.info.clone()));
    }
}

impl CloseGuard {
    /// The connection's id.
    pub(crate) fn id(&self) -> u64 {
        self.info.id
    }
}

/// Reports an opened connection; the returned guard reports its close.
pub(crate) fn opened(
    observer: ConnectionObserver,
    conn: &Arc<ConnShared>,
    origin: String,
    protocol: Protocol,
    local: Option<SocketAddr>,
    remote: Option<SocketAddr>,
) -> CloseGuard {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let info = ConnectionInfo {
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        origin,
        protocol,
        local,
        remote,
    };
    let key = Arc::as_ptr(conn) as usize;
    OPEN.lock().insert(key, info.id);
    OPEN_COUNT.fetch_add(1, Ordering::AcqRel);
    observer(ConnectionEvent::Open(info.clone()));
    CloseGuard {
        info,
        observer,
        key,
    }
}

/// Reports a failed connect to `observer`, unless nothing was being opened (the request never
/// got a pool slot, or the client closed).
pub(crate) fn failed(observer: Option<ConnectionObserver>, uri: &http::Uri, error: &Error) {
    let Some(observer) = observer else { return };
    if error.phase() == Some(Phase::Pool) || error.kind() == Kind::ClientClosed {
        return;
    }
    observer(ConnectionEvent::Error {
        origin: origin_of(uri),
        error: error.shallow_clone(),
    });
}

/// `scheme://host:port` of a connection's URI, with the scheme's default port filled in.
pub(crate) fn origin_of(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    format!("{scheme}://{}:{port}", uri.host().unwrap_or_default())
}
