//! One connection, not one per request, to a new `https:` origin that speaks HTTP/2. Until the
//! first connection's ALPN answer is known, hyper-util cannot share it: every request that
//! arrives meanwhile opens its own TLS connection. So the first request to an origin probes,
//! and the others wait for its answer; then they find the shared HTTP/2 connection in the pool
//! (or, for HTTP/1.1, open their own as before).

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use tokio::sync::watch;

use crate::conn::ConnShared;

/// Size of the origin map at which origins with nothing to remember are forgotten.
const PRUNE_ORIGINS_AT: usize = 1024;

/// What is known about an origin's protocol.
enum Known {
    /// A request is opening the first connection; its sender closes when it knows.
    Probing(watch::Receiver<()>),
    /// HTTP/2, on this connection while it lives.
    H2(Weak<ConnShared>),
    /// HTTP/1.1: each request may need its own connection, nothing to wait for.
    H1,
}

/// The protocol each `https:` origin answered with.
#[derive(Default)]
pub(crate) struct ProtocolGate {
    origins: Mutex<HashMap<String, Known>>,
}

/// The right (and duty) to learn an origin's protocol from the connection this request gets.
/// Dropping it unfinished lets the waiting requests go (one of them probes again).
pub(crate) struct Probe<'a> {
    gate: &'a ProtocolGate,
    origin: String,
    _done: watch::Sender<()>,
}

impl ProtocolGate {
    /// Waits while another request is learning `origin`'s protocol. Returns a probe when this
    /// request is to learn it. A request waits for one probe only: if that probe fails, it goes
    /// on by itself, so a failing origin costs each request one connect timeout at most, as
    /// without the gate.
    pub(crate) async fn enter(&self, origin: &str) -> Option<Probe<'_>> {
        let mut answer = {
            let mut origins = self.origins.lock();
            match origins.get(origin) {
                Some(Known::H1) => return None,
                Some(Known::H2(conn)) if conn.strong_count() > 0 => return None,
                Some(Known::Probing(answer)) => answer.clone(),
                _ => {
                    if origins.len() >= PRUNE_ORIGINS_AT {
                        origins.retain(|_, known| match known {
                            Known::Probing(_) => true,
                            Known::H2(conn) => conn.strong_count() > 0,
                            Known::H1 => false,
                        });
                    }
                    let (done, answer) = watch::channel(());
                    origins.insert(origin.to_owned(), Known::Probing(answer));
                    return Some(Probe {
                        gate: self,
                        origin: origin.to_owned(),
                        _done: done,
                    });
                }
            }
        };
        // Resolves when the probe's sender is dropped, whatever it learnt.
        while answer.changed().await.is_ok() {}
        None
    }

    /// True while `origin` is known to speak HTTP/2 on a live connection.
    pub(crate) fn speaks_h2(&self, origin: &str) -> bool {
        matches!(self.origins.lock().get(origin), Some(Known::H2(conn)) if conn.strong_count() > 0)
    }
}

impl Probe<'_> {
    /// Records the protocol of the connection the probing request got (`None`: it got none).
    pub(crate) fn finish(self, conn: Option<Arc<ConnShared>>) {
        if let Some(conn) = conn {
            let known = if conn.is_h2() {
                Known::H2(Arc::downgrade(&conn))
            } else {
                Known::H1
            };
            self.gate.origins.lock().insert(self.origin.clone(), known);
        }
    }
}

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        let mut origins = self.gate.origins.lock();
        if matches!(origins.get(&self.origin), Some(Known::Probing(_))) {
            origins.remove(&self.origin);
        }
    }
}
