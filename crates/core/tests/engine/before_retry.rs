//! The retry loop's before-retry hook (what the facade's `beforeRetry` hooks run through), and
//! the attempts a request reports when the total timeout ends it. Only loopback addresses are
//! contacted.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{client, closed_port, get, http, raw, read_head, reply, request, within};
use tokio::io::AsyncWriteExt;

use hyperhttp_core::{
    Backoff, Config, Error, Kind, Phase, Request, RequestBody, RequestOptions, Retry, RetryCause,
};

/// A server answering `statuses` in turn (the last one repeats), recording arrival times and
/// the `x-attempt` header of each request. A status of 0 never answers.
async fn scripted(
    statuses: &'static [(u16, Option<&'static str>)],
) -> (common::Server, Arc<Mutex<Vec<(Instant, Option<String>)>>>) {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let seen = arrivals.clone();
    let server = http(move |req| {
        let n = {
            let mut a = seen.lock().unwrap();
            let mark = req.header("x-attempt").map(str::to_owned);
            a.push((Instant::now(), mark));
            a.len() - 1
        };
        let (status, retry_after) = statuses[n.min(statuses.len() - 1)];
        async move {
            if status == 0 {
                std::future::pending::<()>().await;
            }
            match retry_after {
                Some(value) => reply(status, &[("retry-after", value)], "x"),
                None => reply(status, &[], "x"),
            }
        }
    })
    .await;
    (server, arrivals)
}

fn constant_backoff(ms: u64) -> Config {
    let mut config = Config::default();
    config.retry.backoff = Backoff::Constant(Duration::from_millis(ms));
    config
}

/// The same request with `x-attempt: n`.
fn marked(url: &str, n: u32) -> Request {
    request(
        "GET",
        url,
        &[("x-attempt", &n.to_string())],
        RequestBody::Empty,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hook_runs_between_attempts_after_the_wait() {
    let (server, arrivals) = scripted(&[(503, None), (200, None)]).await;
    let calls: Arc<Mutex<Vec<(Instant, Retry)>>> = Arc::default();
    let record = calls.clone();

    let res = within(client(constant_backoff(300)).execute_with_hook(
        get(&server.url("/")),
        move |retry: Retry| {
            record.lock().unwrap().push((Instant::now(), retry));
            async { Ok(None) }
        },
    ))
    .await
    .unwrap();

    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.attempts, 2);
    let calls = calls.lock().unwrap();
    let arrivals = arrivals.lock().unwrap();
    assert_eq!(calls.len(), 1);
    let (called_at, retry) = &calls[0];
    assert_eq!(retry.attempt, 2);
    assert_eq!(retry.delay, Duration::from_millis(300));
    match &retry.cause {
        RetryCause::Response {
            status, redirected, ..
        } => {
            assert_eq!(status.as_u16(), 503);
            assert!(!redirected);
        }
        RetryCause::Error(e) => panic!("expected the 503, got {e:?}"),
    }
    assert!(
        *called_at - arrivals[0].0 >= Duration::from_millis(300),
        "the hook ran {:?} after the first attempt, before the 300 ms wait ended",
        *called_at - arrivals[0].0
    );
    assert!(
        arrivals[1].0 >= *called_at,
        "the retry left before the hook ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_request_reaches_the_server() {
    let (server, arrivals) = scripted(&[(503, None), (503, None), (200, None)]).await;
    let url = server.url("/");

    let res = within(client(constant_backoff(10)).execute_with_hook(
        get(&url),
        move |retry: Retry| {
            let changed = marked(&url, retry.attempt);
            async move { Ok(Some(changed)) }
        },
    ))
    .await
    .unwrap();

    assert_eq!(res.attempts, 3);
    let marks: Vec<_> = arrivals
        .lock()
        .unwrap()
        .iter()
        .map(|a| a.1.clone())
        .collect();
    assert_eq!(marks, [None, Some("2".into()), Some("3".into())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_the_request_with_its_error_and_the_attempts_made() {
    let (server, arrivals) = scripted(&[(503, None)]).await;

    let err = within(
        client(constant_backoff(10)).execute_with_hook(get(&server.url("/")), |_: Retry| async {
            Err(Error::invalid("stopped by the hook"))
        }),
    )
    .await
    .err()
    .unwrap();

    assert_eq!(err.kind(), Kind::InvalidArgument);
    assert_eq!(err.message(), "stopped by the hook");
    assert_eq!(err.attempts(), 1);
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hook_sees_a_network_error_and_attempts_are_counted() {
    let url = format!("http://127.0.0.1:{}/", closed_port().await);
    let seen: Arc<Mutex<Vec<(u32, Kind)>>> = Arc::default();
    let record = seen.clone();

    let err = within(client(constant_backoff(10)).execute_with_hook(
        get(&url),
        move |retry: Retry| {
            if let RetryCause::Error(e) = &retry.cause {
                record.lock().unwrap().push((retry.attempt, e.kind()));
            }
            async { Ok(None) }
        },
    ))
    .await
    .err()
    .unwrap();

    assert_eq!(err.kind(), Kind::Connect);
    assert_eq!(err.attempts(), 3);
    assert_eq!(
        *seen.lock().unwrap(),
        [(2, Kind::Connect), (3, Kind::Connect)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_policy_does_not_retry_never_calls_the_hook() {
    let (server, arrivals) = scripted(&[(503, None)]).await;
    let req = request(
        "POST",
        &server.url("/"),
        &[],
        RequestBody::Bytes("x".into()),
    );

    let res = within(
        client(constant_backoff(10)).execute_with_hook(req, |_: Retry| async {
            panic!("a POST is not retried, so the hook must not run")
        }),
    )
    .await
    .unwrap();

    assert_eq!(res.attempts, 1);
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}

fn total(ms: u64) -> RequestOptions {
    RequestOptions {
        total_timeout: Some(Some(Duration::from_millis(ms))),
        ..RequestOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_total_timeout_during_a_wait_reports_the_attempts_made() {
    let (server, arrivals) = scripted(&[(503, None), (503, None), (503, Some("30"))]).await;
    let mut config = constant_backoff(10);
    config.retry.max_retries = 5;
    let mut req = get(&server.url("/"));
    req.options = total(1_000);

    let err = within(client(config).execute(req)).await.err().unwrap();

    assert_eq!(err.phase(), Some(Phase::Total));
    assert_eq!(arrivals.lock().unwrap().len(), 3);
    assert_eq!(err.attempts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_total_timeout_during_an_attempt_counts_that_attempt() {
    let (server, arrivals) = scripted(&[(503, None), (0, None)]).await;
    let mut config = constant_backoff(10);
    config.timeouts.read = None;
    let mut req = get(&server.url("/"));
    req.options = total(800);

    let err = within(client(config).execute(req)).await.err().unwrap();

    assert_eq!(err.phase(), Some(Phase::Total));
    assert_eq!(arrivals.lock().unwrap().len(), 2);
    assert_eq!(err.attempts(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_total_timeout_while_the_hook_decides_counts_the_attempts_before_it() {
    let (server, _) = scripted(&[(503, None)]).await;
    let mut req = get(&server.url("/"));
    req.options = total(500);

    let err = within(
        client(constant_backoff(10)).execute_with_hook(req, |_: Retry| async {
            std::future::pending::<()>().await;
            Ok(None)
        }),
    )
    .await
    .err()
    .unwrap();

    assert_eq!(err.phase(), Some(Phase::Total));
    assert_eq!(err.attempts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_total_timeout_while_reading_the_body_reports_the_attempts_made() {
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    let server = raw(move |mut tcp| {
        let first = count.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            read_head(&mut tcp).await;
            let head: &[u8] = if first {
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            } else {
                b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
            };
            let _ = tcp.write_all(head).await;
            if !first {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        }
    })
    .await;
    let mut config = constant_backoff(10);
    config.timeouts.read = None;
    let mut req = get(&server.url("/"));
    req.options = total(800);

    let res = within(client(config).execute(req)).await.unwrap();
    assert_eq!(res.attempts, 2);
    let err = within(res.bytes()).await.err().unwrap();

    assert_eq!(err.phase(), Some(Phase::Total));
    assert_eq!(err.attempts(), 2);
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}
