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
