//! What of a response body travels with its head. The head is never held back for the body:
//! only bytes already received go with it, so most small responses are delivered whole at
//! once, while a body that trickles in after its head is read like any other, under the
//! body's own timeout.

use bytes::{Bytes, BytesMut};

use crate::body::Body;
use crate::error::Error;

/// The most body bytes that travel with a head.
pub const INLINE_MAX: usize = 64 * 1024;

/// The part of a body that was ready when its head arrived (see [`Body::take_ready`]).
#[derive(Debug, Default)]
pub struct Ready {
    /// The bytes already received, in order; `None` when there were none.
    pub bytes: Option<Bytes>,
    /// True when `bytes` is the whole body.
    pub complete: bool,
    /// An error met after `bytes`; it belongs to the next read of the body.
    pub error: Option<Error>,
}

impl Ready {
    fn len(&self) -> usize {
        self.bytes.as_ref().map_or(0, Bytes::len)
    }

    fn settled(&self) -> bool {
        self.complete || self.error.is_some()
    }

    fn push(&mut self, more: Bytes) {
        self.bytes = Some(match self.bytes.take() {
            None => more,
            Some(first) => {
                let mut joined = BytesMut::with_capacity(first.len() + more.len());
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&more);
                joined.freeze()
            }
        });
    }
}

impl Body {
    /// Takes the bytes already received, stopping once `max` are taken (a piece is never
    /// split), and says whether that is the whole body; a body whose declared length exceeds
    /// `max` is left whole for its reads. Never waits on the network: when the body is
    /// incomplete, the connection gets one scheduler turn to hand over bytes it has read but
    /// not yet passed on (an HTTP/2 DATA frame that came in the same read as the HEADERS is
    /// processed after the head is delivered), and what is still missing is left for
    /// [`Body::chunk`].
    ///
    /// ```no_run
    /// # async fn run(mut res: hyperhttp_core::Response) {
    /// use hyperhttp_core::INLINE_MAX;
    /// let ready = res.body.take_ready(INLINE_MAX).await;
    /// if !ready.complete {
    ///     // read the rest with res.body.chunk(...)
    /// }
    /// # }
    /// ```
    pub async fn take_ready(&mut self, max: usize) -> Ready {
        let mut ready = Ready::default();
        // A body declared longer than `max` cannot travel whole with its head. Taking its first
        // bytes would only copy them out to the caller, and back in front of a whole-body read;
        // left in place, every byte is copied once, by whoever reads the body.
        if self.exact_len().is_some_and(|n| n > max as u64) {
            return ready;
        }
        self.take_now(max, &mut ready);
        if !ready.settled() && ready.len() < max {
            tokio::task::yield_now().await;
            self.take_now(max, &mut ready);
        }
        ready
    }

    fn take_now(&mut self, max: usize, ready: &mut Ready) {
        while !ready.settled() && ready.len() < max {
            match self.try_piece() {
                None => break,
                Some(Ok(Some(piece))) => ready.push(piece),
                Some(Ok(None)) => ready.complete = true,
                Some(Err(e)) => ready.error = Some(e),
            }
        }
        // A failed body is finished too, but not complete.
        ready.complete |= ready.error.is_none() && self.is_end();
    }
}
