//! Dialling a local socket instead of a host: a Unix domain socket, or a Windows named pipe
//! (the same `socketPath` option; built for Windows, tested only on Unix).

use std::io;

use crate::runtime::Lane;

/// The pool's key for the connections over the local socket at `path`, shared by every origin
/// dialled over it: `unix:/tmp/app.sock`, or `npipe:\\.\pipe\app` on Windows.
pub(crate) fn pool_key(path: &str) -> String {
    const SCHEME: &str = if cfg!(windows) { "npipe:" } else { "unix:" };
    format!("{SCHEME}{path}")
}

/// The stream of an open local socket, which can move to another runtime's reactor.
#[cfg(unix)]
pub(crate) type LocalStream = crate::conn::Socket<tokio::net::UnixStream>;

/// The stream of an open local socket.
#[cfg(windows)]
pub(crate) type LocalStream = tokio::net::windows::named_pipe::NamedPipeClient;

/// Connects to the Unix domain socket at `path`.
#[cfg(unix)]
pub(crate) async fn open(path: &str) -> io::Result<LocalStream> {
    Ok(crate::conn::Socket::new(
        tokio::net::UnixStream::connect(path).await?,
    ))
}

/// Moves an open local socket to `lane`'s reactor ([`crate::runtime::adopt`]); returns the
/// lane its connection runs on.
#[cfg(unix)]
pub(crate) fn move_to(stream: &mut LocalStream, lane: Lane) -> io::Result<Lane> {
    stream.move_to(lane)?;
    Ok(lane)
}

/// A named pipe cannot move to another runtime's reactor: its connection runs where it was
/// opened.
#[cfg(windows)]
pub(crate) fn move_to(_stream: &mut LocalStream, _lane: Lane) -> io::Result<Lane> {
    Ok(crate::runtime::here())
}

/// Connects to the named pipe `path` (`\\.\pipe\name`). A pipe whose instances are all busy
/// is tried again until one is free; the caller's connect timeout bounds the wait.
#[cfg(windows)]
pub(crate) async fn open(path: &str) -> io::Result<LocalStream> {
    use std::time::Duration;
    use tokio::net::windows::named_pipe::ClientOptions;
    /// `ERROR_PIPE_BUSY` from winerror.h.
    const PIPE_BUSY: i32 = 231;
    loop {
        match ClientOptions::new().open(path) {
            Err(e) if e.raw_os_error() == Some(PIPE_BUSY) => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            other => return other,
        }
    }
}
