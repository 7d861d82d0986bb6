//! A scripted HTTP/2 server that writes raw frames, for servers that break the protocol on
//! purpose: h2c with prior knowledge, or TLS with ALPN `h2`. Header blocks are HPACK literals
//! without indexing or Huffman coding, so a script can put any bytes in them.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub const DATA: u8 = 0x0;
pub const HEADERS: u8 = 0x1;
pub const RST_STREAM: u8 = 0x3;
pub const SETTINGS: u8 = 0x4;
pub const PUSH_PROMISE: u8 = 0x5;
pub const PING: u8 = 0x6;
pub const GOAWAY: u8 = 0x7;
pub const WINDOW_UPDATE: u8 = 0x8;
pub const CONTINUATION: u8 = 0x9;

pub const END_STREAM: u8 = 0x1;
pub const ACK: u8 = 0x1;
pub const END_HEADERS: u8 = 0x4;

/// SETTINGS_ENABLE_PUSH.
pub const SETTINGS_ENABLE_PUSH: u16 = 0x2;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One frame as read from the client.
#[derive(Debug, Clone)]
pub struct Frame {
    pub kind: u8,
    pub flags: u8,
    pub stream: u32,
    pub payload: Vec<u8>,
}

/// The server side of one connection.
pub struct H2Conn {
    io: Box<dyn Io>,
    /// The client's SETTINGS parameters, in the order received.
    pub client_settings: Vec<(u16, u32)>,
}

impl H2Conn {
    /// Reads the client preface. With `send_settings`, sends the server's empty SETTINGS.
    pub async fn accept(io: Box<dyn Io>, send_settings: bool) -> Option<H2Conn> {
        let mut conn = H2Conn {
            io,
            client_settings: Vec::new(),
        };
        let mut preface = [0u8; 24];
        conn.io.read_exact(&mut preface).await.ok()?;
        if preface != PREFACE {
            return None;
        }
        if send_settings {
            conn.write(SETTINGS, 0, 0, &[]).await.ok()?;
        }
        Some(conn)
    }

    /// Reads the next frame, whatever it is.
    pub async fn read_frame(&mut self) -> Option<Frame> {
        let mut head = [0u8; 9];
        self.io.read_exact(&mut head).await.ok()?;
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0u8; len];
        self.io.read_exact(&mut payload).await.ok()?;
        Some(Frame {
            kind: head[3],
            flags: head[4],
            stream: u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff,
            payload,
        })
    }

    /// Reads frames, acknowledging SETTINGS and recording them, until the client opens a
    /// stream; returns its id, or `None` at end of connection.
    pub async fn next_request(&mut self) -> Option<u32> {
        loop {
            let frame = self.read_frame().await?;
            match frame.kind {
                SETTINGS if frame.flags & ACK == 0 => {
                    for param in frame.payload.chunks_exact(6) {
                        let id = u16::from_be_bytes([param[0], param[1]]);
                        let value = u32::from_be_bytes([param[2], param[3], param[4], param[5]]);
                        self.client_settings.push((id, value));
                    }
                    self.write(SETTINGS, ACK, 0, &[]).await.ok()?;
                }
                HEADERS => return Some(frame.stream),
                _ => {}
            }
        }
    }

    /// Writes one frame.
    pub async fn write(
        &mut self,
        kind: u8,
        flags: u8,
        stream: u32,
        payload: &[u8],
    ) -> std::io::Result<()> {
        self.io
            .write_all(&frame(kind, flags, stream, payload))
            .await
    }

    /// Writes bytes as they are (several frames at once, or garbage).
    pub async fn write_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.io.write_all(bytes).await
    }

    /// Sends a complete response head.
    pub async fn headers(
        &mut self,
        stream: u32,
        fields: &[(&str, &str)],
        end_stream: bool,
    ) -> std::io::Result<()> {
        let flags = END_HEADERS | if end_stream { END_STREAM } else { 0 };
        self.write(HEADERS, flags, stream, &block(fields)).await
    }

    /// Answers `stream` with 200 and `body`.
    pub async fn ok(&mut self, stream: u32, body: &[u8]) -> std::io::Result<()> {
        self.headers(stream, &[(":status", "200")], false).await?;
        self.write(DATA, END_STREAM, stream, body).await
    }

    /// Reads and discards everything until the client closes the connection.
    pub async fn drain(mut self) {
        let mut sink = [0u8; 16 * 1024];
        while matches!(self.io.read(&mut sink).await, Ok(n) if n > 0) {}
    }

    /// Splits into the writing half and a task that reads and discards the client's frames,
    /// so a script can write without the client stalling on a full socket. The `Notify` gets
    /// a permit when the client sends RST_STREAM or GOAWAY (it gave up on a stream).
    pub fn write_half(self) -> (Arc<Notify>, tokio::io::WriteHalf<Box<dyn Io>>) {
        let (read, write) = tokio::io::split(self.io);
        let gave_up = Arc::new(Notify::new());
        tokio::spawn({
            let gave_up = gave_up.clone();
            async move {
                let mut read = read;
                let mut head = [0u8; 9];
                while read.read_exact(&mut head).await.is_ok() {
                    let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
                    let mut payload = vec![0u8; len];
                    if read.read_exact(&mut payload).await.is_err() {
                        break;
                    }
                    if matches!(head[3], RST_STREAM | GOAWAY) {
                        gave_up.notify_one();
                    }
                }
            }
        });
        (gave_up, write)
    }
}

/// One frame's bytes.
pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = Vec::with_capacity(9 + payload.len());
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// An HPACK integer with an `n`-bit prefix whose high bits are `first`.
fn integer(out: &mut Vec<u8>, first: u8, n: u32, mut value: usize) {
    let max = (1usize << n) - 1;
    if value < max {
        out.push(first | value as u8);
        return;
    }
    out.push(first | max as u8);
    value -= max;
    while value >= 128 {
        out.push((value % 128) as u8 | 0x80);
        value /= 128;
    }
    out.push(value as u8);
}

/// An HPACK header block: each field a literal without indexing, with a literal name.
pub fn block(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.push(0x00);
        integer(&mut out, 0, 7, name.len());
        out.extend_from_slice(name.as_bytes());
        integer(&mut out, 0, 7, value.len());
        out.extend_from_slice(value.as_bytes());
    }
    out
}

/// A GOAWAY payload.
pub fn goaway(last_stream: u32, code: u32) -> Vec<u8> {
    [last_stream.to_be_bytes(), code.to_be_bytes()].concat()
}

/// A raw HTTP/2 server; counts its connections and stops accepting when dropped.
pub struct RawH2 {
    pub addr: std::net::SocketAddr,
    scheme: &'static str,
    accepted: Arc<AtomicUsize>,
    accept_loop: JoinHandle<()>,
}

impl RawH2 {
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for RawH2 {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

/// Runs `script` on every connection, given the connection's index (0 for the first). With
/// `tls`, the connection is TLS (the configuration should offer ALPN `h2`); otherwise h2c.
pub async fn serve<S, F>(tls: Option<Arc<rustls::ServerConfig>>, script: S) -> RawH2
where
    S: Fn(usize, Box<dyn Io>) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let acceptor = tls.clone().map(TlsAcceptor::from);
    let accept_loop = tokio::spawn({
        let accepted = accepted.clone();
        async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let index = accepted.fetch_add(1, Ordering::SeqCst);
                let io: Box<dyn Io> = match &acceptor {
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(stream) => Box::new(stream),
                        Err(_) => continue,
                    },
                    None => Box::new(tcp),
                };
                tokio::spawn(script(index, io));
            }
        }
    });
    RawH2 {
        addr,
        scheme: if tls.is_some() { "https" } else { "http" },
        accepted,
        accept_loop,
    }
}
