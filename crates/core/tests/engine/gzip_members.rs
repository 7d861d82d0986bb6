//! What follows a gzip member, decoded as Node's `fetch` (zlib) does: another member is
//! decoded, zero bytes end the body, anything else is a decode error.

use crate::common;

use std::io::Write;

use common::{client, fetch, get, http, reply, Server};
use flate2::write::GzEncoder;
use flate2::Compression;
use hyperhttp_core::{Config, Kind};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

async fn gzip_server(body: Vec<u8>) -> Server {
    let body = bytes::Bytes::from(body);
    http(move |_| {
        let body = body.clone();
        async move { reply(200, &[("content-encoding", "gzip")], body) }
    })
    .await
}

async fn decoded(body: Vec<u8>) -> Result<bytes::Bytes, hyperhttp_core::Error> {
    let server = gzip_server(body).await;
    fetch(&client(Config::default()), get(&server.url("/")))
        .await
        .map(|res| res.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concatenated_members_are_all_decoded() {
    let body = [gzip(b"hello"), gzip(b" world")].concat();
    assert_eq!(decoded(body).await.unwrap(), "hello world");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_padding_after_a_member_ends_the_body() {
    let padded = [gzip(b"hello"), vec![0; 16]].concat();
    assert_eq!(decoded(padded).await.unwrap(), "hello");
    let padded_then_junk = [gzip(b"hello"), vec![0, b'A', b'B']].concat();
    assert_eq!(decoded(padded_then_junk).await.unwrap(), "hello");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_trailing_bytes_are_a_decode_error() {
    for tail in [&b"GARBAGE!"[..], &[0x1f, 0x8b, 1, 2, 3]] {
        let body = [gzip(b"hello"), gzip(b" world"), tail.to_vec()].concat();
        let err = decoded(body).await.unwrap_err();
        assert_eq!(err.kind(), Kind::Decode, "{tail:?}: {err:?}");
    }
}
