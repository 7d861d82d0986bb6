//! Connections dialled to a local socket instead of the URL's host: the `socketPath` option,
//! and a mock server's routes (scripted connect failures, refusals). Unix only; the named
//! pipe branch is built for Windows but not tested here.
#![cfg(unix)]

use crate::common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::{client, closed_port, fetch, get, read_head};
use hyperhttp_core::{Backoff, Config, Kind, MockRoutes, MOCK_UNMATCHED_HEADER};
use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};

/// A Unix socket server answering every request with its Host header and path, or with the
/// mock refusal header when the path is `/refuse`. Removed with its directory on drop.
struct SocketServer {
    dir: PathBuf,
    path: String,
}

impl Drop for SocketServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn socket_server(name: &str) -> SocketServer {
    let dir = std::env::temp_dir().join(format!("hyperhttp-uds-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock").to_str().unwrap().to_owned();
    let listener = UnixListener::bind(&path).unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(answer(socket));
        }
    });
    SocketServer { dir, path }
}

async fn answer(mut socket: UnixStream) {
    loop {
        let head = read_head(&mut socket).await;
        if head.is_empty() {
            return;
        }
        let path = head.split(' ').nth(1).unwrap_or("").to_owned();
        let host = head
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .unwrap_or("")
            .to_owned();
        let body = format!("{host} {path}");
        let extra = if path == "/refuse" {
            format!("{MOCK_UNMATCHED_HEADER}: nothing matched\r\n")
        } else {
            String::new()
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\n{extra}content-length: {}\r\n\r\n{body}",
            body.len()
        );
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn no_backoff(mut config: Config) -> Config {
    config.retry.backoff = Backoff::None;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_path_carries_every_origin_with_its_host_header() {
    let server = socket_server("plain");
    let client = client(Config {
        socket_path: Some(server.path.clone()),
        ..Config::default()
    });

    for (url, expected) in [
        (
            "http://docker/v1/containers?all=1",
            "docker /v1/containers?all=1",
        ),
        ("http://other.example:8080/x", "other.example:8080 /x"),
    ] {
        let res = fetch(&client, get(url)).await.unwrap();
        assert_eq!(res.body, expected);
    }
    // A real server's refusal header means nothing outside a mock route.
    let res = fetch(&client, get("http://docker/refuse")).await.unwrap();
    assert_eq!(res.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_routes_fail_connects_as_scripted_and_the_retry_reaches_the_socket() {
    let server = socket_server("mock");
    let client = client(no_backoff(Config::default()));
    let routes = Arc::new(MockRoutes::new(server.path.clone(), server.path.clone()));
    routes.mock_origin("https://api.example.com");
    routes.fail_connect(
        "https://api.example.com",
        Kind::Connect,
        "scripted",
        Some(1),
    );
    client.set_mock_routes(Some(routes.clone()));

    let res = fetch(&client, get("https://api.example.com/users"))
        .await
        .unwrap();
    assert_eq!(res.body, "api.example.com /users");
    assert_eq!(routes.connect_failures_used(), vec![1]);

    let refused = fetch(&client, get("https://api.example.com/refuse"))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), Kind::MockNotMatched, "{refused:?}");
    assert_eq!(refused.message(), "nothing matched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmocked_origins_go_to_the_mock_unless_let_through() {
    let server = socket_server("pass");
    let mut config = no_backoff(Config::default());
    config.timeouts.connect = Some(Duration::from_secs(2));
    config.retry.max_retries = 0;
    let client = client(config);
    let routes = Arc::new(MockRoutes::new(server.path.clone(), server.path.clone()));
    client.set_mock_routes(Some(routes.clone()));

    let url = format!("http://127.0.0.1:{}/x", closed_port().await);
    let res = fetch(&client, get(&url)).await.unwrap();
    assert!(res.body.ends_with(b" /x"), "routed to the mock server");

    routes.set_net_connect(false, vec!["127.0.0.1".to_owned()]);
    let err = fetch(&client, get(&url)).await.unwrap_err();
    assert_eq!(
        err.kind(),
        Kind::Connect,
        "let through to the closed port: {err:?}"
    );
}
