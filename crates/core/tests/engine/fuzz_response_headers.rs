//! Property-based tests of what a server can put in `Retry-After` and redirect `Location`
//! values, sent as raw bytes by a server on 127.0.0.1: the engine never panics or hangs,
//! honours a `Retry-After` only up to `max_retry_after`, and never follows a redirect to
//! anything but http(s).
//!
//! Seeded: `PROPTEST_RNG_SEED` overrides the fixed seed, `PROPTEST_CASES` the number of cases
//! (see the README, "Testing").

use crate::common;
use crate::fuzz;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{client, raw, read_head};
use fuzz::{config, header_bytes};
use hyperhttp_core::{Backoff, Client, Config, Kind};
use proptest::prelude::*;
use tokio::io::AsyncWriteExt;
use tokio::runtime::Runtime;
use url::Url;

/// Longest `Retry-After` the client honours in these tests.
const MAX_RETRY_AFTER: Duration = Duration::from_millis(300);
/// Slack for a loaded machine on top of the longest honoured wait.
const SLACK: Duration = Duration::from_secs(5);

/// A server answering the request for `/start` with `status` and the header `name: value`
/// (raw bytes), and every other request with 200 and its request line as the body. Every
/// request line is recorded.
struct Scripted {
    server: common::Server,
    answer: Arc<Mutex<(u16, &'static str, Vec<u8>)>>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    async fn start() -> Scripted {
        let answer = Arc::new(Mutex::new((200, "x-none", Vec::new())));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (a, s) = (answer.clone(), seen.clone());
        let server = raw(move |mut tcp| {
            let (answer, seen) = (a.clone(), s.clone());
            async move {
                loop {
                    let head = read_head(&mut tcp).await;
                    let Some(line) = head.lines().next().filter(|l| !l.is_empty()) else {
                        return;
                    };
                    let line = line.to_owned();
                    seen.lock().unwrap().push(line.clone());
                    let mut out = Vec::new();
                    if line.starts_with("GET /start ") {
                        let (status, name, value) = answer.lock().unwrap().clone();
                        out.extend(format!("HTTP/1.1 {status} X\r\n{name}: ").bytes());
                        out.extend(value);
                        out.extend(b"\r\ncontent-length: 0\r\n\r\n");
                    } else {
                        let body = line.as_bytes();
                        out.extend(
                            format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len())
                                .bytes(),
                        );
                        out.extend(body);
                    }
                    if tcp.write_all(&out).await.is_err() {
                        return;
                    }
                }
            }
        })
        .await;
        Scripted {
            server,
            answer,
            seen,
        }
    }

    fn set(&self, status: u16, name: &'static str, value: Vec<u8>) {
        *self.answer.lock().unwrap() = (status, name, value);
        self.seen.lock().unwrap().clear();
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// `Retry-After` values: numbers of every shape, HTTP dates in the three formats with
/// extreme fields, and arbitrary bytes.
fn retry_after() -> impl Strategy<Value = Vec<u8>> {
    let now = SystemTime::now();
    let date = (-100_000i64..100_000).prop_map(move |offset| {
        let at = if offset >= 0 {
            now + Duration::from_secs(offset as u64)
        } else {
            now - Duration::from_secs(offset.unsigned_abs())
        };
        httpdate::fmt_http_date(at)
    });
    prop_oneof![
        "[0-9]{1,25}".prop_map(String::into_bytes),
        "[ \t]{0,2}[-+]?[0-9]{0,4}([.,e][0-9]{0,3})?[ \t]{0,2}".prop_map(String::into_bytes),
        date.prop_map(String::into_bytes),
        prop::sample::select(
            &[
                "Fri, 31 Dec 9999 23:59:59 GMT",
                "Thu, 01 Jan 1970 00:00:00 GMT",
                "Sun, 06 Nov 1994 08:49:37 GMT",
                "Sunday, 06-Nov-94 08:49:37 GMT",
                "Sun Nov  6 08:49:37 1994",
                "Mon, 31 Feb 2100 25:61:61 GMT",
                "18446744073709551615",
                "18446744073709551616",
                "-0",
                "",
            ][..]
        )
        .prop_map(|s| s.as_bytes().to_vec()),
        header_bytes(40),
    ]
}

fn retry_config() -> Config {
    let mut config = Config::default();
    config.retry.max_retries = 1;
    config.retry.max_retry_after = MAX_RETRY_AFTER;
    config.retry.backoff = Backoff::None;
    config.retry_budget = None;
    config
}

/// The wait `value` asks for when it is a plain number of seconds, as RFC 9110 defines it.
fn delta_seconds(value: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(value).ok()?.trim_matches([' ', '\t']);
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

#[test]
fn retry_after_never_panics_and_never_waits_past_the_cap() {
    let rt = Runtime::new().unwrap();
    let (server, client) = rt.block_on(async { (Scripted::start().await, client(retry_config())) });
    proptest!(config(512), |(value in retry_after())| {
        server.set(503, "retry-after", value.clone());
        let started = Instant::now();
        let result = rt.block_on(async {
            tokio::time::timeout(MAX_RETRY_AFTER + SLACK, fetch_status(&client, &server.server.url("/start"))).await
        });
        let elapsed = started.elapsed();
        let Ok(result) = result else {
            return Err(TestCaseError::fail(format!("hung on Retry-After {:?}", String::from_utf8_lossy(&value))));
        };
        prop_assert!(elapsed < MAX_RETRY_AFTER + SLACK, "waited {:?}", elapsed);
        match result {
            Ok((status, attempts)) => {
                prop_assert!(matches!((status, attempts), (503, 1) | (503, 2) | (200, 2)), "{} after {} attempts", status, attempts);
                // A number of seconds of 1 or more is over the cap: the 503 comes back at once.
                if delta_seconds(&value).is_some_and(|s| s.bytes().any(|b| b != b'0')) {
                    prop_assert_eq!((status, attempts), (503, 1), "Retry-After {:?} over the cap was waited for", String::from_utf8_lossy(&value));
                }
            }
            // Bytes hyper refuses in a header value make the response a protocol error.
            Err(kind) => prop_assert_eq!(kind, Kind::Protocol, "Retry-After {:?}", String::from_utf8_lossy(&value)),
        }
    });
}

/// Found by `retry_after_never_panics_and_never_waits_past_the_cap`: a number of seconds too
/// large for a u64 was read as no `Retry-After` at all, and the request retried at once.
#[test]
fn regression_a_retry_after_beyond_u64_seconds_is_over_the_cap() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let server = Scripted::start().await;
        server.set(503, "retry-after", b"20000000000000000000".to_vec());
        let client = client(retry_config());
        let outcome = fetch_status(&client, &server.server.url("/start")).await;
        assert_eq!(outcome, Ok((503, 1)), "the 503 is returned without a retry");
    });
}

async fn fetch_status(client: &Client, url: &str) -> Result<(u16, u32), Kind> {
    let res = client
        .execute(common::get(url))
        .await
        .map_err(|e| e.kind())?;
    let status = res.status.as_u16();
    let attempts = res.attempts;
    res.bytes().await.map_err(|e| e.kind())?;
    Ok((status, attempts))
}

/// `Location` values: paths, absolute and scheme-relative URLs to this server and to other
/// schemes, and arbitrary bytes.
fn location(port: u16) -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop::sample::select(vec![
        String::new(),
        "/".to_owned(),
        "//".to_owned(),
        format!("http://127.0.0.1:{port}/"),
        format!("HTTP://127.0.0.1:{port}"),
        format!("//127.0.0.1:{port}/"),
        format!("https://127.0.0.1:{port}/"),
        format!("http:127.0.0.1:{port}/"),
        "http:/".to_owned(),
        "http:".to_owned(),
        format!("\thttp://127.0.0.1:{port}/"),
        format!("http://127.0.0.1:{port}\\"),
        "file:///etc/passwd".to_owned(),
        "data:text/plain,x".to_owned(),
        "unix:/tmp/s".to_owned(),
        format!("ftp://127.0.0.1:{port}/"),
        format!("ws://127.0.0.1:{port}/"),
        "javascript:".to_owned(),
        "about:blank".to_owned(),
        "blob:".to_owned(),
    ]);
    prop_oneof![
        3 => (prefix, header_bytes(24)).prop_map(|(p, rest)| [p.into_bytes(), rest].concat()),
        1 => header_bytes(40),
    ]
}

/// Where the engine may go for `location` from `base`: each reading of the value (as sent, or
/// trimmed of the whitespace an HTTP parser drops) that resolves to a URL.
fn readings(base: &Url, location: &[u8]) -> Vec<Url> {
    let Ok(text) = std::str::from_utf8(location) else {
        return Vec::new();
    };
    let ws = [' ', '\t'];
    [
        text,
        text.trim_matches(ws),
        text.trim_start_matches(ws),
        text.trim_end_matches(ws),
    ]
    .iter()
    .filter_map(|t| base.join(t).ok())
    .collect()
}

#[test]
fn a_redirect_location_never_panics_and_only_http_is_followed() {
    let rt = Runtime::new().unwrap();
    let server = rt.block_on(Scripted::start());
    let port = server.server.addr.port();
    let mut settings = Config {
        max_redirects: 1,
        ..Config::default()
    };
    settings.retry.max_retries = 0;
    let client = rt.block_on(async { client(settings) });
    let base = Url::parse(&server.server.url("/start")).unwrap();
    let statuses = prop::sample::select(&[301u16, 302, 303, 307, 308][..]);
    proptest!(config(1024), |(status in statuses, value in location(port))| {
        // Only this server is ever contacted, in plain HTTP: a value that could lead elsewhere
        // (or to a TLS handshake with a server that does not speak TLS) is not sent.
        let targets = readings(&base, &value);
        let elsewhere = targets.iter().any(|u| {
            u.scheme() == "https"
                || (u.scheme() == "http"
                    && (u.host_str() != Some("127.0.0.1") || u.port_or_known_default() != Some(port)))
        });
        if elsewhere {
            return Ok(());
        }
        server.set(status, "location", value.clone());
        let shown = String::from_utf8_lossy(&value).into_owned();
        let result = rt.block_on(async {
            tokio::time::timeout(SLACK, async {
                let res = client.execute(common::get(base.as_str())).await?;
                let (status, url, redirects) = (res.status.as_u16(), res.url.clone(), res.redirects);
                res.bytes().await?;
                Ok::<_, hyperhttp_core::Error>((status, url, redirects))
            })
            .await
        });
        let Ok(result) = result else {
            return Err(TestCaseError::fail(format!("hung on Location {shown:?}")));
        };
        let seen = server.seen();
        let followed = seen.len() > 1;
        match result {
            Ok((200, url, 1)) => {
                prop_assert!(matches!(url.scheme(), "http"), "followed to {}", url);
                prop_assert!(targets.contains(&url), "Location {:?} followed to {}", shown, url);
                let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
                prop_assert_eq!(&seen[1], &format!("GET {target} HTTP/1.1"));
            }
            Ok(other) => prop_assert!(false, "Location {:?}: unexpected {:?}", shown, other),
            Err(e) => {
                prop_assert!(
                    matches!(e.kind(), Kind::Redirect | Kind::Protocol),
                    "Location {:?}: {}", shown, e
                );
                if e.kind() == Kind::Redirect && !targets.iter().any(|u| u.scheme() == "http") {
                    prop_assert!(!followed, "Location {:?} was followed: {:?}", shown, seen);
                }
            }
        }
        let followed_other_scheme = !targets.iter().any(|u| matches!(u.scheme(), "http" | "https"));
        prop_assert!(!(followed && followed_other_scheme), "Location {:?} was followed: {:?}", shown, seen);
    });
}
