//! A token bucket per origin: `rate` requests per second with bursts of `burst`. A request
//! over the limit waits for a token on a tokio timer, or is rejected at once.

use std::collections::HashMap;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::time::Instant;

use crate::error::{Error, Kind};

/// Rate limit settings, applied to each origin separately.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub rate: f64,
    /// Requests that may go at once after a quiet period.
    pub burst: u32,
    /// Wait for a token (true) or reject with `ERR_RATE_LIMITED` (false).
    pub wait: bool,
}

impl RateLimit {
    /// `rate` requests per second per origin, with the default bursts of 1 and waiting for
    /// a token.
    ///
    /// ```
    /// let limit = hyperhttp_core::RateLimit::per_second(50.0);
    /// assert_eq!((limit.burst, limit.wait), (1, true));
    /// ```
    pub fn per_second(rate: f64) -> Self {
        RateLimit {
            rate,
            burst: 1,
            wait: true,
        }
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of one client.
pub(crate) struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `origin`, waiting for one if the limit says so.
    pub(crate) async fn acquire(&self, origin: &str) -> Result<(), Error> {
        loop {
            let wait = self.take_or_wait(origin);
            match wait {
                None => return Ok(()),
                Some(_) if !self.limit.wait => {
                    return Err(Error::new(
                        Kind::RateLimited,
                        format!(
                            "rate limit of {} requests/s (burst {}) for {origin} reached",
                            self.limit.rate, self.limit.burst
                        ),
                    ))
                }
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// `None` when a token was taken, else how long until one is available.
    fn take_or_wait(&self, origin: &str) -> Option<Duration> {
        let now = Instant::now();
        let burst = f64::from(self.limit.burst.max(1));
        let mut buckets = self.buckets.lock();
        let bucket = buckets.entry(origin.to_owned()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let refill = now.duration_since(bucket.updated).as_secs_f64() * self.limit.rate;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.limit.rate,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(rate: f64, burst: u32, wait: bool) -> RateLimiter {
        RateLimiter::new(RateLimit { rate, burst, wait })
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_tokens_refill_at_the_rate() {
        let l = limiter(2.0, 3, false);
        for _ in 0..3 {
            l.acquire("http://a").await.unwrap();
        }
        assert_eq!(
            l.acquire("http://a").await.unwrap_err().kind(),
            Kind::RateLimited
        );

        tokio::time::advance(Duration::from_millis(500)).await;
        l.acquire("http://a").await.unwrap();
        assert!(
            l.acquire("http://a").await.is_err(),
            "one token per 500 ms at 2/s"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn origins_have_their_own_buckets() {
        let l = limiter(1.0, 1, false);
        l.acquire("http://a").await.unwrap();
        l.acquire("http://b").await.unwrap();
        assert!(l.acquire("http://a").await.is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn wait_mode_sleeps_until_the_next_token() {
        let l = limiter(4.0, 1, true);
        let start = Instant::now();
        for _ in 0..5 {
            l.acquire("http://a").await.unwrap();
        }
        // One token at once, then four more at 250 ms each, on the paused clock.
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(1000) && waited < Duration::from_millis(1010),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_period_refills_no_more_than_the_burst() {
        let l = limiter(10.0, 2, false);
        tokio::time::advance(Duration::from_secs(60)).await;
        l.acquire("http://a").await.unwrap();
        l.acquire("http://a").await.unwrap();
        assert!(l.acquire("http://a").await.is_err());
    }
}
