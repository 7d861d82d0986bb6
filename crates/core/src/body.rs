//! Bodies on the wire: the request body hyper sends (buffered or streamed, with its length
//! checked) and the response body the caller reads (decoded, capped, under the read and total
//! timeouts, releasing its connection when it ends).

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::io::AsyncRead;
use tokio::time::Instant;

use crate::conn::InFlight;
use crate::error::{BoxError, Error, Kind, Phase};
use crate::request::BodyStream;
use crate::runtime::Lane;

/// The request body as hyper sees it.
pub(crate) enum ReqBody {
    Empty,
    Full(Option<Bytes>),
    Stream {
        stream: BodyStream,
        expected: Option<u64>,
        sent: u64,
        asked: bool,
        progress: UploadProgress,
    },
}

/// When a streamed request body last handed hyper a chunk or its end. On HTTP/2 the
/// connection's writes belong to every stream, so a streamed request's head timeout runs from
/// this instead: from its own last chunk while it uploads, from its end once it has ended.
#[derive(Clone, Debug)]
pub(crate) struct UploadProgress(Arc<Mutex<Instant>>);

impl UploadProgress {
    pub(crate) fn new() -> Self {
        UploadProgress(Arc::new(Mutex::new(Instant::now())))
    }

    fn mark(&self) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
    }

    /// Time since the body last moved.
    pub(crate) fn idle(&self) -> Duration {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .elapsed()
    }
}

impl HttpBody for ReqBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            ReqBody::Empty => Poll::Ready(None),
            ReqBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            ReqBody::Stream {
                stream,
                expected,
                sent,
                asked,
                progress,
            } => match stream.chunks.poll_recv(cx) {
                Poll::Ready(Some(chunk)) => {
                    progress.mark();
                    *asked = false;
                    *sent += chunk.len() as u64;
                    if expected.is_some_and(|n| *sent > n) {
                        return Poll::Ready(Some(Err(length_mismatch(*expected, *sent).into())));
                    }
                    Poll::Ready(Some(Ok(Frame::data(chunk))))
                }
                Poll::Ready(None) if expected.is_some_and(|n| *sent != n) => {
                    Poll::Ready(Some(Err(length_mismatch(*expected, *sent).into())))
                }
                Poll::Ready(None) => {
                    progress.mark();
                    Poll::Ready(None)
                }
                Poll::Pending => {
                    if !*asked {
                        *asked = true;
                        (stream.on_need)();
                    }
                    Poll::Pending
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ReqBody::Empty => true,
            ReqBody::Full(bytes) => bytes.is_none(),
            ReqBody::Stream { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReqBody::Empty => SizeHint::with_exact(0),
            ReqBody::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            ReqBody::Stream {
                expected: Some(n), ..
            } => SizeHint::with_exact(*n),
            ReqBody::Stream { .. } => SizeHint::default(),
        }
    }
}

fn length_mismatch(expected: Option<u64>, sent: u64) -> Error {
    Error::new(
        Kind::RequestBody,
        format!(
            "request body stream sent {sent} bytes but Content-Length is {}",
            expected.unwrap_or_default()
        ),
    )
    .with_phase(Phase::Write)
}

/// Where response bytes come from.
pub(crate) enum Source {
    Empty,
    Raw(Incoming),
    Decoded {
        reader: Box<dyn AsyncRead + Send + Unpin>,
        produced: u64,
        cap: u64,
    },
}

/// A response body. Read it with [`Body::chunk`]; dropping it early closes (HTTP/1.1) or
/// resets (HTTP/2) the underlying stream.
pub struct Body {
    source: Source,
    read_timeout: Option<Duration>,
    total: Option<(Instant, Duration)>,
    in_flight: Option<InFlight>,
    url: String,
    /// Attempts the request made, carried by the body's errors.
    attempts: u32,
}

const DECODE_CHUNK: usize = 64 * 1024;

/// The most bytes a caller reading a body piece by piece should ask [`Body::chunk`] for: larger
/// pieces mean fewer hand-overs, smaller ones bound what one piece holds in memory.
pub const CHUNK_MAX: usize = 256 * 1024;

impl Body {
    pub(crate) fn new(
        source: Source,
        read_timeout: Option<Duration>,
        total: Option<(Instant, Duration)>,
        in_flight: Option<InFlight>,
        url: String,
    ) -> Self {
        let mut body = Body {
            source,
            read_timeout,
            total,
            in_flight,
            url,
            attempts: 1,
        };
        if let Source::Raw(incoming) = &body.source {
            if incoming.is_end_stream() {
                body.finish();
            }
        }
        body
    }

    /// True when the body is being decompressed (decoding costs CPU, so callers may want to
    /// keep reads of such a body off latency-sensitive threads).
    pub fn is_decoded(&self) -> bool {
        matches!(self.source, Source::Decoded { .. })
    }

    /// Where reads of this body should run, for a request that ran on `lane`
    /// ([`crate::runtime`]): a body being decoded on the shared runtime, whose workers decode
    /// several bodies at once, so that decoding never holds the thread of an HTTP/2 lane,
    /// which every connection on that lane needs for its I/O; any other body on `lane`.
    pub fn read_lane(&self, lane: Lane) -> Lane {
        match self.is_decoded() {
            true => Lane::Shared,
            false => lane,
        }
    }

    /// True once every byte has been read.
    pub fn is_end(&self) -> bool {
        matches!(self.source, Source::Empty)
    }

    /// The exact number of bytes still to come, when the server declared it and no decoding
    /// applies.
    pub fn exact_len(&self) -> Option<u64> {
        match &self.source {
            Source::Empty => Some(0),
            Source::Raw(incoming) => incoming.size_hint().exact(),
            Source::Decoded { .. } => None,
        }
    }

    /// Waits for the next bytes, then adds whatever else is already available, up to `max`
    /// bytes. `None` means the body has ended. The wait is bounded by the read timeout (the
    /// longest gap between two pieces) and the request's total timeout.
    pub async fn chunk(&mut self, max: usize) -> Result<Option<Bytes>, Error> {
        match self.piece().await? {
            Some(first) => Ok(Some(self.coalesce(first, max)?)),
            None => Ok(None),
        }
    }

    /// Waits for the next piece, as it arrived (no copy). `None` means the body has ended.
    /// The wait is bounded as for [`Body::chunk`].
    ///
    /// Each piece spends a unit of the task's tokio budget, so a reader that finds piece after
    /// piece ready (a large body already received, or one that decodes to much more than
    /// arrived) lets the runtime's other tasks run in between instead of holding its thread
    /// until the body ends.
    pub async fn piece(&mut self) -> Result<Option<Bytes>, Error> {
        tokio::task::coop::consume_budget().await;
        match self.wait_limit() {
            Some((limit, phase, ms)) => {
                tokio::time::timeout(limit, std::future::poll_fn(|cx| self.poll_piece(cx)))
                    .await
                    .map_err(|_| self.located(Error::timeout(phase, ms)))?
            }
            None => std::future::poll_fn(|cx| self.poll_piece(cx)).await,
        }
    }

    /// Takes bytes that are available right now without waiting: `None` if nothing is ready.
    pub fn try_chunk(&mut self, max: usize) -> Option<Result<Option<Bytes>, Error>> {
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        match self.poll_piece(&mut cx) {
            Poll::Pending => None,
            Poll::Ready(Ok(Some(first))) => Some(self.coalesce(first, max).map(Some)),
            Poll::Ready(other) => Some(other),
        }
    }

    /// Takes the next piece that is available right now, as it arrived (no copy): `None` if
    /// nothing is ready.
    pub fn try_piece(&mut self) -> Option<Result<Option<Bytes>, Error>> {
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        match self.poll_piece(&mut cx) {
            Poll::Pending => None,
            Poll::Ready(ready) => Some(ready),
        }
    }

    /// Records how many attempts the request made.
    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.attempts = attempts;
    }

    /// `err` with the URL and the attempts of the request this body answers.
    fn located(&self, err: Error) -> Error {
        err.with_url(&self.url).with_attempts(self.attempts)
    }

    fn coalesce(&mut self, first: Bytes, max: usize) -> Result<Bytes, Error> {
        if first.len() >= max {
            return Ok(first);
        }
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        let mut buf: Option<BytesMut> = None;
        let mut len = first.len();
        while len < max {
            match self.poll_piece(&mut cx) {
                Poll::Ready(Ok(Some(next))) => {
                    let b = buf.get_or_insert_with(|| {
                        // Sized for what is here; it grows if more is ready.
                        let mut b = BytesMut::with_capacity((len + next.len()) * 2);
                        b.extend_from_slice(&first);
                        b
                    });
                    len += next.len();
                    b.extend_from_slice(&next);
                }
                Poll::Ready(Ok(None)) | Poll::Pending => break,
                Poll::Ready(Err(e)) => return Err(e),
            }
        }
        Ok(buf.map_or(first, BytesMut::freeze))
    }

    /// Reads and discards a small remaining body (up to 64 KiB, for at most one second) so
    /// its connection can be reused; a larger or slower one is dropped, closing it.
    pub(crate) async fn drain(mut self) {
        const LIMIT: u64 = 64 * 1024;
        if self.exact_len().is_none_or(|n| n > LIMIT) {
            return;
        }
        self.read_timeout = Some(
            self.read_timeout
                .map_or(Duration::from_secs(1), |d| d.min(Duration::from_secs(1))),
        );
        while let Ok(Some(_)) = self.chunk(LIMIT as usize).await {}
    }

    fn wait_limit(&self) -> Option<(Duration, Phase, u64)> {
        let read = self
            .read_timeout
            .map(|d| (d, Phase::Body, d.as_millis() as u64));
        let total = self.total.map(|(at, d)| {
            (
                at.saturating_duration_since(Instant::now()),
                Phase::Total,
                d.as_millis() as u64,
            )
        });
        match (read, total) {
            (Some(r), Some(t)) => Some(if t.0 < r.0 { t } else { r }),
            (r, t) => r.or(t),
        }
    }

    fn finish(&mut self) {
        self.source = Source::Empty;
        self.in_flight = None;
    }

    fn poll_piece(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, Error>> {
        let res = match &mut self.source {
            Source::Empty => return Poll::Ready(Ok(None)),
            Source::Raw(incoming) => {
                let polled = poll_incoming(incoming, cx);
                polled.map_err(|e| self.located(e))
            }
            Source::Decoded {
                reader,
                produced,
                cap,
            } => {
                let mut buf = BytesMut::with_capacity(DECODE_CHUNK);
                match tokio_util::io::poll_read_buf(Pin::new(reader), cx, &mut buf) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(0)) => Poll::Ready(Ok(None)),
                    Poll::Ready(Ok(n)) => {
                        *produced += n as u64;
                        if *produced > *cap {
                            Poll::Ready(Err(Error::new(
                                Kind::BodyTooLarge,
                                format!(
                                    "decoded body exceeds maxDecodedBodySize ({cap} bytes); raise the limit if this response is expected"
                                ),
                            )
                            .with_phase(Phase::Body)))
                        } else {
                            Poll::Ready(Ok(Some(buf.freeze())))
                        }
                    }
                    Poll::Ready(Err(e)) => Poll::Ready(Err(decode_error(e))),
                }
                .map_err(|e: Error| self.located(e))
            }
        };
        // A raw body whose last bytes were just taken ends now, not at one more poll: the
        // connection is released sooner and a reader learns the end with the last piece.
        let ended = match (&res, &self.source) {
            (Poll::Ready(Ok(None) | Err(_)), _) => true,
            (Poll::Ready(Ok(Some(_))), Source::Raw(incoming)) => incoming.is_end_stream(),
            _ => false,
        };
        if ended {
            self.finish();
        }
        res
    }
}

fn poll_incoming(
    incoming: &mut Incoming,
    cx: &mut Context<'_>,
) -> Poll<Result<Option<Bytes>, Error>> {
    loop {
        return match Pin::new(&mut *incoming).poll_frame(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(Ok(None)),
            Poll::Ready(Some(Err(e))) => {
                Poll::Ready(Err(
                    crate::classify::hyper_error(&e, Phase::Body).with_source(e)
                ))
            }
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) if !data.is_empty() => Poll::Ready(Ok(Some(data))),
                _ => continue, // trailers and empty frames carry no body bytes
            },
        };
    }
}

fn decode_error(err: io::Error) -> Error {
    if let Some(inner) = Error::find_in(&err) {
        return inner.shallow_clone();
    }
    Error::new(
        Kind::Decode,
        format!("could not decode the response body: {err}"),
    )
    .with_phase(Phase::Body)
    .with_source(err)
}

/// Adapts a hyper body to the byte stream the decoders read.
pub(crate) struct IncomingStream(pub(crate) Incoming);

impl futures_util::Stream for IncomingStream {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        poll_incoming(&mut self.get_mut().0, cx).map(|r| r.map_err(Error::into_io).transpose())
    }
}
