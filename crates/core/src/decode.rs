//! Content decoding: gzip, deflate, br and zstd, stacked at most five deep, in the reverse of
//! the order the server applied them.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use async_compression::tokio::bufread::{
    BrotliDecoder, DeflateDecoder, GzipDecoder, ZlibDecoder, ZstdDecoder,
};
use http::header::CONTENT_ENCODING;
use http::HeaderMap;
use hyper::body::Incoming;
use tokio::io::{AsyncBufRead, AsyncRead, BufReader, ReadBuf};
use tokio_util::io::StreamReader;

use crate::body::IncomingStream;
use crate::error::{Error, Kind, Phase};

/// The most content codings hyperhttp will undo on one response.
pub const MAX_CODINGS: usize = 5;

/// The `Accept-Encoding` value sent when decompression is on.
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

/// The codings applied to a response body, in the order the server applied them. `None` when
/// there is nothing to undo, or when a coding is unknown (the body is then returned as sent).
pub(crate) fn codings(headers: &HeaderMap) -> Result<Option<Vec<Coding>>, Error> {
    let mut out = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let Ok(value) = value.to_str() else {
            return Ok(None);
        };
        for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let coding = match token.to_ascii_lowercase().as_str() {
                "identity" => continue,
                "gzip" | "x-gzip" => Coding::Gzip,
                "deflate" => Coding::Deflate,
                "br" => Coding::Brotli,
                "zstd" => Coding::Zstd,
                _ => return Ok(None),
            };
            out.push(coding);
            if out.len() > MAX_CODINGS {
                return Err(Error::new(
                    Kind::Decode,
                    format!(
                        "response uses more than {MAX_CODINGS} content codings; refusing to decode"
                    ),
                )
                .with_phase(Phase::Body));
            }
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// A reader of the decoded body.
pub(crate) fn decoder(body: Incoming, codings: &[Coding]) -> Box<dyn AsyncRead + Send + Unpin> {
    let raw = StreamReader::new(IncomingStream(body));
    let mut reader: Box<dyn AsyncRead + Send + Unpin> =
        wrap(BufReaderOrRaw::Raw(raw), codings[codings.len() - 1]);
    for coding in codings[..codings.len() - 1].iter().rev() {
        reader = wrap(BufReaderOrRaw::Buffered(BufReader::new(reader)), *coding);
    }
    reader
}

enum BufReaderOrRaw {
    Raw(StreamReader<IncomingStream, bytes::Bytes>),
    Buffered(BufReader<Box<dyn AsyncRead + Send + Unpin>>),
}

fn wrap(input: BufReaderOrRaw, coding: Coding) -> Box<dyn AsyncRead + Send + Unpin> {
    match input {
        BufReaderOrRaw::Raw(r) => with(r, coding),
        BufReaderOrRaw::Buffered(r) => with(r, coding),
    }
}

fn with<R>(input: R, coding: Coding) -> Box<dyn AsyncRead + Send + Unpin>
where
    R: tokio::io::AsyncBufRead + Send + Unpin + 'static,
{
    match coding {
        Coding::Gzip => Box::new(GzipMembers(Some(GzipDecoder::new(input)))),
        Coding::Deflate => Box::new(Deflate::Probe(Some(input))),
        Coding::Brotli => Box::new(BrotliDecoder::new(input)),
        Coding::Zstd => Box::new(ZstdDecoder::new(input)),
    }
}

/// `gzip` as Node's `fetch` decodes it (zlib's own rule): members one after another, and a
/// zero byte where the next member would start ends the body (servers pad with zeros). Other
/// trailing bytes are read as a member header, so garbage is a decode error there as here.
struct GzipMembers<R>(Option<GzipDecoder<R>>);

impl<R: AsyncBufRead + Unpin> AsyncRead for GzipMembers<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let Some(member) = self.0.as_mut() else {
                return Poll::Ready(Ok(()));
            };
            let before = buf.filled().len();
            ready!(Pin::new(&mut *member).poll_read(cx, buf))?;
            if buf.filled().len() > before || buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            // This member ended; what follows it decides whether another one starts.
            let rest = ready!(Pin::new(member.get_mut()).poll_fill_buf(cx))?;
            if rest.first().is_none_or(|&b| b == 0) {
                self.0 = None;
                return Poll::Ready(Ok(()));
            }
            let input = self.0.take().map(GzipDecoder::into_inner);
            self.0 = input.map(GzipDecoder::new);
        }
    }
}

/// `deflate` as servers really send it: zlib-wrapped (RFC 1950) as the standard says, or raw
/// deflate (RFC 1951) as some servers do. The first byte tells them apart: a zlib stream
/// starts with a CMF byte whose low nibble is 8.
enum Deflate<R> {
    Probe(Option<R>),
    Zlib(ZlibDecoder<R>),
    Raw(DeflateDecoder<R>),
}

impl<R: AsyncBufRead + Unpin> AsyncRead for Deflate<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            match &mut *self {
                Deflate::Probe(input) => {
                    let reader = input
                        .as_mut()
                        .expect("probe holds its input until it decides");
                    let head = ready!(Pin::new(reader).poll_fill_buf(cx))?;
                    let zlib = head.first().is_none_or(|b| b & 0x0f == 0x08);
                    let input = input
                        .take()
                        .expect("probe holds its input until it decides");
                    *self = if zlib {
                        Deflate::Zlib(ZlibDecoder::new(input))
                    } else {
                        Deflate::Raw(DeflateDecoder::new(input))
                    };
                }
                Deflate::Zlib(d) => return Pin::new(d).poll_read(cx, buf),
                Deflate::Raw(d) => return Pin::new(d).poll_read(cx, buf),
            }
        }
    }
}
