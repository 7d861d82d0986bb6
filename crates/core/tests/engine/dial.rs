//! Resolution, the address filter, the DNS cache and Happy Eyeballs against loopback servers:
//! an IPv4 listener whose backlog is full (connects to it never complete) and an IPv6 server
//! on `::1` with the same port.

use crate::common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{client, fetch, get, within};
use hyperhttp_core::{
    address_blocked, lookup_failed, AddressFilter, Config, DnsOptions, Family, FilterFuture, Kind,
    Lookup, LookupFuture,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

const V4: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const V6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);

/// Answers every lookup with `addresses`, counting the calls.
struct Fixed {
    addresses: Vec<IpAddr>,
    calls: Arc<AtomicUsize>,
}

impl Lookup for Fixed {
    fn lookup(&self, _host: &str, _family: Family) -> LookupFuture {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let addresses = self.addresses.clone();
        Box::pin(async move { Ok(addresses) })
    }
}

/// A listener on 127.0.0.1 that never accepts, its backlog filled so that further connects
/// stall. Dropping it closes everything.
struct Stalled {
    port: u16,
    _listener: TcpListener,
    _fillers: Vec<TcpStream>,
}

async fn stalled_v4() -> Stalled {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(V4, 0)).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    // Linux queues backlog + 1 completed handshakes; after them SYNs are dropped.
    for _ in 0..2 {
        fillers.push(TcpStream::connect(addr).await.unwrap());
    }
    Stalled {
        port: addr.port(),
        _listener: listener,
        _fillers: fillers,
    }
}

/// An HTTP/1.1 server at `ip:port` answering `ok` and closing; counts connections.
async fn serve_ok(ip: IpAddr, port: u16) -> Arc<AtomicUsize> {
    let listener = TcpListener::bind(SocketAddr::new(ip, port)).await.unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tcp
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
            });
        }
    });
    accepted
}

fn config(dns: DnsOptions, connect: Duration) -> Config {
    let mut config = Config::default();
    config.retry.max_retries = 0;
    config.timeouts.connect = Some(connect);
    config.dns = dns;
    config
}

fn lookup(addresses: &[IpAddr]) -> (Arc<dyn Lookup>, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let lookup = Fixed {
        addresses: addresses.to_vec(),
        calls: calls.clone(),
    };
    (Arc::new(lookup), calls)
}

#[tokio::test]
async fn happy_eyeballs_tries_the_next_address_after_the_attempt_delay() {
    let stalled = stalled_v4().await;
    let v6 = serve_ok(V6, stalled.port).await;
    let (lookup, _) = lookup(&[V4, V6]);
    let dns = DnsOptions {
        lookup: Some(lookup),
        ..DnsOptions::default()
    };
    // The alternative wait is the IPv4 attempt's share of the connect timeout: 10 s.
    let client = client(config(dns, Duration::from_secs(20)));
    let started = Instant::now();
    let res = within(fetch(
        &client,
        get(&format!("http://dual.test:{}/", stalled.port)),
    ))
    .await
    .expect("the IPv6 address answers");
    let elapsed = started.elapsed();
    assert_eq!(res.body, "ok");
    assert_eq!(v6.load(Ordering::SeqCst), 1);
    assert!(
        elapsed >= Duration::from_millis(240),
        "the IPv4 address was tried first, alone for the attempt delay ({elapsed:?})"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "the IPv6 attempt started after 250 ms, not after the IPv4 share ({elapsed:?})"
    );
}

#[tokio::test]
async fn without_happy_eyeballs_an_address_keeps_its_share_of_the_connect_timeout() {
    let stalled = stalled_v4().await;
    let v6 = serve_ok(V6, stalled.port).await;
    let (lookup, _) = lookup(&[V4, V6]);
    let dns = DnsOptions {
        lookup: Some(lookup),
        attempt_delay: None,
        ..DnsOptions::default()
    };
    let client = client(config(dns, Duration::from_secs(4)));
    let started = Instant::now();
    let res = within(fetch(
        &client,
        get(&format!("http://dual.test:{}/", stalled.port)),
    ))
    .await
    .expect("the IPv6 address answers once the IPv4 share is over");
    assert_eq!(res.body, "ok");
    assert_eq!(v6.load(Ordering::SeqCst), 1);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900),
        "the IPv4 attempt had half of the 4 s connect timeout ({elapsed:?})"
    );
}

#[tokio::test]
async fn every_silent_address_is_a_connect_timeout() {
    let stalled = stalled_v4().await;
    let (lookup, _) = lookup(&[V4, V4]);
    let dns = DnsOptions {
        lookup: Some(lookup),
        ..DnsOptions::default()
    };
    let client = client(config(dns, Duration::from_millis(600)));
    let err = within(fetch(
        &client,
        get(&format!("http://silent.test:{}/", stalled.port)),
    ))
    .await
    .expect_err("nothing answers");
    assert_eq!(err.kind(), Kind::Timeout, "{err:?}");
    assert_eq!(err.phase(), Some(hyperhttp_core::Phase::Connect));
}

#[tokio::test]
async fn the_cache_resolves_a_name_once_for_several_connections() {
    let port = common::closed_port().await;
    let server = serve_ok(V4, port).await;
    for (cache, expected) in [(true, 1), (false, 3)] {
        let (lookup, calls) = lookup(&[V4]);
        let mut dns = DnsOptions {
            lookup: Some(lookup),
            ..DnsOptions::default()
        };
        if !cache {
            dns.cache = None;
        }
        let client = client(config(dns, Duration::from_secs(10)));
        for _ in 0..3 {
            let res = within(fetch(&client, get(&format!("http://cached.test:{port}/"))))
                .await
                .unwrap();
            assert_eq!(res.body, "ok");
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            expected,
            "cache on: {cache}; every response closed its connection"
        );
    }
    assert_eq!(server.load(Ordering::SeqCst), 6);
}

/// Answers after a while, counting the calls.
struct Slow(Arc<AtomicUsize>);

impl Lookup for Slow {
    fn lookup(&self, _host: &str, _family: Family) -> LookupFuture {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok(vec![V4])
        })
    }
}

#[tokio::test]
async fn a_burst_of_new_connections_shares_one_lookup() {
    let port = common::closed_port().await;
    let server = serve_ok(V4, port).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let dns = DnsOptions {
        lookup: Some(Arc::new(Slow(calls.clone()))),
        ..DnsOptions::default()
    };
    let client = client(config(dns, Duration::from_secs(10)));
    let requests: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(
                async move { fetch(&client, get(&format!("http://burst.test:{port}/"))).await },
            )
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().unwrap().body, "ok");
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one lookup for five connections"
    );
    assert_eq!(server.load(Ordering::SeqCst), 5);
}

/// Refuses loopback IPv4 addresses, counting the questions.
struct NoV4Loopback(Arc<AtomicUsize>);

impl AddressFilter for NoV4Loopback {
    fn check(&self, host: &str, addresses: &[IpAddr]) -> FilterFuture {
        self.0.fetch_add(1, Ordering::SeqCst);
        let refused = addresses
            .iter()
            .find(|ip| **ip == V4)
            .map(|ip| ip.to_string());
        let host = host.to_owned();
        Box::pin(async move {
            match refused {
                Some(ip) => Err(address_blocked(&host, &ip)),
                None => Ok(()),
            }
        })
    }
}

#[tokio::test]
async fn the_address_filter_refuses_a_literal_address_before_connecting() {
    let port = common::closed_port().await;
    let server = serve_ok(V4, port).await;
    let asked = Arc::new(AtomicUsize::new(0));
    let dns = DnsOptions {
        address_filter: Some(Arc::new(NoV4Loopback(asked.clone()))),
        ..DnsOptions::default()
    };
    let client = client(config(dns, Duration::from_secs(10)));
    let err = within(fetch(&client, get(&format!("http://127.0.0.1:{port}/"))))
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "ERR_ADDRESS_BLOCKED");
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(
        server.load(Ordering::SeqCst),
        0,
        "nothing reached the server"
    );
}

/// Fails every lookup.
struct Refusing;

impl Lookup for Refusing {
    fn lookup(&self, host: &str, _family: Family) -> LookupFuture {
        let err = lookup_failed(host, "private range").with_answer_token(7);
        Box::pin(async move { Err(err) })
    }
}

#[tokio::test]
async fn a_failed_lookup_is_a_dns_error_that_names_its_answer() {
    let dns = DnsOptions {
        lookup: Some(Arc::new(Refusing)),
        ..DnsOptions::default()
    };
    let client = client(config(dns, Duration::from_secs(10)));
    let err = within(fetch(&client, get("http://refused.test/")))
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), Kind::Dns);
    assert_eq!(err.answer_token(), Some(7));
    assert!(err.message().contains("private range"), "{err:?}");
}

#[tokio::test]
async fn a_local_address_binds_the_connection() {
    let listener = TcpListener::bind(SocketAddr::new(V4, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = tokio::spawn(async move {
        let (mut tcp, peer) = listener.accept().await.unwrap();
        let mut buf = [0; 1024];
        let _ = tcp.read(&mut buf).await;
        let _ = tcp
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .await;
        peer.ip()
    });
    let local: IpAddr = "127.0.0.2".parse().unwrap();
    let dns = DnsOptions {
        local_address: Some(local),
        ..DnsOptions::default()
    };
    let client = client(config(dns, Duration::from_secs(10)));
    within(fetch(&client, get(&format!("http://127.0.0.1:{port}/"))))
        .await
        .unwrap();
    assert_eq!(peer.await.unwrap(), local);
}
