//! Request timings and connection events: marks taken in the engine, ordered, and placed where
//! a server that delays on purpose puts its delays.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, closed_port, get, http, raw, read_head, reply, within};
use hyperhttp_core::{Config, ConnectionEvent, Protocol, RetryPolicy};
use tokio::io::AsyncWriteExt;

const HEAD_DELAY: Duration = Duration::from_millis(300);

fn no_retries() -> Config {
    Config {
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..Config::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_are_ordered_and_the_server_delay_falls_between_sent_and_first_byte() {
    let server = raw(|mut tcp| async move {
        read_head(&mut tcp).await;
        tokio::time::sleep(HEAD_DELAY).await;
        let _ = tcp
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let client = client(Config::default());
    let res = within(client.execute(get(&server.url("/")))).await.unwrap();
    let t = res.timings;
    let marks = [t.queued, t.connect, t.sent, t.first_byte].map(|m| m.expect("marked"));
    assert!(marks.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
    let waited = t.first_byte.unwrap() - t.sent.unwrap();
    assert!(waited >= HEAD_DELAY.as_millis() as f64 - 50.0, "{t:?}");
    assert_eq!(t.dns, None, "an IP address is not resolved");
    assert_eq!(t.tls, None);
    assert_eq!(t.end, None, "the body's reader marks the end");
    assert_eq!(t.reused, Some(false));
    assert_eq!(t.protocol, Some(Protocol::Http1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_connection_is_reported_reused_without_connection_marks() {
    let server = http(|_| async { reply(200, &[], "ok") }).await;
    let client = client(Config::default());
    let first = within(client.execute(get(&server.url("/")))).await.unwrap();
    within(first.bytes()).await.unwrap();
    // Lets the finished connection reach the idle pool (see pool.rs, a known gap).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = within(client.execute(get(&server.url("/")))).await.unwrap();
    assert_eq!(server.accepted(), 1);
    let t = second.timings;
    assert_eq!(t.reused, Some(true), "{t:?}");
    assert_eq!((t.dns, t.connect, t.tls), (None, None, None));
    assert!(t.queued.unwrap() <= t.first_byte.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_connect_reports_the_marks_before_the_failure() {
    let port = closed_port().await;
    let client = client(no_retries());
    let Err(err) = within(client.execute(get(&format!("http://127.0.0.1:{port}/")))).await else {
        panic!("a closed port cannot answer")
    };
    let t = err.timings().expect("a request error carries timings");
    assert!(t.queued.is_some(), "{t:?}");
    assert_eq!((t.connect, t.first_byte, t.reused), (None, None, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observer_sees_a_connection_open_and_close_with_its_addresses() {
    let server = http(|_| async { reply(200, &[("connection", "close")], "bye") }).await;
    let client = client(Config::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    client.observe_connections(Some(Arc::new(move |e| sink.lock().unwrap().push(e))));
    let res = within(client.execute(get(&server.url("/")))).await.unwrap();
    let used = res.timings.connection;
    within(res.bytes()).await.unwrap();
    within(async {
        while events.lock().unwrap().len() < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let events = events.lock().unwrap();
    let ConnectionEvent::Open(open) = &events[0] else {
        panic!("first an open: {events:?}")
    };
    assert_eq!(open.origin, format!("http://{}", server.addr));
    assert_eq!(open.remote, Some(server.addr));
    assert_eq!(open.protocol, Protocol::Http1);
    assert_eq!(used, Some(open.id));
    assert!(matches!(&events[1], ConnectionEvent::Close(c) if c.id == open.id));
}
