//! SOCKS5 details that the real SOCKS server of the JavaScript tests (dante, without
//! authentication) cannot show: the RFC 1929 username/password exchange, and which address
//! type carries the target for `socks5:` (resolved here) and `socks5h:` (a name for the proxy).
//! The scripted proxy below checks every byte and then pipes to a real origin.

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use common::{client, fetch, get, http, raw, reply};
use hyperhttp_core::{Config, Kind, ProxyOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the scripted proxy saw: the offered methods, the credentials and the target.
#[derive(Debug, Default, Clone)]
struct Seen {
    methods: Vec<u8>,
    credentials: Option<(String, String)>,
    address_type: u8,
    target: Vec<u8>,
}

/// A SOCKS5 server demanding `user`/`password` that tunnels every request to `origin`.
async fn socks5(
    user: &'static str,
    password: &'static str,
    origin: SocketAddr,
) -> (common::Server, Arc<Mutex<Vec<Seen>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen_log = log.clone();
    let server = raw(move |mut tcp| {
        let log = seen_log.clone();
        async move {
            let mut seen = Seen::default();
            let mut head = [0u8; 2];
            tcp.read_exact(&mut head).await.unwrap();
            seen.methods = vec![0; usize::from(head[1])];
            tcp.read_exact(&mut seen.methods).await.unwrap();
            tcp.write_all(&[5, 2]).await.unwrap();
            let (version, name) = (tcp.read_u8().await.unwrap(), read_field(&mut tcp).await);
            assert_eq!(version, 1);
            let pass = read_field(&mut tcp).await;
            let accepted = name == user && pass == password;
            seen.credentials = Some((name, pass));
            tcp.write_all(&[1, u8::from(!accepted)]).await.unwrap();
            if !accepted {
                log.lock().unwrap().push(seen);
                return;
            }
            let mut request = [0u8; 4];
            tcp.read_exact(&mut request).await.unwrap();
            seen.address_type = request[3];
            let len = match request[3] {
                1 => 4,
                4 => 16,
                _ => usize::from(tcp.read_u8().await.unwrap()),
            };
            seen.target = vec![0; len + 2];
            tcp.read_exact(&mut seen.target).await.unwrap();
            log.lock().unwrap().push(seen);
            tcp.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])
                .await
                .unwrap();
            let mut upstream = TcpStream::connect(origin).await.unwrap();
            let _ = tokio::io::copy_bidirectional(&mut tcp, &mut upstream).await;
        }
    })
    .await;
    (server, log)
}

async fn read_field(tcp: &mut TcpStream) -> String {
    let mut field = vec![0; usize::from(tcp.read_u8().await.unwrap())];
    tcp.read_exact(&mut field).await.unwrap();
    String::from_utf8(field).unwrap()
}

fn through(proxy: String) -> Config {
    Config {
        proxy: Some(ProxyOptions {
            http: Some(proxy.clone()),
            https: Some(proxy),
            ..ProxyOptions::default()
        }),
        ..Config::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks5h_sends_credentials_and_the_host_name() {
    let origin = http(|_| async { reply(200, &[], "via socks") }).await;
    let (proxy, seen) = socks5("ann", "p@ss", origin.addr).await;
    let client = client(through(format!("socks5h://ann:p%40ss@{}", proxy.addr)));

    let port = origin.addr.port();
    let res = fetch(&client, get(&format!("http://localhost:{port}/")))
        .await
        .unwrap();

    assert_eq!(res.body, "via socks");
    let seen = seen.lock().unwrap()[0].clone();
    assert_eq!(seen.methods, [0, 2]);
    assert_eq!(seen.credentials, Some(("ann".into(), "p@ss".into())));
    assert_eq!(seen.address_type, 3);
    let mut target = b"localhost".to_vec();
    target.extend_from_slice(&port.to_be_bytes());
    assert_eq!(seen.target, target);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks5_resolves_the_name_itself() {
    let origin = http(|_| async { reply(200, &[], "ok") }).await;
    let (proxy, seen) = socks5("ann", "pw", origin.addr).await;
    let client = client(through(format!("socks5://ann:pw@{}", proxy.addr)));

    let url = format!("http://localhost:{}/", origin.addr.port());
    fetch(&client, get(&url)).await.unwrap();

    let seen = seen.lock().unwrap()[0].clone();
    assert!(
        matches!(seen.address_type, 1 | 4),
        "an IP address, got type {}",
        seen.address_type
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_are_a_proxy_error_without_the_password() {
    let origin = http(|_| async { reply(200, &[], "unreachable") }).await;
    let (proxy, seen) = socks5("ann", "right", origin.addr).await;
    let mut config = through(format!("socks5://ann:hunter2@{}", proxy.addr));
    config.retry.max_retries = 0;
    let client = client(config);

    let err = fetch(&client, get(&origin.url("/"))).await.unwrap_err();

    assert_eq!(err.kind(), Kind::Proxy);
    assert_eq!(err.code(), "ERR_PROXY");
    assert!(err.message().contains("refused the username and password"));
    assert!(err.message().contains("socks5://ann:***@127.0.0.1"));
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(origin.accepted(), 0);
}
