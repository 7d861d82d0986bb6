//! Servers that break HTTP/1.1 on the wire: every case ends in a typed error (or, for interim
//! responses, the final one), never a hang.

use crate::common;

use common::{answer_then_close, client, fetch, get, raw, read_head, Fetched};
use hyperhttp_core::{Config, Kind};
use tokio::io::AsyncWriteExt;

async fn exchange(
    config: Config,
    response: impl Into<bytes::Bytes>,
) -> Result<Fetched, hyperhttp_core::Error> {
    let server = answer_then_close(response.into()).await;
    fetch(&client(config), get(&server.url("/"))).await
}

async fn failure(response: impl Into<bytes::Bytes>) -> Kind {
    failure_with(Config::default(), response).await
}

async fn failure_with(config: Config, response: impl Into<bytes::Bytes>) -> Kind {
    match exchange(config, response).await {
        Ok(res) => panic!("accepted a malformed response: {res:?}"),
        Err(err) => err.kind(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_status_line() {
    assert_eq!(
        failure("HTT/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await,
        Kind::Protocol
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_code_out_of_range() {
    assert_eq!(
        failure("HTTP/1.1 1000 OK\r\nContent-Length: 0\r\n\r\n").await,
        Kind::Protocol
    );
    assert_eq!(
        failure("HTTP/1.1 99 OK\r\nContent-Length: 0\r\n\r\n").await,
        Kind::Protocol
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eof_before_end_of_headers() {
    assert_eq!(
        failure("HTTP/1.1 200 OK\r\nContent-Le").await,
        Kind::ConnectionClosed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_shorter_than_content_length() {
    assert_eq!(
        failure("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").await,
        Kind::ConnectionClosed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_chunked_body() {
    assert_eq!(
        failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel").await,
        Kind::ConnectionClosed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_chunk_size() {
    assert_eq!(
        failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
            .await,
        Kind::Protocol
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunk_size_that_overflows() {
    assert_eq!(
        failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n").await,
        Kind::Protocol
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicting_content_lengths() {
    assert_eq!(
        failure("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd").await,
        Kind::Protocol
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_content_lengths() {
    for value in ["-1", "0x20", "30,", "abc"] {
        let response = format!("HTTP/1.1 200 OK\r\nContent-Length: {value}\r\n\r\nabc");
        assert_eq!(
            failure(response).await,
            Kind::Protocol,
            "Content-Length: {value}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_in_a_header() {
    for header in ["x-a: a\rb", "x-a: a\0b"] {
        let response = format!("HTTP/1.1 200 OK\r\n{header}\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(failure(response).await, Kind::Protocol, "{header:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obsolete_line_folding() {
    assert_eq!(
        failure("HTTP/1.1 200 OK\r\nx-a: a\r\n folded\r\nContent-Length: 0\r\n\r\n").await,
        Kind::Protocol
    );
}

fn response_with_header_of(size: usize) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nx-big: {}\r\nContent-Length: 0\r\n\r\n",
        "a".repeat(size)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_far_over_the_size_limit() {
    assert_eq!(
        failure(response_with_header_of(1024 * 1024)).await,
        Kind::HeadersTooLarge
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_over_the_default_size_limit() {
    assert_eq!(
        failure(response_with_header_of(100 * 1024)).await,
        Kind::HeadersTooLarge
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_over_a_small_configured_size_limit() {
    let config = Config {
        max_header_size: 4096,
        ..Config::default()
    };
    assert_eq!(
        failure_with(config, response_with_header_of(6 * 1024)).await,
        Kind::HeadersTooLarge
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_headers_than_the_configured_count() {
    let config = Config {
        max_header_count: 16,
        ..Config::default()
    };
    let headers: String = (0..40).map(|i| format!("x-h{i}: v\r\n")).collect();
    let response = format!("HTTP/1.1 200 OK\r\n{headers}Content-Length: 0\r\n\r\n");
    assert_eq!(failure_with(config, response).await, Kind::HeadersTooLarge);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unrequested_switching_protocols() {
    assert_eq!(
        failure(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"
        )
        .await,
        Kind::Protocol
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interim_responses_are_skipped() {
    let res = exchange(
        Config::default(),
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n\
         HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal",
    )
    .await
    .unwrap();

    assert_eq!((res.status, res.body.as_ref()), (200, &b"final"[..]));
}

/// A keep-alive server that answers `/split` with a body framed both by Content-Length and by
/// chunked encoding, followed on the same connection by a second, smuggled response; any other
/// path gets `fresh`.
async fn response_splitting_server() -> common::Server {
    raw(|mut tcp| async move {
        loop {
            let head = read_head(&mut tcp).await;
            if head.is_empty() {
                return;
            }
            let bytes: &[u8] = if head.starts_with("GET /split ") {
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n\
                  0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"
            } else {
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh"
            };
            if tcp.write_all(bytes).await.is_err() {
                return;
            }
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_length_with_transfer_encoding_is_refused_and_the_connection_dropped() {
    let server = response_splitting_server().await;
    let client = client(Config::default());

    let err = fetch(&client, get(&server.url("/split")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Kind::Protocol, "{err:?}");
    assert!(err.message().contains("Transfer-Encoding"), "{err:?}");

    let next = fetch(&client, get(&server.url("/next"))).await.unwrap();
    assert_eq!(next.body, "fresh");
    assert_eq!(server.accepted(), 2, "the suspect connection was reused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_length_with_transfer_encoding_is_refused_for_every_concurrent_request() {
    let server = response_splitting_server().await;
    let client = client(Config::default());

    let splits: Vec<_> = (0..8)
        .map(|_| {
            let (client, url) = (client.clone(), server.url("/split"));
            tokio::spawn(async move { fetch(&client, get(&url)).await })
        })
        .collect();
    for split in splits {
        assert_eq!(split.await.unwrap().unwrap_err().kind(), Kind::Protocol);
    }
    let before = server.accepted();
    for _ in 0..3 {
        let next = fetch(&client, get(&server.url("/next"))).await.unwrap();
        assert_eq!(next.body, "fresh", "a smuggled response was read");
    }
    assert!(
        server.accepted() > before,
        "no new connection after the refused responses"
    );
}
