//! Each phase fails on its own: headers, body, total, connect and DNS, with its own kind and
//! phase. Only loopback addresses are contacted.

use crate::common;

use std::time::Duration;

use common::{
    answer_then_stall, client, closed_port, fetch, get, raw, read_head, request_with, within,
};
use hyperhttp_core::{Config, Kind, Phase, RequestBody, RequestOptions};
use tokio::io::AsyncWriteExt;

fn config_with_read_timeout(ms: u64) -> Config {
    let mut config = Config::default();
    config.timeouts.read = Some(Duration::from_millis(ms));
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_server_hits_the_headers_timeout() {
    let server = answer_then_stall("").await;

    let err = fetch(
        &client(config_with_read_timeout(300)),
        get(&server.url("/")),
    )
    .await
    .unwrap_err();

    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Headers)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_trickled_byte_by_byte_hits_the_headers_timeout() {
    let server = raw(|mut tcp| async move {
        read_head(&mut tcp).await;
        let head = format!("HTTP/1.1 200 OK\r\nx-slow: {}\r\n\r\n", "a".repeat(1000));
        for byte in head.bytes() {
            if tcp.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;

    let err = fetch(
        &client(config_with_read_timeout(500)),
        get(&server.url("/")),
    )
    .await
    .unwrap_err();

    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Headers)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gap_between_body_chunks_hits_the_body_timeout() {
    let server = answer_then_stall("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").await;
    let client = client(config_with_read_timeout(300));

    let mut res = within(client.execute(get(&server.url("/")))).await.unwrap();
    assert_eq!(within(res.body.chunk(1024)).await.unwrap().unwrap(), "abc");
    let err = within(res.body.chunk(1024)).await.unwrap_err();

    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Body)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn total_timeout_bounds_the_whole_request() {
    let server = answer_then_stall("").await;
    let options = RequestOptions {
        total_timeout: Some(Some(Duration::from_millis(300))),
        ..RequestOptions::default()
    };
    let req = request_with("GET", &server.url("/"), &[], RequestBody::Empty, options);

    let err = fetch(&client(Config::default()), req).await.unwrap_err();

    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Total)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn total_timeout_covers_a_slow_body() {
    let server = answer_then_stall("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").await;
    let mut config = Config::default();
    config.timeouts.total = Some(Duration::from_millis(500));

    let err = fetch(&client(config), get(&server.url("/")))
        .await
        .unwrap_err();

    assert_eq!(
        (err.kind(), err.phase()),
        (Kind::Timeout, Some(Phase::Total)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection_is_a_connect_error() {
    let url = format!("http://127.0.0.1:{}/", closed_port().await);

    let err = fetch(&client(Config::default()), get(&url))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), Kind::Connect, "{err:?}");
    assert!(err.is_connect());
    assert_eq!(err.url(), Some(url.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_host_is_a_dns_error() {
    let err = fetch(&client(Config::default()), get("http://nohost.invalid/"))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), Kind::Dns, "{err:?}");
    assert!(err.is_connect());
}
