//! The pool's registry of live connections: at the total cap an idle connection to another
//! origin is closed instead of waiting for it to expire, idle caps (total and per origin),
//! connection retirement by age and by request count (no request fails for it), and
//! statistics under a known load.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{client, fetch, get, http, read_head, reply, within};
use hyperhttp_core::{Client, Config, ConnectionStats};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Sockets open at once across many HTTP/1.1 keep-alive servers, as the servers count them.
#[derive(Default)]
struct Sockets {
    accepted: AtomicUsize,
    open: AtomicUsize,
    max_open: AtomicUsize,
}

impl Sockets {
    /// Starts `n` servers on their own ports sharing this count; returns their URLs.
    async fn serve(self: &Arc<Self>, n: usize) -> Vec<String> {
        let mut urls = Vec::with_capacity(n);
        for _ in 0..n {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            urls.push(format!("http://{}/", listener.local_addr().unwrap()));
            let sockets = self.clone();
            tokio::spawn(async move {
                while let Ok((mut tcp, _)) = listener.accept().await {
                    let sockets = sockets.clone();
                    tokio::spawn(async move {
                        // The client closes a socket before it opens the next one; this lets
                        // the earlier close be seen first whatever order the tasks run in.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        sockets.accepted.fetch_add(1, Ordering::SeqCst);
                        let open = sockets.open.fetch_add(1, Ordering::SeqCst) + 1;
                        sockets.max_open.fetch_max(open, Ordering::SeqCst);
                        while !read_head(&mut tcp).await.is_empty() {
                            let res = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                            if tcp.write_all(res.as_bytes()).await.is_err() {
                                break;
                            }
                        }
                        sockets.open.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            });
        }
        urls
    }

    fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    fn max_open(&self) -> usize {
        self.max_open.load(Ordering::SeqCst)
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Waits until the servers count `n` open sockets.
    async fn settle_at(&self, n: usize) {
        within(async {
            while self.open() != n {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
    }
}

/// Keep-alive far longer than the test, and a pool timeout far shorter: a request that waits
/// for an idle connection to expire fails.
fn patient_pool(max_connections: usize) -> Config {
    let mut config = Config::default();
    config.limits.max_connections = max_connections;
    config.limits.keep_alive_timeout = Duration::from_secs(60);
    config.timeouts.pool = Some(Duration::from_secs(5));
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_origins_close_the_least_recently_used_idle_connection_at_the_total_cap() {
    let sockets = Arc::new(Sockets::default());
    let urls = sockets.serve(300).await;
    let client = client(patient_pool(8));

    for url in &urls {
        let res = fetch(&client, get(url)).await.unwrap();
        assert_eq!(res.body, "ok");
    }
    // The 8 most recent origins kept their connections: reused, not reopened.
    for url in &urls[292..] {
        fetch(&client, get(url)).await.unwrap();
    }

    assert_eq!(sockets.accepted(), 300);
    assert!(
        sockets.max_open() <= 8,
        "servers saw {} open sockets",
        sockets.max_open()
    );
    let stats = client.stats().total;
    assert_eq!((stats.open, stats.idle), (8, 8), "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_to_many_origins_share_a_small_total_cap() {
    let sockets = Arc::new(Sockets::default());
    let urls = Arc::new(sockets.serve(300).await);
    let client = client(patient_pool(8));

    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (client, urls, next) = (client.clone(), urls.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(url) = urls.get(i) else { return };
                    let res = fetch(&client, get(url)).await.unwrap();
                    assert_eq!(res.body, "ok");
                }
            })
        })
        .collect();
    for worker in workers {
        within(worker).await.unwrap();
    }

    assert!(
        sockets.max_open() <= 8,
        "servers saw {} open sockets",
        sockets.max_open()
    );
    assert!(client.stats().total.open <= 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_idle_connections_closes_the_least_recently_used_beyond_it() {
    let sockets = Arc::new(Sockets::default());
    let urls = sockets.serve(6).await;
    let mut config = patient_pool(64);
    config.limits.max_idle_connections = Some(2);
    let client = client(config);

    for url in &urls {
        fetch(&client, get(url)).await.unwrap();
    }
    sockets.settle_at(2).await;
    // The two kept are the two most recent.
    fetch(&client, get(&urls[4])).await.unwrap();
    fetch(&client, get(&urls[5])).await.unwrap();

    assert_eq!(sockets.accepted(), 6);
    let kept = wait_for(&client, |s| s.open == 2).await;
    assert_eq!(kept.idle, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_idle_connections_per_host_closes_the_surplus_of_a_burst() {
    let (server, gate) = held_server().await;
    let mut config = patient_pool(64);
    config.limits.max_idle_connections_per_host = Some(1);
    let client = client(config);

    let burst = spawn_requests(&client, &server.url("/"), 4);
    server.wait_for_requests(4).await;
    gate.add_permits(4);
    for request in burst {
        assert_eq!(within(request).await.unwrap(), 200);
    }

    let idle = wait_for(&client, |s| s.open == 1).await;
    assert_eq!((idle.open, idle.idle), (1, 1));
    assert_eq!(server.accepted(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_requests_per_connection_retires_connections_after_their_last_response() {
    let sockets = Arc::new(Sockets::default());
    let url = sockets.serve(1).await.remove(0);
    let mut config = patient_pool(64);
    config.limits.max_requests_per_connection = Some(3);
    let client = client(config);

    for _ in 0..9 {
        let res = fetch(&client, get(&url)).await.unwrap();
        assert_eq!(res.body, "ok");
        // Lets the finished connection reach the idle pool, so reuse is certain.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sockets.settle_at(0).await;

    assert_eq!(sockets.accepted(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retiring_connections_never_fail_requests_in_flight() {
    let server = http(|_| async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        reply(200, &[], "ok")
    })
    .await;
    let mut config = patient_pool(64);
    config.limits.max_connections_per_host = 4;
    config.limits.max_requests_per_connection = Some(3);
    config.limits.max_connection_age = Some(Duration::from_millis(100));
    config.retry.max_retries = 0;
    let client = client(config);

    for request in spawn_requests(&client, &server.url("/"), 120) {
        assert_eq!(within(request).await.unwrap(), 200);
    }

    // 120 requests, at most 3 per connection.
    assert!(server.accepted() >= 40, "{} connections", server.accepted());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_connection_finishes_its_response_then_closes() {
    let server = http(|seen| async move {
        if seen.path == "/slow" {
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
        reply(200, &[], "ok")
    })
    .await;
    let mut config = patient_pool(64);
    config.limits.max_connection_age = Some(Duration::from_millis(300));
    let client = client(config);

    fetch(&client, get(&server.url("/"))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Taken at age 50 ms, answered past the 300 ms limit.
    let slow = fetch(&client, get(&server.url("/slow"))).await.unwrap();
    assert_eq!(slow.body, "ok");
    let closed = wait_for(&client, |s| s.open == 0).await;
    fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(closed.open, 0);
    assert_eq!(server.accepted(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_connection_stops_taking_streams_after_its_request_limit() {
    let server = http(|_| async { reply(200, &[], "ok") }).await;
    let mut config = patient_pool(64);
    config.http2_prior_knowledge = true;
    config.limits.max_requests_per_connection = Some(5);
    let client = client(config);

    for _ in 0..10 {
        let res = fetch(&client, get(&server.url("/"))).await.unwrap();
        assert_eq!(res.version, http::Version::HTTP_2);
    }

    assert_eq!(server.accepted(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_busy_in_flight_and_queued_under_a_known_load() {
    let (server, gate) = held_server().await;
    let mut config = patient_pool(64);
    config.limits.max_connections_per_host = 3;
    let client = client(config);
    let origin = server.url("");

    let requests = spawn_requests(&client, &server.url("/"), 5);
    server.wait_for_requests(3).await;
    let loaded = wait_for(&client, |s| s.queued == 2).await;
    let per_origin = client.stats().origins;
    gate.add_permits(5);
    for request in requests {
        assert_eq!(within(request).await.unwrap(), 200);
    }
    let done = wait_for(&client, |s| s.in_flight == 0).await;

    let expected = ConnectionStats {
        open: 3,
        idle: 0,
        busy: 3,
        in_flight: 3,
        queued: 2,
        http2_streams: 0,
    };
    assert_eq!(loaded, expected);
    assert_eq!(per_origin, vec![(origin, expected)]);
    assert_eq!((done.open, done.idle, done.busy, done.queued), (3, 3, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_http2_streams() {
    let (server, gate) = held_server().await;
    let mut config = patient_pool(64);
    config.http2_prior_knowledge = true;
    let client = client(config);

    let requests = spawn_requests(&client, &server.url("/"), 4);
    server.wait_for_requests(4).await;
    let loaded = wait_for(&client, |s| s.in_flight == 4).await;
    gate.add_permits(4);
    for request in requests {
        assert_eq!(within(request).await.unwrap(), 200);
    }

    assert_eq!((loaded.open, loaded.busy, loaded.http2_streams), (1, 1, 4));
}

/// A server that holds every response until the returned gate gives it a permit.
async fn held_server() -> (common::Server, Arc<Semaphore>) {
    let gate = Arc::new(Semaphore::new(0));
    let server = http({
        let gate = gate.clone();
        move |_| {
            let gate = gate.clone();
            async move {
                let _ = gate.acquire().await.unwrap();
                reply(200, &[], "ok")
            }
        }
    })
    .await;
    (server, gate)
}

/// Starts `n` GET requests to `url` at once; each task returns the status.
fn spawn_requests(client: &Client, url: &str, n: usize) -> Vec<tokio::task::JoinHandle<u16>> {
    (0..n)
        .map(|_| {
            let (client, url) = (client.clone(), url.to_owned());
            tokio::spawn(async move { fetch(&client, get(&url)).await.unwrap().status })
        })
        .collect()
}

/// Polls the client's total stats until `done` holds, and returns them.
async fn wait_for(client: &Client, done: impl Fn(&ConnectionStats) -> bool) -> ConnectionStats {
    within(async {
        loop {
            let stats = client.stats().total;
            if done(&stats) {
                return stats;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}
