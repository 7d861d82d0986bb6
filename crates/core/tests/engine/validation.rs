//! Requests that could smuggle bytes onto the wire (CR, LF or NUL in the method, URL or a
//! header), or that name another scheme, are refused before any connection is made.

use crate::common;

use common::{http, reply, Server};
use hyperhttp_core::{Kind, Request, RequestBody, RequestOptions};

fn refusal(method: &str, url: &str, headers: &[&str]) -> Kind {
    let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
    match Request::new(
        method,
        url,
        &headers,
        RequestBody::Empty,
        RequestOptions::default(),
    ) {
        Ok(_) => panic!("accepted {method:?} {url:?} {headers:?}"),
        Err(err) => err.kind(),
    }
}

async fn server() -> Server {
    http(|_| async { reply(200, &[], "") }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_in_header_values_are_refused() {
    let server = server().await;
    let url = server.url("/");

    for value in ["a\r\nx-injected: 1", "a\rb", "a\nb", "a\0b"] {
        assert_eq!(
            refusal("GET", &url, &["x-value", value]),
            Kind::InvalidArgument,
            "{value:?}"
        );
    }
    assert_eq!(server.accepted(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_header_names_are_refused() {
    let server = server().await;
    let url = server.url("/");

    for name in ["x-a\r\nx-b", "x\n", "x\0", "x name", "x:y", ""] {
        assert_eq!(
            refusal("GET", &url, &[name, "v"]),
            Kind::InvalidArgument,
            "{name:?}"
        );
    }
    assert_eq!(server.accepted(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_methods_are_refused() {
    let server = server().await;
    let url = server.url("/");

    for method in ["GE T", "GET\r\n", "GET\0", "", "CONNECT", "TRACK"] {
        assert_eq!(
            refusal(method, &url, &[]),
            Kind::InvalidArgument,
            "{method:?}"
        );
    }
    assert_eq!(server.accepted(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_or_smuggling_urls_are_refused() {
    let server = server().await;
    let port = server.addr.port();

    for url in [
        format!("ftp://127.0.0.1:{port}/"),
        "file:///etc/passwd".to_owned(),
        format!("http://127.0.0.1:{port}/a\r\nx-injected: 1"),
        format!("http://127.0.0.1:{port}/a\0"),
        format!("http://127.0.0.1\r\n:{port}/"),
        "not a url".to_owned(),
    ] {
        assert_eq!(refusal("GET", &url, &[]), Kind::InvalidArgument, "{url:?}");
    }
    assert_eq!(server.accepted(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_header_list_is_refused() {
    let server = server().await;

    assert_eq!(
        refusal("GET", &server.url("/"), &["x-name"]),
        Kind::InvalidArgument
    );
    assert_eq!(server.accepted(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_agent_that_is_not_a_header_value_is_refused_by_the_client() {
    let config = hyperhttp_core::Config {
        user_agent: Some("agent\r\nx-injected: 1".into()),
        ..Default::default()
    };
    let err = hyperhttp_core::Client::new(config).err().expect("refused");
    assert_eq!(err.kind(), Kind::InvalidArgument);
    assert!(err.to_string().contains("userAgent"), "{err}");
}
