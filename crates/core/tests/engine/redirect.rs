//! Redirects: following, the limit, the manual and error modes, refused schemes, method and
//! body rewriting, and credentials that never cross origins.

use crate::common;

use bytes::Bytes;
use common::{
    client, config_trusting, fetch, get, http, https, reply, request, request_with, server_tls, Ca,
    Seen, Server,
};
use hyperhttp_core::{BodyStream, Config, Kind, RedirectMode, RequestBody, RequestOptions};

/// A server whose `/from` answers `status` with `Location: location`; every other path
/// answers 200 with its own path.
async fn redirecting(status: u16, location: &str) -> Server {
    let location = location.to_owned();
    http(move |seen| {
        let location = location.clone();
        async move {
            match seen.path.as_str() {
                "/from" => reply(status, &[("location", &location)], "moved"),
                path => reply(200, &[], path.to_owned()),
            }
        }
    })
    .await
}

fn options(redirect: RedirectMode) -> RequestOptions {
    RequestOptions {
        redirect: Some(redirect),
        ..RequestOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_is_followed_to_the_end() {
    let server = http(|seen| async move {
        match seen.path.as_str() {
            "/a" => reply(301, &[("location", "/b")], ""),
            "/b" => reply(302, &[("location", "/c?q=1")], ""),
            _ => reply(200, &[], "done"),
        }
    })
    .await;

    let res = fetch(&client(Config::default()), get(&server.url("/a")))
        .await
        .unwrap();

    assert_eq!((res.status, res.redirects), (200, 2));
    assert_eq!(res.url, server.url("/c?q=1"));
    assert_eq!(res.body, "done");
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/a", "/b", "/c?q=1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loop_fails_at_the_limit() {
    let server = redirecting(302, "/from").await;
    let options = RequestOptions {
        max_redirects: Some(5),
        ..RequestOptions::default()
    };
    let req = request_with(
        "GET",
        &server.url("/from"),
        &[],
        RequestBody::Empty,
        options,
    );

    let err = fetch(&client(Config::default()), req).await.unwrap_err();

    assert_eq!(err.kind(), Kind::Redirect, "{err:?}");
    assert_eq!(server.seen().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_mode_returns_the_redirect() {
    let server = redirecting(302, "/to").await;
    let req = request_with(
        "GET",
        &server.url("/from"),
        &[],
        RequestBody::Empty,
        options(RedirectMode::Manual),
    );

    let res = fetch(&client(Config::default()), req).await.unwrap();

    assert_eq!((res.status, res.redirects), (302, 0));
    assert_eq!(res.headers["location"], "/to");
    assert_eq!(res.body, "moved");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_mode_fails_on_a_redirect() {
    let server = redirecting(302, "/to").await;
    let req = request_with(
        "GET",
        &server.url("/from"),
        &[],
        RequestBody::Empty,
        options(RedirectMode::Error),
    );

    let err = fetch(&client(Config::default()), req).await.unwrap_err();

    assert_eq!(err.kind(), Kind::Redirect, "{err:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_to_other_schemes_is_refused() {
    for location in [
        "file:///etc/passwd",
        "data:text/plain,hi",
        "ftp://127.0.0.1/x",
        "unix:/tmp/sock",
    ] {
        let server = redirecting(302, location).await;

        let err = fetch(&client(Config::default()), get(&server.url("/from")))
            .await
            .unwrap_err();

        assert_eq!(err.kind(), Kind::Redirect, "{location}: {err:?}");
        assert_eq!(server.seen().len(), 1);
    }
}

/// POSTs a body with a content type to `/from` and returns what the second hop received.
async fn post_through(status: u16) -> Seen {
    let server = redirecting(status, "/to").await;
    let headers = [("content-type", "text/plain"), ("x-keep", "yes")];
    let req = request(
        "POST",
        &server.url("/from"),
        &headers,
        RequestBody::Bytes("payload".into()),
    );

    let res = fetch(&client(Config::default()), req).await.unwrap();

    assert_eq!((res.status, res.redirects), (200, 1), "after {status}");
    let seen = server.seen();
    assert_eq!(seen[0].body, "payload");
    seen[1].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_becomes_get_without_body_after_301_302_303() {
    for status in [301, 302, 303] {
        let hop = post_through(status).await;

        assert_eq!(hop.method, "GET", "after {status}");
        assert!(hop.body.is_empty(), "after {status}");
        assert_eq!(hop.header("content-type"), None, "after {status}");
        assert_eq!(hop.header("content-length"), None, "after {status}");
        assert_eq!(hop.header("x-keep"), Some("yes"), "after {status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_is_replayed_with_its_body_after_307_308() {
    for status in [307, 308] {
        let hop = post_through(status).await;

        assert_eq!(hop.method, "POST", "after {status}");
        assert_eq!(hop.body, "payload", "after {status}");
        assert_eq!(
            hop.header("content-type"),
            Some("text/plain"),
            "after {status}"
        );
    }
}

const CREDENTIALS: [(&str, &str); 4] = [
    ("authorization", "Bearer secret"),
    ("cookie", "session=secret"),
    ("proxy-authorization", "Basic secret"),
    ("www-authenticate", "Basic realm=secret"),
];

/// Follows a redirect to `target` with credentials and returns what the second hop received.
async fn credentials_after_redirect(from: &Server, target: &Server, target_url: &str) -> Seen {
    let mut headers = CREDENTIALS.to_vec();
    headers.push(("x-other", "kept"));
    let req = request("GET", &from.url("/from"), &headers, RequestBody::Empty);

    let res = fetch(&client(Config::default()), req).await.unwrap();

    assert_eq!((res.status, res.redirects), (200, 1));
    assert_eq!(res.url, target_url);
    target.seen().last().unwrap().clone()
}

fn assert_no_credentials(hop: &Seen) {
    for (name, _) in CREDENTIALS {
        assert_eq!(hop.header(name), None, "{name} crossed origins");
    }
    assert_eq!(hop.header("x-other"), Some("kept"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_stripped_for_another_port() {
    let target = http(|_| async { reply(200, &[], "") }).await;
    let target_url = target.url("/to");
    let from = redirecting(302, &target_url).await;

    let hop = credentials_after_redirect(&from, &target, &target_url).await;

    assert_no_credentials(&hop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_stripped_for_another_host() {
    let server = http(|seen| async move {
        if seen.path != "/from" {
            return reply(200, &[], "");
        }
        let port = seen
            .header("host")
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned();
        reply(
            302,
            &[("location", &format!("http://localhost:{port}/to"))],
            "",
        )
    })
    .await;
    let port = server.addr.port();

    let hop =
        credentials_after_redirect(&server, &server, &format!("http://localhost:{port}/to")).await;

    assert_eq!(
        hop.header("host"),
        Some(format!("localhost:{port}").as_str())
    );
    assert_no_credentials(&hop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_kept_on_the_same_origin() {
    let server = redirecting(302, "/to").await;

    let hop = credentials_after_redirect(&server, &server, &server.url("/to")).await;

    for (name, value) in CREDENTIALS {
        assert_eq!(hop.header(name), Some(value), "{name} was dropped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_body_cannot_follow_307() {
    let server = redirecting(307, "/to").await;
    let (tx, chunks) = tokio::sync::mpsc::unbounded_channel();
    tx.send(Bytes::from_static(b"streamed")).unwrap();
    drop(tx);
    let body = RequestBody::Stream(BodyStream {
        chunks,
        on_need: std::sync::Arc::new(|| {}),
    });
    let req = request("POST", &server.url("/from"), &[], body);

    let err = fetch(&client(Config::default()), req).await.unwrap_err();

    assert_eq!(err.kind(), Kind::Redirect, "{err:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_only_refuses_a_downgrade_to_http() {
    let plain = http(|_| async { reply(200, &[], "plain") }).await;
    let ca = Ca::new("https-only CA");
    let location = plain.url("/");
    let secure = https(
        server_tls(&ca.issue(&["127.0.0.1"]), &[b"http/1.1"]),
        move |_| {
            let location = location.clone();
            async move { reply(302, &[("location", &location)], "") }
        },
    )
    .await;
    let mut config = config_trusting(&[ca.pem()]);
    config.https_only = true;
    let client = client(config);

    let err = fetch(&client, get(&secure.url("/"))).await.unwrap_err();
    assert_eq!(err.kind(), Kind::Redirect, "{err:?}");
    let err = fetch(&client, get(&plain.url("/"))).await.unwrap_err();
    assert_eq!(err.kind(), Kind::InvalidArgument, "{err:?}");

    assert_eq!(secure.seen().len(), 1);
    assert_eq!(plain.accepted(), 0);
}
