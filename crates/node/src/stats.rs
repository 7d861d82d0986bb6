//! Pool statistics as they cross: origin names in one array, their counts in another.

use hyperhttp_core::{ConnectionStats, PoolStats};
use napi_derive::napi;

/// Counts per entry, in this order: open, idle, busy, in flight, queued, HTTP/2 streams.
const STATS_FIELDS: usize = 6;

/// `counts` holds the total's counts, then those of each of `origins` in order.
#[napi(object)]
pub struct NativePoolStats {
    pub origins: Vec<String>,
    pub counts: Vec<u32>,
}

impl From<PoolStats> for NativePoolStats {
    fn from(stats: PoolStats) -> Self {
        let mut counts = Vec::with_capacity((stats.origins.len() + 1) * STATS_FIELDS);
        push(&mut counts, &stats.total);
        let origins = stats
            .origins
            .into_iter()
            .map(|(origin, c)| {
                push(&mut counts, &c);
                origin
            })
            .collect();
        NativePoolStats { origins, counts }
    }
}

fn push(out: &mut Vec<u32>, c: &ConnectionStats) {
    for n in [
        c.open,
        c.idle,
        c.busy,
        c.in_flight,
        c.queued,
        c.http2_streams,
    ] {
        out.push(u32::try_from(n).unwrap_or(u32::MAX));
    }
}
