//! HTTP/2 servers that break the protocol on purpose, written frame by frame: every request
//! settles with a typed error (or a correct response) within its timeout, and the same client
//! then works against a healthy server.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::h2_raw::{self, block, frame, goaway, H2Conn, Io, RawH2};
use common::{client, fetch, get, http, reply, server_tls, within, Ca};
use hyperhttp_core::{Client, Config, Error, Kind, Phase};
use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;
use tokio::time::Instant;

const READ_TIMEOUT: Duration = Duration::from_millis(1000);

/// h2c by prior knowledge, a short read timeout, no retries (each failure shows as it is).
fn h2c_config() -> Config {
    let mut config = Config {
        http2_prior_knowledge: true,
        ..Config::default()
    };
    config.timeouts.read = Some(READ_TIMEOUT);
    config.retry.max_retries = 0;
    config
}

/// A raw h2c server whose every connection sends SETTINGS, waits for a request and hands its
/// stream id to `answer`.
async fn answering<A, F>(answer: A) -> RawH2
where
    A: Fn(H2Conn, u32) -> F + Send + Sync + Clone + 'static,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    h2_raw::serve(None, move |_, io: Box<dyn Io>| {
        let answer = answer.clone();
        async move {
            let Some(mut conn) = H2Conn::accept(io, true).await else {
                return;
            };
            if let Some(stream) = conn.next_request().await {
                answer(conn, stream).await;
            }
        }
    })
    .await
}

/// The error one GET to `server` fails with.
async fn failure(client: &Client, server: &RawH2) -> Error {
    match fetch(client, get(&server.url("/"))).await {
        Ok(res) => panic!("a hostile response was accepted: {res:?}"),
        Err(err) => err,
    }
}

/// The same client still works against a healthy HTTP/2 server.
async fn assert_healthy_afterwards(client: &Client) {
    let healthy = http(|_| async { reply(200, &[], "healthy") }).await;
    let res = fetch(client, get(&healthy.url("/"))).await.unwrap();
    assert_eq!(res.body, "healthy");
}

/// The connection failed: h2 reports the server's violation as a protocol error, or the
/// request sees the connection end.
fn assert_connection_error(err: &Error) {
    assert!(
        matches!(err.kind(), Kind::Protocol | Kind::ConnectionClosed),
        "{err:?}"
    );
}

fn assert_head_timeout(err: &Error) {
    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Headers)),
        "{err:?}"
    );
}

/// Sends a header block split into frames of at most 16 KiB (the client's max frame size).
async fn send_block(conn: &mut H2Conn, stream: u32, block: &[u8], end_stream: bool) {
    let pieces: Vec<&[u8]> = block.chunks(16 * 1024).collect();
    for (i, piece) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        let kind = if i == 0 {
            h2_raw::HEADERS
        } else {
            h2_raw::CONTINUATION
        };
        let mut flags = if last { h2_raw::END_HEADERS } else { 0 };
        if i == 0 && end_stream {
            flags |= h2_raw::END_STREAM;
        }
        if conn.write(kind, flags, stream, piece).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuation_frames_without_end_are_cut_off() {
    let written = Arc::new(AtomicUsize::new(0));
    let server = answering({
        let written = written.clone();
        move |mut conn, stream| {
            let written = written.clone();
            async move {
                let first = block(&[(":status", "200")]);
                let _ = conn.write(h2_raw::HEADERS, 0, stream, &first).await;
                let filler = block(&[("x-filler", &"f".repeat(1000))]);
                for _ in 0..100_000 {
                    if conn
                        .write(h2_raw::CONTINUATION, 0, stream, &filler)
                        .await
                        .is_err()
                    {
                        break;
                    }
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    })
    .await;
    let client = client(h2c_config());

    let err = failure(&client, &server).await;

    assert_eq!(err.kind(), Kind::Protocol, "{err:?}");
    // The client gave up long before the server ran out of frames.
    assert!(written.load(Ordering::Relaxed) < 100_000);
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_block_over_max_header_size_is_headers_too_large() {
    let server = answering(|mut conn, stream| async move {
        let big = "v".repeat(100 * 1024);
        let head = block(&[(":status", "200"), ("x-big", &big)]);
        send_block(&mut conn, stream, &head, true).await;
        conn.drain().await;
    })
    .await;
    let client = client(h2c_config());

    let err = failure(&client, &server).await;

    assert_eq!(err.kind(), Kind::HeadersTooLarge, "{err:?}");
    assert_eq!(err.code(), "ERR_HEADERS_TOO_LARGE");
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_header_fields_than_max_header_count_is_headers_too_large() {
    let server = answering(|mut conn, stream| async move {
        let names: Vec<String> = (0..300).map(|i| format!("x-h{i}")).collect();
        let mut fields = vec![(":status", "200")];
        fields.extend(names.iter().map(|n| (n.as_str(), "v")));
        send_block(&mut conn, stream, &block(&fields), true).await;
        conn.drain().await;
    })
    .await;
    let client = client(h2c_config());

    assert_eq!(
        failure(&client, &server).await.kind(),
        Kind::HeadersTooLarge
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_promise_over_tls_is_refused_and_push_is_disabled_in_settings() {
    let ca = Ca::new("h2 push CA");
    let tls = server_tls(&ca.issue(&["127.0.0.1"]), &[b"h2"]);
    let settings = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let server = h2_raw::serve(Some(tls), {
        let settings = settings.clone();
        move |_, io| {
            let settings = settings.clone();
            async move {
                let Some(mut conn) = H2Conn::accept(io, true).await else {
                    return;
                };
                let Some(stream) = conn.next_request().await else {
                    return;
                };
                *settings.lock() = conn.client_settings.clone();
                let mut promise = 2u32.to_be_bytes().to_vec();
                promise.extend(block(&[
                    (":method", "GET"),
                    (":scheme", "https"),
                    (":authority", "127.0.0.1"),
                    (":path", "/pushed"),
                ]));
                let _ = conn
                    .write(h2_raw::PUSH_PROMISE, h2_raw::END_HEADERS, stream, &promise)
                    .await;
                let _ = conn.ok(stream, b"after the push").await;
                conn.drain().await;
            }
        }
    })
    .await;
    let mut config = common::config_trusting(&[ca.pem()]);
    config.retry.max_retries = 0;
    let client = client(config);

    let err = failure(&client, &server).await;

    assert_eq!(err.kind(), Kind::Protocol, "{err:?}");
    assert!(
        settings.lock().contains(&(h2_raw::SETTINGS_ENABLE_PUSH, 0)),
        "client SETTINGS: {:?}",
        settings.lock()
    );
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_and_settings_floods_do_not_stop_the_response() {
    let server = answering(|conn, stream| async move {
        let (_reader, mut write) = conn.write_half();
        let mut flood = Vec::new();
        for i in 0..20_000u64 {
            flood.extend(frame(h2_raw::PING, 0, 0, &i.to_be_bytes()));
            flood.extend(frame(h2_raw::SETTINGS, 0, 0, &[]));
        }
        let _ = write.write_all(&flood).await;
        let head = block(&[(":status", "200")]);
        let _ = write
            .write_all(&frame(h2_raw::HEADERS, h2_raw::END_HEADERS, stream, &head))
            .await;
        let _ = write
            .write_all(&frame(h2_raw::DATA, h2_raw::END_STREAM, stream, b"ok"))
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = client(h2c_config());
    let started = Instant::now();

    let res = fetch(&client, get(&server.url("/"))).await.unwrap();

    // h2 acknowledges one PING and one SETTINGS at a time and stops reading until each ack
    // is written, so the flood costs time, not memory.
    assert_eq!(res.body, "ok");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_beyond_the_flow_control_window_is_an_error() {
    let client_gave_up = Arc::new(Notify::new());
    let server = answering({
        let client_gave_up = client_gave_up.clone();
        move |conn, stream| {
            let client_gave_up = client_gave_up.clone();
            async move {
                let (gave_up, mut write) = conn.write_half();
                let head = block(&[(":status", "200")]);
                let _ = write
                    .write_all(&frame(h2_raw::HEADERS, h2_raw::END_HEADERS, stream, &head))
                    .await;
                // 3 MiB against the client's 256 KiB stream window, which the test does not
                // replenish: it reads no body until the client has reacted.
                let piece = frame(h2_raw::DATA, 0, stream, &[b'x'; 16 * 1024]);
                for _ in 0..192 {
                    if write.write_all(&piece).await.is_err() {
                        break;
                    }
                }
                gave_up.notified().await;
                client_gave_up.notify_one();
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        }
    })
    .await;
    let client = client(h2c_config());

    let res = within(client.execute(get(&server.url("/")))).await.unwrap();
    within(client_gave_up.notified()).await;
    let err = within(res.bytes()).await.unwrap_err();

    assert_connection_error(&err);
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_on_a_stream_the_client_never_opened_is_an_error() {
    for unopened in [99u32, 2] {
        let server = answering(move |mut conn, _stream| async move {
            let _ = conn.write(h2_raw::DATA, 0, unopened, b"stray").await;
            conn.drain().await;
        })
        .await;
        let client = client(h2c_config());

        let err = failure(&client, &server).await;

        assert_connection_error(&err);
        assert_healthy_afterwards(&client).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rst_stream_on_every_one_of_a_thousand_requests() {
    let server = h2_raw::serve(None, |_, io| async move {
        let Some(mut conn) = H2Conn::accept(io, true).await else {
            return;
        };
        while let Some(stream) = conn.next_request().await {
            let internal_error = 2u32.to_be_bytes();
            if conn
                .write(h2_raw::RST_STREAM, 0, stream, &internal_error)
                .await
                .is_err()
            {
                return;
            }
        }
    })
    .await;
    let client = client(h2c_config());

    let requests: Vec<_> = (0..1000)
        .map(|i| {
            let (client, url) = (client.clone(), server.url(&format!("/{i}")));
            tokio::spawn(async move { fetch(&client, get(&url)).await })
        })
        .collect();
    for request in requests {
        let err = request.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), Kind::Protocol, "{err:?}");
    }

    assert!(server.accepted() <= 2, "{} connections", server.accepted());
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goaway_with_last_stream_zero_resends_in_flight_requests_on_a_new_connection() {
    const IN_FLIGHT: usize = 5;
    let server = h2_raw::serve(None, |index, io| async move {
        let Some(mut conn) = H2Conn::accept(io, true).await else {
            return;
        };
        if index == 0 {
            for _ in 0..IN_FLIGHT {
                if conn.next_request().await.is_none() {
                    return;
                }
            }
            let _ = conn.write(h2_raw::GOAWAY, 0, 0, &goaway(0, 0)).await;
            conn.drain().await;
        } else {
            while let Some(stream) = conn.next_request().await {
                if conn.ok(stream, b"second connection").await.is_err() {
                    return;
                }
            }
        }
    })
    .await;
    let client = client(h2c_config());

    let requests: Vec<_> = (0..IN_FLIGHT)
        .map(|i| {
            let (client, url) = (client.clone(), server.url(&format!("/{i}")));
            tokio::spawn(async move { fetch(&client, get(&url)).await })
        })
        .collect();
    for (i, request) in requests.into_iter().enumerate() {
        let res = request
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("request {i}: {e:?} ({} connections)", server.accepted()));
        assert_eq!(res.body, "second connection");
    }
    assert!(server.accepted() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_instead_of_settings_hits_the_headers_timeout() {
    let server = h2_raw::serve(None, |_, io| async move {
        if let Some(conn) = H2Conn::accept(io, false).await {
            conn.drain().await;
        }
    })
    .await;
    let client = client(h2c_config());

    let err = failure(&client, &server).await;

    assert_head_timeout(&err);
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_hpack_is_an_error() {
    let server = answering(|mut conn, stream| async move {
        // An indexed field whose index is far past both tables.
        let bad = [0xff, 0xff, 0xff, 0xff, 0x0f];
        let _ = conn
            .write(h2_raw::HEADERS, h2_raw::END_HEADERS, stream, &bad)
            .await;
        conn.drain().await;
    })
    .await;
    let client = client(h2c_config());

    assert_eq!(failure(&client, &server).await.kind(), Kind::Protocol);
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_response_heads_are_protocol_errors() {
    let heads: [&[(&str, &str)]; 5] = [
        &[(":status", "200"), ("connection", "keep-alive")],
        &[(":status", "200"), ("transfer-encoding", "chunked")],
        &[(":status", "200"), ("X-Upper", "1")],
        &[("content-type", "text/plain")],
        &[(":status", "abc")],
    ];
    let client = client(h2c_config());
    for head in heads {
        let fields: Vec<(String, String)> = head
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let server = answering(move |mut conn, stream| {
            let fields = fields.clone();
            async move {
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                send_block(&mut conn, stream, &block(&fields), true).await;
                conn.drain().await;
            }
        })
        .await;

        let err = failure(&client, &server).await;

        assert_eq!(err.kind(), Kind::Protocol, "{head:?}: {err:?}");
    }
    assert_healthy_afterwards(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interim_only_response_settles() {
    // A 103 that ends the stream never gives a final response; a 103 followed by silence
    // leaves the head pending until the read timeout.
    for end_stream in [true, false] {
        let server = answering(move |mut conn, stream| async move {
            send_block(&mut conn, stream, &block(&[(":status", "103")]), end_stream).await;
            conn.drain().await;
        })
        .await;
        let client = client(h2c_config());

        let err = failure(&client, &server).await;

        if end_stream {
            assert_connection_error(&err);
        } else {
            assert_head_timeout(&err);
        }
        assert_healthy_afterwards(&client).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_update_overflowing_the_window_is_an_error() {
    // 0: the connection's window; 1: the request's stream.
    for target in [0u32, 1] {
        let server = answering(move |mut conn, stream| async move {
            let on = if target == 0 { 0 } else { stream };
            let increment = 0x7fff_ffffu32.to_be_bytes();
            let _ = conn.write(h2_raw::WINDOW_UPDATE, 0, on, &increment).await;
            conn.drain().await;
        })
        .await;
        let client = client(h2c_config());

        let err = failure(&client, &server).await;

        if target == 0 {
            assert_connection_error(&err);
        } else {
            // h2 ignores window updates for a stream whose request it has finished sending,
            // which is harmless: the head is then awaited under the read timeout.
            assert_head_timeout(&err);
        }
        assert_healthy_afterwards(&client).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_empty_data_frames_settles_quickly() {
    let server = answering(|conn, stream| async move {
        let (_reader, mut write) = conn.write_half();
        let head = block(&[(":status", "200")]);
        let _ = write
            .write_all(&frame(h2_raw::HEADERS, h2_raw::END_HEADERS, stream, &head))
            .await;
        let empty = frame(h2_raw::DATA, 0, stream, &[]);
        let flood: Vec<u8> = empty
            .iter()
            .copied()
            .cycle()
            .take(empty.len() * 200_000)
            .collect();
        let _ = write.write_all(&flood).await;
        let _ = write
            .write_all(&frame(h2_raw::DATA, h2_raw::END_STREAM, stream, b"done"))
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = client(h2c_config());
    let started = Instant::now();

    let err = fetch(&client, get(&server.url("/"))).await.unwrap_err();

    // h2 counts empty DATA frames and closes the connection with ENHANCE_YOUR_CALM.
    assert_eq!(err.kind(), Kind::Protocol, "{err:?}");
    assert!(err.message().contains("too_many_data_frames"), "{err:?}");

    assert!(started.elapsed() < Duration::from_secs(15));
    assert_healthy_afterwards(&client).await;
}
