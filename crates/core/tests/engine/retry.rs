//! Retries timed in the engine, the retry budget, and the per-origin rate limiter, asserted on
//! what the server saw. Only loopback addresses are contacted.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{client, closed_port, get, http, reply, request, within};
use hyperhttp_core::{Backoff, BodyStream, Config, Kind, RateLimit, RequestBody, RetryBudget};
use tokio::sync::mpsc;

/// A server answering with `statuses` in turn (the last one repeats), recording arrival times.
fn scripted(
    statuses: &[(u16, Option<&str>)],
) -> impl std::future::Future<Output = (common::Server, Arc<Mutex<Vec<Instant>>>)> {
    let statuses: Arc<Vec<(u16, Option<String>)>> = Arc::new(
        statuses
            .iter()
            .map(|(status, retry_after)| (*status, retry_after.map(str::to_owned)))
            .collect(),
    );
    async move {
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let seen = arrivals.clone();
        let server = http(move |_| {
            let n = {
                let mut a = seen.lock().unwrap();
                a.push(Instant::now());
                a.len() - 1
            };
            let (status, retry_after) = statuses[n.min(statuses.len() - 1)].clone();
            async move {
                match retry_after {
                    Some(value) => reply(status, &[("retry-after", &value)], "x"),
                    None => reply(status, &[], "x"),
                }
            }
        })
        .await;
        (server, arrivals)
    }
}

fn fast_retries() -> Config {
    let mut config = Config::default();
    config.retry.backoff = Backoff::Constant(Duration::from_millis(20));
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_is_retried_until_success() {
    let (server, arrivals) = scripted(&[(503, None), (503, None), (200, None)]).await;

    let res = within(client(fast_retries()).execute(get(&server.url("/"))))
        .await
        .unwrap();

    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.attempts, 3);
    assert_eq!(arrivals.lock().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_stop_at_max_retries_and_return_the_last_response() {
    let (server, arrivals) = scripted(&[(503, None)]).await;

    let res = within(client(fast_retries()).execute(get(&server.url("/"))))
        .await
        .unwrap();

    assert_eq!(res.status.as_u16(), 503);
    assert_eq!(res.attempts, 3, "the first attempt and two retries");
    assert_eq!(arrivals.lock().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_in_seconds_sets_the_wait() {
    let (server, arrivals) = scripted(&[(503, Some("1")), (200, None)]).await;

    let res = within(client(fast_retries()).execute(get(&server.url("/"))))
        .await
        .unwrap();

    assert_eq!(res.status.as_u16(), 200);
    let a = arrivals.lock().unwrap();
    let gap = a[1] - a[0];
    assert!(
        gap >= Duration::from_millis(950),
        "waited {gap:?}, Retry-After asked 1 s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_as_an_http_date_sets_the_wait() {
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let (server, arrivals) = scripted(&[(429, Some(&at)), (200, None)]).await;

    let res = within(client(fast_retries()).execute(get(&server.url("/"))))
        .await
        .unwrap();

    assert_eq!(res.status.as_u16(), 200);
    let a = arrivals.lock().unwrap();
    // An HTTP-date has whole-second precision, so the wait is between 1 and 2 seconds.
    assert!(
        a[1] - a[0] >= Duration::from_millis(900),
        "waited {:?}",
        a[1] - a[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_longer_than_the_cap_returns_the_response() {
    let (server, arrivals) = scripted(&[(503, Some("3600"))]).await;

    let started = Instant::now();
    let res = within(client(fast_retries()).execute(get(&server.url("/"))))
        .await
        .unwrap();

    assert_eq!(res.status.as_u16(), 503);
    assert_eq!(res.attempts, 1);
    assert_eq!(arrivals.lock().unwrap().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_is_sent_once_without_opt_in() {
    let (server, arrivals) = scripted(&[(503, None), (200, None)]).await;
    let req = request(
        "POST",
        &server.url("/"),
        &[],
        RequestBody::Bytes(Bytes::from_static(b"x")),
    );

    let res = within(client(fast_retries()).execute(req)).await.unwrap();

    assert_eq!(res.status.as_u16(), 503);
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_with_an_idempotency_key_is_retried() {
    let (server, arrivals) = scripted(&[(503, None), (200, None)]).await;
    let req = request(
        "POST",
        &server.url("/"),
        &[("idempotency-key", "k-1")],
        RequestBody::Bytes(Bytes::from_static(b"x")),
    );

    let res = within(client(fast_retries()).execute(req)).await.unwrap();

    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(arrivals.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_body_is_never_retried() {
    let (server, arrivals) = scripted(&[(503, None), (200, None)]).await;
    let (tx, rx) = mpsc::unbounded_channel();
    tx.send(Bytes::from_static(b"streamed")).unwrap();
    drop(tx);
    let body = RequestBody::Stream(BodyStream {
        chunks: rx,
        on_need: Arc::new(|| {}),
    });
    let req = request("PUT", &server.url("/"), &[], body);

    let res = within(client(fast_retries()).execute(req)).await.unwrap();

    assert_eq!(res.status.as_u16(), 503);
    assert_eq!(res.attempts, 1);
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_is_retried_and_the_error_counts_attempts() {
    let url = format!("http://127.0.0.1:{}/", closed_port().await);

    let err = within(client(fast_retries()).execute(get(&url)))
        .await
        .err()
        .unwrap();

    assert_eq!(err.kind(), Kind::Connect);
    assert_eq!(err.attempts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_stops_retries_under_sustained_failure() {
    let (server, arrivals) = scripted(&[(503, None)]).await;
    let mut config = fast_retries();
    config.retry_budget = Some(RetryBudget {
        ratio: 0.0,
        min_per_second: 1,
        window: Duration::from_secs(1),
    });
    let client = client(config);

    for _ in 0..5 {
        within(client.execute(get(&server.url("/")))).await.unwrap();
    }

    // 5 requests with 2 retries each would be 15 attempts; the budget allows one retry.
    let attempts = arrivals.lock().unwrap().len();
    assert_eq!(
        attempts, 6,
        "5 first attempts and 1 budgeted retry, got {attempts}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limiter_rejects_over_the_limit_in_reject_mode() {
    let (server, _) = scripted(&[(200, None)]).await;
    let config = Config {
        rate_limit: Some(RateLimit {
            rate: 1.0,
            burst: 1,
            wait: false,
        }),
        ..Config::default()
    };
    let client = client(config);

    within(client.execute(get(&server.url("/")))).await.unwrap();
    let err = within(client.execute(get(&server.url("/"))))
        .await
        .err()
        .unwrap();

    assert_eq!(err.kind(), Kind::RateLimited);
    assert_eq!(err.code(), "ERR_RATE_LIMITED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limiter_spaces_requests_in_wait_mode() {
    let (server, arrivals) = scripted(&[(200, None)]).await;
    let config = Config {
        rate_limit: Some(RateLimit {
            rate: 10.0,
            burst: 1,
            wait: true,
        }),
        ..Config::default()
    };
    let client = client(config);

    for _ in 0..4 {
        within(client.execute(get(&server.url("/")))).await.unwrap();
    }

    let a = arrivals.lock().unwrap();
    assert!(
        a[3] - a[0] >= Duration::from_millis(270),
        "4 requests at 10/s took {:?}",
        a[3] - a[0]
    );
}

#[test]
fn backoff_strategies_stay_within_their_bounds() {
    let base = Duration::from_millis(100);
    let max = Duration::from_secs(2);
    for retry in 1..=10 {
        let exp = Backoff::Exponential { base, max }.delay(retry, Duration::ZERO);
        assert!(exp <= max.min(base * 2u32.pow(retry - 1)));
        let previous = Duration::from_millis(300);
        let dj = Backoff::DecorrelatedJitter { base, max }.delay(retry, previous);
        assert!(dj >= base && dj <= Duration::from_millis(900), "{dj:?}");
    }
    assert_eq!(Backoff::None.delay(1, Duration::ZERO), Duration::ZERO);
    assert_eq!(Backoff::Constant(base).delay(5, Duration::ZERO), base);
}
