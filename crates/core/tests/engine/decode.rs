//! Response decoding: each supported coding, stacked codings, the coding limit, the decoded
//! size cap, corrupt input, and decompression turned off.

use crate::common;

use std::io::Write;

use async_compression::tokio::bufread::{BrotliEncoder, ZstdEncoder};
use bytes::Bytes;
use common::{client, fetch, get, http, reply, request_with, Server};
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use hyperhttp_core::{Config, Kind, RequestBody, RequestOptions, ACCEPT_ENCODING};
use tokio::io::AsyncReadExt;

fn sample() -> Vec<u8> {
    (0..200_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect()
}

/// `data` with `codings` applied in order, as `Content-Encoding: a, b` means a then b.
async fn encode(data: &[u8], codings: &[&str]) -> Vec<u8> {
    let mut out = data.to_vec();
    for coding in codings {
        out = match *coding {
            "gzip" => {
                let mut e = GzEncoder::new(Vec::new(), Compression::default());
                e.write_all(&out).unwrap();
                e.finish().unwrap()
            }
            "deflate" => {
                let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
                e.write_all(&out).unwrap();
                e.finish().unwrap()
            }
            "br" => read_all(BrotliEncoder::new(&out[..])).await,
            "zstd" => read_all(ZstdEncoder::new(&out[..])).await,
            other => panic!("no encoder for {other}"),
        };
    }
    out
}

async fn read_all(mut reader: impl tokio::io::AsyncRead + Unpin) -> Vec<u8> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out).await.unwrap();
    out
}

/// A server answering every request with `body` labelled with `content_encoding`.
async fn encoded_server(content_encoding: &str, body: Vec<u8>) -> Server {
    let (content_encoding, body) = (content_encoding.to_owned(), Bytes::from(body));
    http(move |_| {
        let (content_encoding, body) = (content_encoding.clone(), body.clone());
        async move { reply(200, &[("content-encoding", &content_encoding)], body) }
    })
    .await
}

async fn assert_decodes(codings: &[&str]) {
    let data = sample();
    let server = encoded_server(&codings.join(", "), encode(&data, codings).await).await;

    let res = fetch(&client(Config::default()), get(&server.url("/")))
        .await
        .unwrap();

    assert_eq!(res.body, data, "decoding {codings:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_is_decoded() {
    assert_decodes(&["gzip"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deflate_is_decoded() {
    assert_decodes(&["deflate"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brotli_is_decoded() {
    assert_decodes(&["br"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zstd_is_decoded() {
    assert_decodes(&["zstd"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stacked_codings_are_decoded() {
    assert_decodes(&["gzip", "br"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_stacked_codings_are_decoded() {
    assert_decodes(&["gzip", "deflate", "br", "zstd", "gzip"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_stacked_codings_are_refused() {
    let codings = ["gzip"; 6];
    let server = encoded_server(
        "gzip, gzip, gzip, gzip, gzip, gzip",
        encode(b"x", &codings).await,
    )
    .await;

    let err = fetch(&client(Config::default()), get(&server.url("/")))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), Kind::Decode, "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_encoding_is_sent_by_default() {
    let server = http(|_| async { reply(200, &[], "") }).await;

    fetch(&client(Config::default()), get(&server.url("/")))
        .await
        .unwrap();

    assert_eq!(
        server.seen()[0].header("accept-encoding"),
        Some(ACCEPT_ENCODING)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decompression_off_returns_the_raw_body() {
    let gzipped = encode(&sample(), &["gzip"]).await;
    let server = encoded_server("gzip", gzipped.clone()).await;
    let options = RequestOptions {
        decompress: Some(false),
        ..RequestOptions::default()
    };
    let req = request_with("GET", &server.url("/"), &[], RequestBody::Empty, options);

    let res = fetch(&client(Config::default()), req).await.unwrap();

    assert_eq!(res.body, gzipped);
    assert_eq!(server.seen()[0].header("accept-encoding"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decoded_size_over_the_cap_is_refused() {
    let server = encoded_server("gzip", encode(&vec![0; 8 << 20], &["gzip"]).await).await;
    let config = Config {
        max_decoded_body_size: 1 << 20,
        ..Config::default()
    };

    let err = fetch(&client(config), get(&server.url("/")))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), Kind::BodyTooLarge, "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_gzip_is_a_decode_error() {
    let mut corrupt = encode(&sample(), &["gzip"]).await;
    corrupt[20..60].fill(0xAA);
    let server = encoded_server("gzip", corrupt).await;

    let err = fetch(&client(Config::default()), get(&server.url("/")))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), Kind::Decode, "{err:?}");
}
