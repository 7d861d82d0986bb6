//! The engine's one error type: a kind with a stable code, the phase it happened in, the URL,
//! and the underlying cause. Callers branch on [`Error::kind`] or [`Error::code`], never on
//! the message.

use std::error::Error as StdError;
use std::fmt;

/// A boxed error used as a cause.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// What went wrong. Each kind maps to one stable code string (see [`Kind::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The caller passed something invalid (bad method, URL, header, option).
    InvalidArgument,
    /// The host name could not be resolved.
    Dns,
    /// The TCP connection could not be established.
    Connect,
    /// A timeout elapsed; see [`Error::phase`].
    Timeout,
    /// The TLS handshake failed for a reason other than the certificate kinds below.
    Tls,
    /// The server's certificate chains to no trusted root.
    TlsUntrusted,
    /// The server's certificate is self-signed and not trusted.
    TlsSelfSigned,
    /// The server's certificate (or one in its chain) is expired or not yet valid.
    TlsExpired,
    /// The server's certificate is not valid for the requested host name.
    TlsHostname,
    /// The server's verified chain contains none of the keys pinned with `tls.pins`.
    TlsPinMismatch,
    /// The server sent something that is not valid HTTP.
    Protocol,
    /// The response head is larger than the configured limit.
    HeadersTooLarge,
    /// The decoded response body is larger than the configured limit.
    BodyTooLarge,
    /// The response body could not be decompressed.
    Decode,
    /// A redirect could not be followed (limit, scheme, policy).
    Redirect,
    /// The connection closed or reset before the exchange finished.
    ConnectionClosed,
    /// The request body could not be sent as given (length mismatch, stream not replayable).
    RequestBody,
    /// The client was closed.
    ClientClosed,
    /// The client's rate limit for the origin was reached (reject mode).
    RateLimited,
    /// The proxy refused the connection or failed the handshake (see [`Error::proxy_status`]).
    Proxy,
    // DNS and connections (dial.rs):
    /// The address filter refused an address of the host; nothing was sent.
    AddressBlocked,
    // Mocking for tests (`hyperhttp/testing`).
    /// A mock server had no interceptor for the request and does not let it through.
    MockNotMatched,
}

impl Kind {
    /// The stable code exposed to JavaScript, for example `ERR_TIMEOUT`.
    pub fn code(self) -> &'static str {
        match self {
            Kind::InvalidArgument => "ERR_INVALID_ARGUMENT",
            Kind::Dns => "ERR_DNS",
            Kind::Connect => "ERR_CONNECT",
            Kind::Timeout => "ERR_TIMEOUT",
            Kind::Tls => "ERR_TLS",
            Kind::TlsUntrusted => "ERR_TLS_CERT_UNTRUSTED",
            Kind::TlsSelfSigned => "ERR_TLS_CERT_SELF_SIGNED",
            Kind::TlsExpired => "ERR_TLS_CERT_EXPIRED",
            Kind::TlsHostname => "ERR_TLS_CERT_HOSTNAME",
            Kind::TlsPinMismatch => "ERR_TLS_PIN_MISMATCH",
            Kind::Protocol => "ERR_PROTOCOL",
            Kind::HeadersTooLarge => "ERR_HEADERS_TOO_LARGE",
            Kind::BodyTooLarge => "ERR_BODY_TOO_LARGE",
            Kind::Decode => "ERR_DECODE",
            Kind::Redirect => "ERR_REDIRECT",
            Kind::ConnectionClosed => "ERR_CONNECTION_CLOSED",
            Kind::RequestBody => "ERR_REQUEST_BODY",
            Kind::ClientClosed => "ERR_CLIENT_CLOSED",
            Kind::RateLimited => "ERR_RATE_LIMITED",
            Kind::Proxy => "ERR_PROXY",
            Kind::AddressBlocked => "ERR_ADDRESS_BLOCKED",
            Kind::MockNotMatched => "ERR_MOCK_NOT_MATCHED",
        }
    }

    /// The kind whose [`Kind::code`] is `code`.
    ///
    /// ```
    /// use hyperhttp_core::Kind;
    /// assert_eq!(Kind::from_code("ERR_CONNECT"), Some(Kind::Connect));
    /// assert_eq!(Kind::from_code("ERR_NOPE"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Every kind, in declaration order.
    pub const ALL: [Kind; 22] = [
        Kind::InvalidArgument,
        Kind::Dns,
        Kind::Connect,
        Kind::Timeout,
        Kind::Tls,
        Kind::TlsUntrusted,
        Kind::TlsSelfSigned,
        Kind::TlsExpired,
        Kind::TlsHostname,
        Kind::TlsPinMismatch,
        Kind::Protocol,
        Kind::HeadersTooLarge,
        Kind::BodyTooLarge,
        Kind::Decode,
        Kind::Redirect,
        Kind::ConnectionClosed,
        Kind::RequestBody,
        Kind::ClientClosed,
        Kind::RateLimited,
        Kind::Proxy,
        Kind::AddressBlocked,
        Kind::MockNotMatched,
    ];
}

/// Where in the exchange an error (most often a timeout) happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for a free connection slot.
    Pool,
    /// Resolving the host name.
    Dns,
    /// Establishing the TCP connection.
    Connect,
    /// The TLS handshake.
    Tls,
    /// Sending the request.
    Write,
    /// Waiting for the response head.
    Headers,
    /// Receiving the response body.
    Body,
    /// The whole request, all redirects included.
    Total,
}

impl Phase {
    /// The phase's name as exposed to JavaScript.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pool => "pool",
            Phase::Dns => "dns",
            Phase::Connect => "connect",
            Phase::Tls => "tls",
            Phase::Write => "write",
            Phase::Headers => "headers",
            Phase::Body => "body",
            Phase::Total => "total",
        }
    }
}

/// An engine error.
///
/// ```
/// use hyperhttp_core::{Error, Kind, Phase};
/// let err = Error::timeout(Phase::Headers, 10_000);
/// assert!(err.is_timeout());
/// assert_eq!(err.code(), "ERR_TIMEOUT");
/// assert_eq!(err.phase(), Some(Phase::Headers));
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    phase: Option<Phase>,
    message: String,
    url: Option<String>,
    source: Option<BoxError>,
    /// The server is known not to have processed the request (HTTP/2 REFUSED_STREAM).
    unprocessed: bool,
    /// The server went away gracefully (HTTP/2 GOAWAY); idempotent requests may be resent.
    resend_if_idempotent: bool,
    /// Attempts made before giving up.
    attempts: u32,
    /// The proxy's answer: HTTP status of a refused `CONNECT`, or SOCKS5 reply code.
    proxy_status: Option<u16>,
    /// The token of the embedder's answer (a `lookup` or address filter) that caused this.
    answer_token: Option<u32>,
    /// When the request's steps happened, when the error ended a request.
    timings: Option<Box<crate::timings::Timings>>,
}

impl Error {
    /// A new error of `kind` with a human-readable, actionable message.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                phase: None,
                message: message.into(),
                url: None,
                source: None,
                unprocessed: false,
                resend_if_idempotent: false,
                attempts: 1,
                proxy_status: None,
                answer_token: None,
                timings: None,
            }),
        }
    }

    /// An invalid-argument error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(Kind::InvalidArgument, message)
    }

    /// A timeout of `ms` milliseconds in `phase`.
    pub fn timeout(phase: Phase, ms: u64) -> Self {
        Error::new(
            Kind::Timeout,
            format!("{} timeout of {ms} ms elapsed", phase.as_str()),
        )
        .with_phase(phase)
    }

    /// Sets the phase.
    pub fn with_phase(mut self, phase: Phase) -> Self {
        self.inner.phase = Some(phase);
        self
    }

    /// Sets the URL, unless one is already set.
    pub fn with_url(mut self, url: &str) -> Self {
        if self.inner.url.is_none() {
            self.inner.url = Some(url.to_owned());
        }
        self
    }

    /// Sets the cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Marks the request as certainly not processed by the server, so it is safe to resend.
    pub(crate) fn unprocessed(mut self) -> Self {
        self.inner.unprocessed = true;
        self
    }

    /// Marks a failure that an idempotent request may be resent after.
    pub(crate) fn resendable_if_idempotent(mut self) -> Self {
        self.inner.resend_if_idempotent = true;
        self
    }

    /// True when an idempotent request may be resent after this failure.
    pub(crate) fn is_resendable_if_idempotent(&self) -> bool {
        self.inner.resend_if_idempotent
    }

    /// True when the server certainly did not process the request.
    pub(crate) fn is_unprocessed(&self) -> bool {
        self.inner.unprocessed
    }

    /// Records how many attempts were made.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// How many attempts were made (1 when the request was not retried).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Records which answer of the embedder's resolver hooks caused this error, so the
    /// embedder can attach what its hook threw (the engine only carries the number).
    pub fn with_answer_token(mut self, token: u32) -> Self {
        self.inner.answer_token = Some(token);
        self
    }

    /// The token given to [`Error::with_answer_token`], if any.
    pub fn answer_token(&self) -> Option<u32> {
        self.inner.answer_token
    }

    /// Records when the failed request's steps happened.
    pub(crate) fn with_timings(mut self, timings: crate::timings::Timings) -> Self {
        self.inner.timings = Some(Box::new(timings));
        self
    }

    /// When the failed request's steps happened (set on errors that end a request).
    pub fn timings(&self) -> Option<&crate::timings::Timings> {
        self.inner.timings.as_deref()
    }

    /// Appends a sentence to the message.
    pub(crate) fn explain(mut self, sentence: &str) -> Self {
        self.inner.message.push_str(sentence);
        self
    }

    /// Records the proxy's answer to a refused tunnel.
    pub(crate) fn with_proxy_status(mut self, status: u16) -> Self {
        self.inner.proxy_status = Some(status);
        self
    }

    /// The proxy's answer when it refused: the HTTP status of a `CONNECT` (407 when it wants
    /// credentials) or the SOCKS5 reply code (1 to 8).
    pub fn proxy_status(&self) -> Option<u16> {
        self.inner.proxy_status
    }

    /// The kind of failure.
    pub fn kind(&self) -> Kind {
        self.inner.kind
    }

    /// The stable code, for example `ERR_CONNECT`.
    pub fn code(&self) -> &'static str {
        self.inner.kind.code()
    }

    /// The phase the error happened in, when known.
    pub fn phase(&self) -> Option<Phase> {
        self.inner.phase
    }

    /// The message, without the cause.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The URL being requested when the error happened.
    pub fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    /// True for timeouts of any phase.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == Kind::Timeout
    }

    /// True for DNS and TCP connection failures.
    pub fn is_connect(&self) -> bool {
        matches!(self.inner.kind, Kind::Connect | Kind::Dns)
    }

    /// True for any TLS failure.
    pub fn is_tls(&self) -> bool {
        matches!(
            self.inner.kind,
            Kind::Tls
                | Kind::TlsUntrusted
                | Kind::TlsSelfSigned
                | Kind::TlsExpired
                | Kind::TlsHostname
                | Kind::TlsPinMismatch
        )
    }

    /// A copy of kind, phase, message and URL (the cause is not cloneable and is dropped).
    pub(crate) fn shallow_clone(&self) -> Error {
        Error {
            inner: Box::new(Inner {
                kind: self.inner.kind,
                phase: self.inner.phase,
                message: self.inner.message.clone(),
                url: self.inner.url.clone(),
                source: None,
                unprocessed: self.inner.unprocessed,
                resend_if_idempotent: self.inner.resend_if_idempotent,
                attempts: self.inner.attempts,
                proxy_status: self.inner.proxy_status,
                answer_token: self.inner.answer_token,
                timings: self.inner.timings.clone(),
            }),
        }
    }

    /// Finds an engine error anywhere in `err`'s source chain.
    pub(crate) fn find_in<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a Error> {
        let mut cur: Option<&'a (dyn StdError + 'static)> = Some(err);
        while let Some(e) = cur {
            if let Some(found) = e.downcast_ref::<Error>() {
                return Some(found);
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if let Some(found) = io.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
                    return Some(found);
                }
            }
            cur = e.source();
        }
        None
    }

    /// Wraps this error in an `io::Error` so it can travel through I/O adapters and be found
    /// again with [`Error::find_in`].
    pub(crate) fn into_io(self) -> std::io::Error {
        std::io::Error::other(self)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("hyperhttp::Error");
        d.field("code", &self.code());
        if let Some(phase) = self.inner.phase {
            d.field("phase", &phase.as_str());
        }
        d.field("message", &self.inner.message);
        if let Some(url) = &self.inner.url {
            d.field("url", url);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}
