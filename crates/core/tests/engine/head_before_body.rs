//! The head is never held back for its body: `take_ready` hands over only the bytes already
//! received, so a small body that trickles in after its head is read (and timed) as a body.

use crate::common;

use std::time::{Duration, Instant};

use common::{answer_then_stall, client, get, raw, read_head, within};
use hyperhttp_core::{Config, Kind, Phase, Ready, Response, INLINE_MAX};
use tokio::io::AsyncWriteExt;

/// How long the scripted server waits between the head and the body.
const BODY_DELAY: Duration = Duration::from_millis(1500);
const BODY: &str = "late but small";

/// A server that sends the head of a small, declared-length body at once and the body
/// itself `BODY_DELAY` later.
async fn slow_body_server() -> common::Server {
    raw(|mut tcp| async move {
        read_head(&mut tcp).await;
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", BODY.len());
        if tcp.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        tokio::time::sleep(BODY_DELAY).await;
        let _ = tcp.write_all(BODY.as_bytes()).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_of_a_slow_small_body_is_ready_before_the_body() {
    let server = slow_body_server().await;
    let client = client(Config::default());
    let started = Instant::now();

    let mut res = within(client.execute(get(&server.url("/")))).await.unwrap();
    let ready = within(res.body.take_ready(INLINE_MAX)).await;
    let head_after = started.elapsed();

    // The alternative is waiting for the body, BODY_DELAY after the head.
    assert!(
        head_after < BODY_DELAY / 2,
        "head and ready bytes took {head_after:?}"
    );
    assert!(!ready.complete && ready.error.is_none(), "{ready:?}");
    assert_eq!(ready.bytes, None);
    let body = within(res.body.chunk(INLINE_MAX)).await.unwrap().unwrap();
    assert_eq!(body, BODY);
    assert!(started.elapsed() >= BODY_DELAY - Duration::from_millis(50));
    assert!(
        res.body.is_end(),
        "the last bytes end a declared-length body"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_timeout_shorter_than_the_gap_fails_the_body_not_the_head() {
    let server = slow_body_server().await;
    let mut config = Config::default();
    config.timeouts.read = Some(Duration::from_millis(400));
    let client = client(config);

    let mut res = within(client.execute(get(&server.url("/")))).await.unwrap();
    let ready = within(res.body.take_ready(INLINE_MAX)).await;
    assert!(!ready.complete, "{ready:?}");
    let err = within(res.body.chunk(INLINE_MAX)).await.unwrap_err();

    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Body)),
        "{err:?}"
    );
}

/// Sends a GET to a server that answers with `response` and then stays silent, and takes
/// what of the body is ready, up to `max` bytes, once some is (a loaded machine may pass the
/// head on before the connection task has read the rest; taking nothing consumes nothing).
async fn ready_from(response: &'static [u8], max: usize) -> (Response, Ready) {
    let server = answer_then_stall(response).await;
    let client = client(Config::default());
    let mut res = within(client.execute(get(&server.url("/")))).await.unwrap();
    let ready = within(async {
        loop {
            let ready = res.body.take_ready(max).await;
            if ready.bytes.is_some() || ready.complete || ready.error.is_some() {
                return ready;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    (res, ready)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_with_its_head_is_ready_whole() {
    let response = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let (res, ready) = ready_from(response, INLINE_MAX).await;

    assert!(ready.complete, "{ready:?}");
    assert_eq!(ready.bytes.as_deref(), Some(&b"hello"[..]));
    assert!(res.body.is_end());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_ready_beyond_the_limit_are_left_for_reads() {
    // Chunked coding: each chunk arrives as its own piece.
    let response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                     5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n";
    let (mut res, ready) = ready_from(response, 5).await;

    assert_eq!(ready.bytes.as_deref(), Some(&b"hello"[..]));
    assert!(!ready.complete, "{ready:?}");
    let rest = within(res.body.chunk(INLINE_MAX)).await.unwrap();
    assert_eq!(rest.as_deref(), Some(&b"world"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_error_met_with_the_head_is_reported_not_taken_for_the_end() {
    let response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n";
    let (_res, ready) = ready_from(response, INLINE_MAX).await;

    assert!(!ready.complete, "{ready:?}");
    let err = ready.error.expect("the malformed chunk size is an error");
    assert_eq!(err.kind(), Kind::Protocol, "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_declared_longer_than_the_limit_is_left_whole_for_its_reads() {
    let response = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhelloworld";
    let server = answer_then_stall(&response[..]).await;
    let client = client(Config::default());
    let mut res = within(client.execute(get(&server.url("/")))).await.unwrap();
    // Time for the connection to read the body, which the head came with: a limit it did not
    // apply would hand some of it over here.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let ready = within(res.body.take_ready(5)).await;

    assert_eq!(ready.bytes, None, "{ready:?}");
    assert!(!ready.complete && ready.error.is_none(), "{ready:?}");
    let body = within(res.body.read_to_end(Vec::new())).await.unwrap();
    assert_eq!(body, b"helloworld");
}
