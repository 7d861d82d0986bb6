//! Streamed request bodies: pulled chunk by chunk through `on_need` and delivered whole, with
//! a declared Content-Length held to the bytes actually streamed.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::{client, fetch, http, reply, request};
use hyperhttp_core::{BodyStream, Config, Kind, RequestBody};
use tokio::sync::mpsc;

/// A body that sends the next chunk only when the engine asks for it, and counts the asks.
fn pulled_body(chunks: Vec<Bytes>) -> (RequestBody, Arc<AtomicUsize>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let asks = Arc::new(AtomicUsize::new(0));
    let producer = Mutex::new((Some(tx), chunks.into_iter()));
    let on_need = {
        let asks = asks.clone();
        move || {
            asks.fetch_add(1, Ordering::SeqCst);
            let mut producer = producer.lock().unwrap();
            let (sender, pending) = &mut *producer;
            match pending.next() {
                Some(chunk) => {
                    let _ = sender.as_ref().expect("asked after the end").send(chunk);
                }
                None => *sender = None,
            }
        }
    };
    let body = RequestBody::Stream(BodyStream {
        chunks: rx,
        on_need: Arc::new(on_need),
    });
    (body, asks)
}

fn chunks(count: usize, size: usize) -> Vec<Bytes> {
    (0..count)
        .map(|i| {
            Bytes::from(
                (0..size)
                    .map(|j| ((i * 31 + j) % 256) as u8)
                    .collect::<Vec<u8>>(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_body_arrives_whole() {
    let server = http(|seen| async move { reply(200, &[], seen.body.len().to_string()) }).await;
    let sent = chunks(64, 16 * 1024);
    let (body, asks) = pulled_body(sent.clone());

    let res = fetch(
        &client(Config::default()),
        request("POST", &server.url("/"), &[], body),
    )
    .await
    .unwrap();

    assert_eq!(res.status, 200);
    assert_eq!(server.seen()[0].body, sent.concat());
    assert_eq!(
        server.seen()[0].header("transfer-encoding"),
        Some("chunked")
    );
    assert_eq!(
        asks.load(Ordering::SeqCst),
        sent.len() + 1,
        "one ask per chunk and one for the end"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_body_with_matching_content_length_arrives_whole() {
    let server = http(|_| async { reply(200, &[], "") }).await;
    let sent = chunks(8, 1000);
    let (body, _) = pulled_body(sent.clone());
    let req = request("PUT", &server.url("/"), &[("content-length", "8000")], body);

    fetch(&client(Config::default()), req).await.unwrap();

    assert_eq!(server.seen()[0].body, sent.concat());
    assert_eq!(server.seen()[0].header("content-length"), Some("8000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_shorter_than_content_length_is_an_error() {
    let server = http(|_| async { reply(200, &[], "") }).await;
    let (body, _) = pulled_body(chunks(2, 100));
    let req = request(
        "POST",
        &server.url("/"),
        &[("content-length", "1000")],
        body,
    );

    let err = fetch(&client(Config::default()), req).await.unwrap_err();

    assert_eq!(err.kind(), Kind::RequestBody, "{err:?}");
    assert!(server.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_longer_than_content_length_is_an_error() {
    let server = http(|_| async { reply(200, &[], "") }).await;
    let (body, _) = pulled_body(chunks(4, 100));
    let req = request("POST", &server.url("/"), &[("content-length", "250")], body);

    let err = fetch(&client(Config::default()), req).await.unwrap_err();

    assert_eq!(err.kind(), Kind::RequestBody, "{err:?}");
    assert!(server.seen().is_empty());
}
