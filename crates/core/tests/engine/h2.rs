//! HTTP/2: negotiated by ALPN over TLS and multiplexed on one connection, or spoken by prior
//! knowledge over plain TCP (h2c).

use crate::common;

use std::time::Duration;

use common::{client, config_trusting, fetch, get, http, https, reply, server_tls, Ca};
use http::Version;
use hyperhttp_core::{Config, Kind, Phase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alpn_negotiates_h2_and_multiplexes_on_one_connection() {
    let ca = Ca::new("h2 test CA");
    let tls = server_tls(&ca.issue(&["127.0.0.1"]), &[b"h2", b"http/1.1"]);
    let server = https(tls, |seen| async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        reply(200, &[], seen.path)
    })
    .await;
    let client = client(config_trusting(&[ca.pem()]));

    let first = fetch(&client, get(&server.url("/first"))).await.unwrap();
    assert_eq!(first.version, Version::HTTP_2);
    let requests: Vec<_> = (0..50)
        .map(|i| {
            let (client, url) = (client.clone(), server.url(&format!("/{i}")));
            tokio::spawn(async move { fetch(&client, get(&url)).await })
        })
        .collect();
    for (i, request) in requests.into_iter().enumerate() {
        let res = request.await.unwrap().unwrap();
        assert_eq!(res.version, Version::HTTP_2);
        assert_eq!(res.body, format!("/{i}"));
    }

    assert_eq!(server.accepted(), 1);
    assert!(server
        .seen()
        .iter()
        .all(|seen| seen.version == Version::HTTP_2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_is_used_when_h2_is_not_offered() {
    let ca = Ca::new("h1 test CA");
    let tls = server_tls(&ca.issue(&["127.0.0.1"]), &[b"h2", b"http/1.1"]);
    let server = https(tls, |_| async { reply(200, &[], "ok") }).await;
    let mut config = config_trusting(&[ca.pem()]);
    config.http2 = false;
    let client = client(config);

    let res = fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(res.version, Version::HTTP_11);
    assert_eq!(server.seen()[0].version, Version::HTTP_11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prior_knowledge_speaks_h2c() {
    let server = http(|_| async { reply(200, &[], "ok") }).await;
    let config = Config {
        http2_prior_knowledge: true,
        ..Config::default()
    };
    let client = client(config);

    let res = fetch(&client, get(&server.url("/"))).await.unwrap();

    assert_eq!(res.version, Version::HTTP_2);
    assert_eq!(res.body, "ok");
    assert_eq!(server.seen()[0].version, Version::HTTP_2);
}

/// h2c by prior knowledge, a 1 s read timeout, no retries.
fn h2c_with_a_short_read_timeout() -> Config {
    let mut config = Config {
        http2_prior_knowledge: true,
        ..Config::default()
    };
    config.timeouts.read = Some(Duration::from_millis(1000));
    config.retry.max_retries = 0;
    config
}

/// A raw h2c server that never answers a request and sends a PING every 100 ms, so the
/// client keeps writing PING acks on the connection.
async fn pinging_without_answering() -> common::h2_raw::RawH2 {
    use common::h2_raw::{self, H2Conn};
    h2_raw::serve(None, |_, io| async move {
        let Some(mut conn) = H2Conn::accept(io, true).await else {
            return;
        };
        if conn.next_request().await.is_none() {
            return;
        }
        let (_gave_up, mut write) = conn.write_half();
        for i in 0..300u64 {
            let ping = h2_raw::frame(h2_raw::PING, 0, 0, &i.to_be_bytes());
            if tokio::io::AsyncWriteExt::write_all(&mut write, &ping)
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_timeout_runs_from_the_request_send_whatever_else_the_connection_writes() {
    let server = pinging_without_answering().await;
    let client = client(h2c_with_a_short_read_timeout());
    let started = tokio::time::Instant::now();

    let err = fetch(&client, get(&server.url("/"))).await.unwrap_err();

    assert_head_timeout_while_pinged(&err, started);
}

/// `err` is the head timeout, well before [`pinging_without_answering`] stops its PINGs (30 s):
/// measured from the connection's last write, the timeout would never fire.
fn assert_head_timeout_while_pinged(err: &hyperhttp_core::Error, started: tokio::time::Instant) {
    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Headers)),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_protocols_on_h2_settles_under_the_head_timeout() {
    use common::h2_raw::{self, block, H2Conn};
    let server = h2_raw::serve(None, |_, io| async move {
        let Some(mut conn) = H2Conn::accept(io, true).await else {
            return;
        };
        let Some(stream) = conn.next_request().await else {
            return;
        };
        let head = block(&[(":status", "101")]);
        let _ = conn
            .write(h2_raw::HEADERS, h2_raw::END_HEADERS, stream, &head)
            .await;
        conn.drain().await;
    })
    .await;
    let client = client(h2c_with_a_short_read_timeout());

    let err = fetch(&client, get(&server.url("/"))).await.unwrap_err();

    // hyper's HTTP/2 client drops 1xx heads without telling the caller, so a 101 cannot be
    // refused as such; the request still settles, with the head timeout. (h2 0.4.20 queues
    // them for `ResponseFuture::poll_informational`, and its `poll_response` skips them,
    // `src/proto/streams/recv.rs:350-358`; hyper 1.12 only polls the final response,
    // `src/proto/h2/client.rs:616`, and runs `ext::on_informational` for HTTP/1 only,
    // `src/proto/h1/role.rs:1202`. No setting reaches it.)
    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Headers)),
        "{err:?}"
    );
}

/// Sends 20 requests at once to a fresh origin; each gets its own path back over `version`.
async fn twenty_at_once(
    client: &hyperhttp_core::Client,
    server: &common::Server,
    version: Version,
) {
    let requests: Vec<_> = (0..20)
        .map(|i| {
            let (client, url) = (client.clone(), server.url(&format!("/{i}")));
            tokio::spawn(async move { fetch(&client, get(&url)).await })
        })
        .collect();
    for (i, request) in requests.into_iter().enumerate() {
        let res = request.await.unwrap().unwrap();
        assert_eq!((res.version, res.body), (version, format!("/{i}").into()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_requests_to_an_h2_origin_share_one_connection() {
    let ca = Ca::new("h2 coalescing CA");
    let tls = server_tls(&ca.issue(&["127.0.0.1"]), &[b"h2", b"http/1.1"]);
    let server = https(tls, |seen| async move { reply(200, &[], seen.path) }).await;
    let client = client(config_trusting(&[ca.pem()]));

    twenty_at_once(&client, &server, Version::HTTP_2).await;

    assert_eq!(server.accepted(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_requests_to_an_http1_tls_origin_all_succeed() {
    let ca = Ca::new("h1 concurrency CA");
    let tls = server_tls(&ca.issue(&["127.0.0.1"]), &[b"http/1.1"]);
    let server = https(tls, |seen| async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        reply(200, &[], seen.path)
    })
    .await;
    let client = client(config_trusting(&[ca.pem()]));

    twenty_at_once(&client, &server, Version::HTTP_11).await;

    // HTTP/1.1 needs a connection per concurrent request; only the first waited for ALPN.
    assert!(server.accepted() > 1);
}

/// A POST whose streamed body sends `chunks` one-byte chunks, `gap` apart, then ends.
fn trickled_post(url: &str, chunks: usize, gap: Duration) -> hyperhttp_core::Request {
    use std::sync::{Arc, Mutex};
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let sender = Arc::new(Mutex::new(Some(tx)));
    let left = Arc::new(std::sync::atomic::AtomicUsize::new(chunks));
    let on_need = move || {
        let (sender, left) = (sender.clone(), left.clone());
        tokio::spawn(async move {
            tokio::time::sleep(gap).await;
            let mut sender = sender.lock().unwrap();
            let remaining = left.load(std::sync::atomic::Ordering::SeqCst);
            if remaining == 0 {
                *sender = None;
            } else if let Some(tx) = sender.as_ref() {
                left.store(remaining - 1, std::sync::atomic::Ordering::SeqCst);
                let _ = tx.send(bytes::Bytes::from_static(b"x"));
            }
        });
    };
    let body = hyperhttp_core::RequestBody::Stream(hyperhttp_core::BodyStream {
        chunks: rx,
        on_need: Arc::new(on_need),
    });
    common::request("POST", url, &[], body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_timeout_of_a_streamed_body_runs_from_its_end_whatever_else_the_connection_writes() {
    let server = pinging_without_answering().await;
    let client = client(h2c_with_a_short_read_timeout());
    let started = tokio::time::Instant::now();

    let err = fetch(
        &client,
        trickled_post(&server.url("/"), 3, Duration::from_millis(100)),
    )
    .await
    .unwrap_err();

    assert_head_timeout_while_pinged(&err, started);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_uploading_longer_than_the_head_timeout_is_not_cut_short_on_h2() {
    let server = http(|seen| async move { reply(200, &[], seen.body.len().to_string()) }).await;
    let client = client(h2c_with_a_short_read_timeout());

    // 8 chunks 400 ms apart: 3.2 s of upload under a 1 s head timeout.
    let res = fetch(
        &client,
        trickled_post(&server.url("/"), 8, Duration::from_millis(400)),
    )
    .await
    .unwrap();

    assert_eq!((res.version, res.body), (Version::HTTP_2, "8".into()));
}
