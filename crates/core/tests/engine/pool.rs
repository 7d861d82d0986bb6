//! The connection pool: keep-alive reuse and its retry, the per-origin cap, the pool timeout,
//! recovery after a dropped body, and idle expiry by the client's own limit or by the server's
//! `Keep-Alive` hint.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{client, fetch, get, http, raw, read_head, reply, within};
use hyperhttp_core::{Config, Kind, MockRoutes, Phase};
use tokio::io::AsyncWriteExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "known gap (README, Known gaps): a request sent in the same instant the previous \
            body ends can open a second connection, because hyper-util's pool gets the idle \
            connection back on a spawned task and a connect that loses the race to the pool \
            still completes; the server accepts 2 connections in about 1 run of 10"]
async fn back_to_back_requests_share_one_connection() {
    let server = http(|_| async { reply(200, &[], "ok") }).await;
    let client = client(Config::default());

    for _ in 0..5 {
        let res = fetch(&client, get(&server.url("/"))).await.unwrap();
        assert_eq!(res.body, "ok");
    }

    assert_eq!(server.accepted(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paced_sequential_requests_share_one_connection() {
    let server = http(|_| async { reply(200, &[], "ok") }).await;
    let client = client(Config::default());

    for _ in 0..5 {
        let res = fetch(&client, get(&server.url("/"))).await.unwrap();
        assert_eq!(res.body, "ok");
        // Lets the finished connection reach the idle pool before the next request.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    assert_eq!(server.accepted(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_cap_bounds_simultaneous_connections() {
    let server = http(|_| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        reply(200, &[], "ok")
    })
    .await;
    let mut config = Config::default();
    config.limits.max_connections_per_host = 2;
    let client = client(config);

    let requests: Vec<_> = (0..20)
        .map(|_| {
            let (client, url) = (client.clone(), server.url("/"));
            tokio::spawn(async move { fetch(&client, get(&url)).await })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().unwrap().status, 200);
    }

    assert_eq!(server.seen().len(), 20);
    assert!(
        server.max_open() <= 2,
        "server saw {} simultaneous connections",
        server.max_open()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_past_the_pool_timeout_fails_in_the_pool_phase() {
    let server = http(|seen| async move {
        if seen.path == "/slow" {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        reply(200, &[], "ok")
    })
    .await;
    let mut config = Config::default();
    config.limits.max_connections_per_host = 1;
    config.timeouts.pool = Some(Duration::from_millis(200));
    let client = client(config);

    let slow = tokio::spawn({
        let (client, url) = (client.clone(), server.url("/slow"));
        async move { fetch(&client, get(&url)).await }
    });
    server.wait_for_requests(1).await;
    let err = fetch(&client, get(&server.url("/fast"))).await.unwrap_err();

    assert_eq!(err.kind(), Kind::Timeout, "{err:?}");
    assert_eq!(err.phase(), Some(Phase::Pool), "{err:?}");
    assert_eq!(slow.await.unwrap().unwrap().status, 200);
    assert_eq!(server.accepted(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connection_expires_after_keep_alive_timeout() {
    let server = http(|_| async { reply(200, &[], "ok") }).await;
    let mut config = Config::default();
    config.limits.keep_alive_timeout = Duration::from_millis(300);
    let client = client(config);

    fetch(&client, get(&server.url("/"))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let res = fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(res.status, 200);
    assert_eq!(server.accepted(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_idle_within_keep_alive_timeout_is_reused() {
    let server = http(|_| async { reply(200, &[], "ok") }).await;
    let client = client(Config::default());

    fetch(&client, get(&server.url("/"))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(server.accepted(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_hint_expires_connection_a_second_early() {
    let server = http(|_| async { reply(200, &[("keep-alive", "timeout=2")], "ok") }).await;
    let client = client(Config::default());

    fetch(&client, get(&server.url("/"))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let res = fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(res.status, 200);
    assert_eq!(server.accepted(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_hint_applies_when_the_body_end_is_read_late() {
    let server = raw(|mut tcp| async move {
        while !read_head(&mut tcp).await.is_empty() {
            let head = "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 4\r\n\r\nok";
            let _ = tcp.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = tcp.write_all(b"!!").await;
        }
    })
    .await;
    let client = client(Config::default());

    let mut res = within(client.execute(get(&server.url("/")))).await.unwrap();
    assert_eq!(within(res.body.chunk(1024)).await.unwrap().unwrap(), "ok");
    // The rest of the body arrives, and the connection goes idle, while nobody reads.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(within(res.bytes()).await.unwrap(), "!!");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(server.accepted(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_body_midway_leaves_the_pool_healthy() {
    let big = Bytes::from(vec![7u8; 8 << 20]);
    let server = http(move |seen| {
        let big = big.clone();
        async move {
            match seen.path.as_str() {
                "/big" => reply(200, &[], big),
                _ => reply(200, &[], "ok"),
            }
        }
    })
    .await;
    let client = client(Config::default());

    let mut res = within(client.execute(get(&server.url("/big"))))
        .await
        .unwrap();
    within(res.body.chunk(64 * 1024)).await.unwrap().unwrap();
    drop(res);
    let next = fetch(&client, get(&server.url("/small"))).await.unwrap();

    assert_eq!(next.body, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_is_retried_once_when_a_reused_connection_closes_before_answering() {
    let server = raw(|mut tcp| async move {
        read_head(&mut tcp).await;
        let _ = tcp
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .await;
        // The keep-alive race: the server closes the idle connection as the next request arrives.
        read_head(&mut tcp).await;
    })
    .await;
    let client = client(Config::default());

    fetch(&client, get(&server.url("/"))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let res = fetch(&client, get(&server.url("/"))).await;

    assert_eq!(res.expect("retried on a fresh connection").body, "ok");
    assert_eq!(server.accepted(), 2);
}

/// A request that the pool hands a connection as it closes, and that nothing on that connection
/// answers, is taken back after a short grace and sent on a new connection, long before the read
/// timeout. In the wild that is hyper 1.x dropping a request queued in the instant an HTTP/1
/// connection's task shuts down (hyperium/hyper#4122: after a route change, about 1 request in
/// 13,000 waited for the read timeout); here the closed connection's task is made to never run
/// again, which leaves the request just as unanswered.
#[test]
fn a_request_handed_a_closing_connection_that_never_answers_is_sent_again() {
    let main = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = main.block_on(http(|_| async { reply(200, &[], "ok") }));
    let mut config = Config::default();
    config.timeouts.read = Some(Duration::from_secs(5));
    let client = client(config);

    // The first connection's tasks run on `frozen`, driven only while it serves this request.
    let frozen = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    frozen.block_on(async {
        assert_eq!(
            fetch(&client, get(&server.url("/"))).await.unwrap().body,
            "ok"
        );
        // Lets the connection go back to the idle pool.
        tokio::time::sleep(Duration::from_millis(100)).await;
    });
    assert_eq!(client.stats().total.idle, 1);

    // A route change closes idle connections: this one is discarded, but its task never runs
    // again to close it, so the pool still hands it out.
    let routes = Arc::new(MockRoutes::new("/no/http.sock", "/no/https.sock"));
    routes.set_net_connect(true, Vec::new());
    client.set_mock_routes(Some(routes));

    let started = Instant::now();
    let res = main.block_on(fetch(&client, get(&server.url("/"))));
    assert_eq!(res.unwrap().body, "ok");
    // The alternative is the 5 s read timeout, then an error.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.accepted(), 2);
    drop(frozen);
}
