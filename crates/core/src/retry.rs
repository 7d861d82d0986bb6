//! Retries, timed in the engine: which failures and responses are retried, how long to wait
//! (backoff strategies and `Retry-After`), and the retry budget that keeps retries from
//! multiplying an outage. Waiting happens on tokio timers; JavaScript is never woken.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use http::header::{HeaderMap, RETRY_AFTER};
use http::Method;
use parking_lot::Mutex;
use tokio::time::Instant;

use crate::error::{Error, Kind, Phase};

/// How long to wait between attempts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backoff {
    /// Retry at once.
    None,
    /// The same wait every time.
    Constant(Duration),
    /// Exponential with full jitter: a random wait in `[0, min(max, base * 2^n))`.
    Exponential {
        /// First ceiling.
        base: Duration,
        /// Largest ceiling.
        max: Duration,
    },
    /// Decorrelated jitter: a random wait in `[base, previous * 3)`, at most `max` (the default).
    DecorrelatedJitter {
        /// Smallest wait.
        base: Duration,
        /// Largest wait.
        max: Duration,
    },
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DecorrelatedJitter {
            base: Backoff::DEFAULT_BASE,
            max: Backoff::DEFAULT_MAX,
        }
    }
}

impl Backoff {
    /// The `base` of a strategy (the `Constant` wait) when none is configured: 100 ms.
    pub const DEFAULT_BASE: Duration = Duration::from_millis(100);
    /// The `max` of a strategy when none is configured: 10 s.
    pub const DEFAULT_MAX: Duration = Duration::from_secs(10);

    /// The wait before retry number `retry` (1-based), given the previous wait.
    pub fn delay(&self, retry: u32, previous: Duration) -> Duration {
        match *self {
            Backoff::None => Duration::ZERO,
            Backoff::Constant(d) => d,
            Backoff::Exponential { base, max } => {
                let ceiling = base.saturating_mul(1u32 << (retry - 1).min(30)).min(max);
                random_between(Duration::ZERO, ceiling)
            }
            Backoff::DecorrelatedJitter { base, max } => {
                let upper = previous.max(base).saturating_mul(3).min(max);
                random_between(base.min(upper), upper)
            }
        }
    }
}

fn random_between(low: Duration, high: Duration) -> Duration {
    if high <= low {
        return low;
    }
    let span = (high - low).as_micros() as u64;
    low + Duration::from_micros(fastrand::u64(0..=span))
}

/// Which requests are retried, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt. Default 2; 0 disables retries.
    pub max_retries: u32,
    /// Methods retried without opt-in. Default GET, HEAD, OPTIONS, PUT, DELETE, TRACE, QUERY.
    pub methods: Vec<Method>,
    /// Response statuses retried. Default 408, 429, 500, 502, 503, 504.
    pub statuses: Vec<u16>,
    /// Retry network failures that happened before any response byte. Default true.
    pub network_errors: bool,
    /// Retry any method (POST, PATCH too). Default false; see also `idempotency_key`.
    pub non_idempotent: bool,
    /// Treat a request carrying an `Idempotency-Key` header as retryable. Default true.
    pub idempotency_key: bool,
    /// Longest `Retry-After` honoured; a server asking for longer gets its response returned.
    /// Default 60 s.
    pub max_retry_after: Duration,
    /// Wait between attempts when the server gives no `Retry-After`.
    pub backoff: Backoff,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            methods: ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "QUERY"]
                .iter()
                .map(|m| Method::from_bytes(m.as_bytes()).expect("standard method"))
                .collect(),
            statuses: vec![408, 429, 500, 502, 503, 504],
            network_errors: true,
            non_idempotent: false,
            idempotency_key: true,
            max_retry_after: Duration::from_secs(60),
            backoff: Backoff::default(),
        }
    }
}

impl RetryPolicy {
    /// True when `method` (with `headers`) may be retried under this policy.
    pub(crate) fn allows(&self, method: &Method, headers: &HeaderMap) -> bool {
        self.non_idempotent
            || self.methods.contains(method)
            || (self.idempotency_key && headers.contains_key("idempotency-key"))
    }

    /// True for an error that happened before any response byte and may be retried.
    pub(crate) fn retries_error(&self, err: &Error) -> bool {
        self.network_errors
            && match err.kind() {
                Kind::Dns | Kind::Connect => true,
                Kind::ConnectionClosed => err.phase() != Some(Phase::Body),
                Kind::Timeout => matches!(
                    err.phase(),
                    Some(Phase::Pool | Phase::Dns | Phase::Connect | Phase::Tls | Phase::Headers)
                ),
                _ => false,
            }
    }
}

/// The wait a response asks for: `Retry-After` in delta-seconds or HTTP-date form.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More seconds than a u64 holds is still a wait, longer than any cap.
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Limits retries to a fraction of requests over a sliding window, with a floor per second
/// so that a quiet client can still retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    /// Retries allowed per request sent. Default 0.2 (one retry for five requests).
    pub ratio: f64,
    /// Retries always allowed per second, whatever the ratio. Default 10.
    pub min_per_second: u32,
    /// The window requests and retries are counted over. Default 10 s.
    pub window: Duration,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            ratio: 0.2,
            min_per_second: 10,
            window: Duration::from_secs(10),
        }
    }
}

/// The running counts behind a [`RetryBudget`]: one bucket per second of the window.
pub(crate) struct BudgetState {
    config: RetryBudget,
    buckets: Mutex<VecDeque<(Instant, u32, u32)>>,
}

impl BudgetState {
    pub(crate) fn new(config: RetryBudget) -> Self {
        BudgetState {
            config,
            buckets: Mutex::new(VecDeque::new()),
        }
    }

    /// Counts a first attempt.
    pub(crate) fn record_request(&self) {
        self.with_current(|bucket| bucket.1 += 1);
    }

    /// Takes one retry from the budget; false when it is spent.
    pub(crate) fn try_retry(&self) -> bool {
        let window_secs = self.config.window.as_secs_f64().max(1.0);
        let mut buckets = self.buckets.lock();
        self.expire(&mut buckets);
        let (requests, retries) = buckets.iter().fold((0u64, 0u64), |(q, r), b| {
            (q + u64::from(b.1), r + u64::from(b.2))
        });
        let allowed = (requests as f64 * self.config.ratio)
            .max(f64::from(self.config.min_per_second) * window_secs);
        if (retries as f64) >= allowed {
            return false;
        }
        Self::current(&mut buckets).2 += 1;
        true
    }

    fn with_current(&self, f: impl FnOnce(&mut (Instant, u32, u32))) {
        let mut buckets = self.buckets.lock();
        self.expire(&mut buckets);
        f(Self::current(&mut buckets));
    }

    fn current(buckets: &mut VecDeque<(Instant, u32, u32)>) -> &mut (Instant, u32, u32) {
        let now = Instant::now();
        if buckets
            .back()
            .is_none_or(|b| now.duration_since(b.0) >= Duration::from_secs(1))
        {
            buckets.push_back((now, 0, 0));
        }
        buckets.back_mut().expect("a bucket was just ensured")
    }

    fn expire(&self, buckets: &mut VecDeque<(Instant, u32, u32)>) {
        let now = Instant::now();
        while buckets
            .front()
            .is_some_and(|b| now.duration_since(b.0) >= self.config.window)
        {
            buckets.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(ratio: f64, min_per_second: u32) -> BudgetState {
        BudgetState::new(RetryBudget {
            ratio,
            min_per_second,
            window: Duration::from_secs(10),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn retries_are_limited_to_the_ratio_of_requests() {
        let b = budget(0.5, 0);
        for _ in 0..4 {
            b.record_request();
        }
        assert!(b.try_retry());
        assert!(b.try_retry());
        assert!(!b.try_retry(), "4 requests at ratio 0.5 allow 2 retries");
    }

    #[tokio::test(start_paused = true)]
    async fn the_floor_allows_retries_when_there_is_little_traffic() {
        let b = budget(0.0, 1);
        // 1 retry per second over a 10 s window.
        for _ in 0..10 {
            assert!(b.try_retry());
        }
        assert!(!b.try_retry());
    }

    #[tokio::test(start_paused = true)]
    async fn spent_retries_leave_the_window() {
        let b = budget(0.0, 1);
        for _ in 0..10 {
            b.try_retry();
        }
        assert!(!b.try_retry());
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(b.try_retry(), "the window moved past the spent retries");
    }

    #[test]
    fn retry_after_reads_both_forms() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert(RETRY_AFTER, at.parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
