//! A request's declared Content-Length: held to a body of known length before anything is
//! sent, and `0` declared for a body-less POST, PUT or PATCH.

use crate::common;

use common::{client, fetch, http, reply, request, Server};
use hyperhttp_core::{Config, Kind, Request, RequestBody, RequestOptions};

async fn server() -> Server {
    http(|_| async { reply(200, &[], "") }).await
}

fn refusal(method: &str, url: &str, content_length: &str, body: RequestBody) -> String {
    let headers = vec!["content-length".to_owned(), content_length.to_owned()];
    match Request::new(method, url, &headers, body, RequestOptions::default()) {
        Ok(_) => panic!("accepted content-length {content_length:?}"),
        Err(err) => {
            assert_eq!(err.kind(), Kind::InvalidArgument, "{err:?}");
            err.message().to_owned()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_content_length_shorter_or_longer_than_the_body_is_refused() {
    let server = server().await;
    let url = server.url("/");

    for declared in ["3", "9", "0"] {
        let message = refusal("POST", &url, declared, RequestBody::Bytes("hello".into()));
        assert!(message.contains("the body is 5 bytes"), "{message}");
    }
    let message = refusal("PUT", &url, "5", RequestBody::Empty);
    assert!(message.contains("the body is 0 bytes"), "{message}");
    assert_eq!(server.accepted(), 0, "nothing reached the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_content_length_that_is_not_one_number_is_refused() {
    let server = server().await;
    let url = server.url("/");

    for declared in ["-1", "+5", "5, 5", "0x5", "", "99999999999999999999999"] {
        refusal("POST", &url, declared, RequestBody::Bytes("hello".into()));
    }
    assert_eq!(server.accepted(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matching_content_length_is_sent_once() {
    let server = server().await;
    let body = RequestBody::Bytes("hello".into());
    let req = request("POST", &server.url("/"), &[("content-length", "5")], body);

    fetch(&client(Config::default()), req).await.unwrap();

    let seen = &server.seen()[0];
    assert_eq!(seen.body, "hello");
    assert_eq!(seen.headers.get_all("content-length").iter().count(), 1);
    assert_eq!(seen.header("content-length"), Some("5"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_less_post_put_and_patch_declare_zero() {
    let server = server().await;
    let client = client(Config::default());

    for method in ["POST", "PUT", "PATCH", "GET", "DELETE", "OPTIONS"] {
        let req = request(method, &server.url("/"), &[], RequestBody::Empty);
        fetch(&client, req).await.unwrap();
    }

    let declared: Vec<_> = server
        .seen()
        .iter()
        .map(|s| {
            (
                s.method.to_string(),
                s.header("content-length").map(str::to_owned),
            )
        })
        .collect();
    let zero = Some("0".to_owned());
    assert_eq!(
        declared,
        [
            ("POST".to_owned(), zero.clone()),
            ("PUT".to_owned(), zero.clone()),
            ("PATCH".to_owned(), zero),
            ("GET".to_owned(), None),
            ("DELETE".to_owned(), None),
            ("OPTIONS".to_owned(), None),
        ]
    );
}

#[test]
fn a_streamed_body_of_unknown_length_on_get_or_head_is_refused() {
    for method in ["GET", "HEAD"] {
        let (_tx, chunks) = tokio::sync::mpsc::unbounded_channel();
        let body = RequestBody::Stream(hyperhttp_core::BodyStream {
            chunks,
            on_need: std::sync::Arc::new(|| {}),
        });
        let err = Request::new(method, "http://127.0.0.1:1/", &[], body, Default::default())
            .err()
            .unwrap_or_else(|| panic!("{method} with a stream body was accepted"));
        assert_eq!(err.kind(), Kind::InvalidArgument, "{err:?}");
        assert!(err.message().contains("content-length"), "{err:?}");
    }
}
