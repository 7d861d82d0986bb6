//! hyperhttp-core: the engine of hyperhttp, with no N-API in it.
//!
//! A pooled HTTP/1.1 and HTTP/2 client on hyper, hyper-util and tokio with rustls. It adds
//! what a production client needs and hyper leaves out: connection caps (total and per origin)
//! with a pool timeout, idle expiry that honours `Keep-Alive` hints, per-phase timeouts with
//! finite defaults, redirects that never leak credentials across origins, bounded
//! decompression, and validation that keeps CR/LF/NUL off the wire.
//!
//! ```no_run
//! # async fn run() -> Result<(), hyperhttp_core::Error> {
//! use hyperhttp_core::{Client, Config, Request, RequestBody, RequestOptions};
//! let client = Client::new(Config::default())?;
//! let req = Request::new("GET", "https://example.com/", &[], RequestBody::Empty, RequestOptions::default())?;
//! let res = client.execute(req).await?;
//! let status = res.status;
//! println!("{status} {:?}", res.bytes().await?);
//! # Ok(()) }
//! ```

mod alpn;
mod attempts;
mod body;
mod classify;
mod client;
mod client_identity;
mod config;
mod conn;
mod connect;
mod decode;
mod dial;
mod error;
mod follow;
mod inline;
mod pool;
mod proxy;
mod ratelimit;
mod redirect;
mod request;
mod retry;
pub mod runtime;
mod tls;
// The whole body in one allocation (read_to_end).
mod whole;
// Observability: request timings and connection events.
mod observe;
mod timings;
// Unix sockets and mocking for tests.
mod local;
mod route;

pub use attempts::{BeforeRetry, Retry, RetryCause, RetryDecision, RetryFuture};
pub use body::{Body, CHUNK_MAX};
pub use client::{Client, Response};
pub use config::{Config, Limits, RedirectMode, RequestOptions, Timeouts, TlsOptions, TlsVersion};
pub use decode::{ACCEPT_ENCODING, MAX_CODINGS};
pub use dial::{
    address_blocked, lookup_failed, AddressFilter, DnsCacheOptions, DnsOptions, Family,
    FilterFuture, Lookup, LookupFuture, MIN_ATTEMPT_DELAY,
};
pub use error::{BoxError, Error, Kind, Phase};
pub use inline::{Ready, INLINE_MAX};
pub use proxy::ProxyOptions;
pub use ratelimit::RateLimit;
pub use request::{BodyStream, HeaderList, Request, RequestBody};
pub use retry::{Backoff, RetryBudget, RetryPolicy};
pub use route::{MockRoutes, MOCK_UNMATCHED_HEADER};
pub use whole::WHOLE_RESERVE_MAX;
// Observability: request timings and connection events.
pub use observe::{ConnectionEvent, ConnectionInfo, ConnectionObserver};
pub use timings::{clock_ms, Protocol, Timings};
// Pool statistics (crate::pool).
pub use pool::{ConnectionStats, PoolStats};
// Cookie jar
mod cookies;
pub use cookies::{cookie_value, CookieFuture, CookieJar, MemoryJar};
// The last request URL's parse, reused for the next request to the same URL.
mod last_url;
pub use last_url::LastUrl;
