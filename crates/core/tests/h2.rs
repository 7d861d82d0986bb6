//! HTTP/2: negotiated by ALPN over TLS and multiplexed on one connection, or spoken by prior
//! knowledge over plain TCP (h2c).

mod common;

use std::time::Duration;

use common::{client, config_trusting, fetch, get, http, https, reply, server_tls, Ca};
use http::Version;
use hyperhttp_core::Config;

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
