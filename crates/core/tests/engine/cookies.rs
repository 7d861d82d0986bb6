//! The cookie jar: cookies set by a redirect reach the next hop, domain and host-only rules
//! across origins, `Secure`, expiry, public suffixes, a request's own `Cookie` header, and a
//! jar brought by the caller.

use crate::common;

use std::sync::Mutex;

use common::{client, fetch, get, http, reply, request, Server};
use http::{HeaderMap, HeaderValue};
use hyperhttp_core::{CookieFuture, CookieJar, MemoryJar, RequestBody};
use url::Url;

fn with_jar() -> hyperhttp_core::Config {
    hyperhttp_core::Config {
        cookie_jar: true,
        ..hyperhttp_core::Config::default()
    }
}

/// `/login` sets `sid` and redirects to `location`; every other path echoes its `Cookie`.
async fn login_server(location: String) -> Server {
    http(move |seen| {
        let location = location.clone();
        async move {
            match seen.path.as_str() {
                "/login" => reply(
                    302,
                    &[("location", &location), ("set-cookie", "sid=s1; Path=/")],
                    "",
                ),
                _ => reply(200, &[], seen.header("cookie").unwrap_or("").to_owned()),
            }
        }
    })
    .await
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn set_cookie(jar: &MemoryJar, from: &str, values: &[&'static str]) {
    let values: Vec<HeaderValue> = values.iter().map(|v| HeaderValue::from_static(v)).collect();
    jar.store_set_cookies(&url(from), &values);
}

fn cookie_for(jar: &MemoryJar, to: &str) -> Option<String> {
    jar.header_for(&url(to))
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_set_by_a_redirect_is_sent_on_the_next_hop() {
    let server = login_server("/home".to_owned()).await;
    let client = client(with_jar());

    let res = fetch(&client, get(&server.url("/login"))).await.unwrap();

    assert_eq!(res.redirects, 1);
    assert_eq!(res.body, "sid=s1");
    let later = fetch(&client, get(&server.url("/other"))).await.unwrap();
    assert_eq!(later.body, "sid=s1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_only_cookie_stays_on_its_host_and_ignores_the_port() {
    let other =
        http(|seen| async move { reply(200, &[], seen.header("cookie").unwrap_or("").to_owned()) })
            .await;
    let to_localhost = format!("http://localhost:{}/landing", other.addr.port());
    let server = login_server(to_localhost).await;
    let client = client(with_jar());

    let res = fetch(&client, get(&server.url("/login"))).await.unwrap();

    assert_eq!(res.redirects, 1);
    assert_eq!(res.body, "", "127.0.0.1's cookie went to localhost");
    // Cookies are not isolated by port (RFC 6265 section 8.5).
    let same_host = fetch(&client, get(&other.url("/"))).await.unwrap();
    assert_eq!(same_host.body, "sid=s1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_without_the_option_keep_no_cookies() {
    let server = login_server("/home".to_owned()).await;
    let client = client(hyperhttp_core::Config::default());

    let res = fetch(&client, get(&server.url("/login"))).await.unwrap();

    assert_eq!(res.body, "");
    assert!(client.cookies().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_cookie_header_comes_first_then_the_jar() {
    let server = login_server("/home".to_owned()).await;
    let client = client(with_jar());
    fetch(&client, get(&server.url("/login"))).await.unwrap();

    let req = request(
        "GET",
        &server.url("/echo"),
        &[("cookie", "mine=1")],
        RequestBody::Empty,
    );
    let res = fetch(&client, req).await.unwrap();

    assert_eq!(res.body, "mine=1; sid=s1");
}

#[test]
fn secure_cookies_go_to_https_and_loopback_only() {
    let jar = MemoryJar::default();
    set_cookie(&jar, "https://example.com/", &["s=1; Secure", "p=2"]);

    assert_eq!(
        cookie_for(&jar, "http://example.com/").as_deref(),
        Some("p=2")
    );
    let mut both: Vec<String> = cookie_for(&jar, "https://example.com/")
        .unwrap()
        .split("; ")
        .map(str::to_owned)
        .collect();
    both.sort();
    assert_eq!(both, ["p=2", "s=1"]);

    set_cookie(&jar, "https://127.0.0.1/", &["local=1; Secure"]);
    assert_eq!(
        cookie_for(&jar, "http://127.0.0.1/").as_deref(),
        Some("local=1")
    );
}

#[test]
fn domain_cookies_reach_subdomains_and_foreign_domains_are_refused() {
    let jar = MemoryJar::default();
    set_cookie(
        &jar,
        "https://www.example.com/",
        &["d=1; Domain=example.com", "h=2", "x=3; Domain=other.com"],
    );

    assert_eq!(
        cookie_for(&jar, "https://api.example.com/").as_deref(),
        Some("d=1")
    );
    assert_eq!(cookie_for(&jar, "https://other.com/"), None);
}

#[test]
fn public_suffix_domains_are_refused() {
    let jar = MemoryJar::default();
    set_cookie(
        &jar,
        "https://a.github.io/",
        &["ps=1; Domain=github.io", "tld=1; Domain=io"],
    );
    set_cookie(&jar, "https://shop.example.co.uk/", &["uk=1; Domain=co.uk"]);

    assert_eq!(cookie_for(&jar, "https://b.github.io/"), None);
    assert_eq!(cookie_for(&jar, "https://a.github.io/"), None);
    assert_eq!(cookie_for(&jar, "https://other.co.uk/"), None);
}

#[test]
fn public_suffix_domain_naming_the_host_itself_is_host_only() {
    let jar = MemoryJar::default();
    set_cookie(&jar, "https://github.io/", &["own=1; Domain=github.io"]);

    assert_eq!(
        cookie_for(&jar, "https://github.io/").as_deref(),
        Some("own=1")
    );
    assert_eq!(cookie_for(&jar, "https://a.github.io/"), None);
}

#[test]
fn path_scopes_a_cookie() {
    let jar = MemoryJar::default();
    set_cookie(&jar, "https://example.com/api/login", &["a=1; Path=/api"]);

    assert_eq!(
        cookie_for(&jar, "https://example.com/api/x").as_deref(),
        Some("a=1")
    );
    assert_eq!(cookie_for(&jar, "https://example.com/apix"), None);
    assert_eq!(cookie_for(&jar, "https://example.com/"), None);
}

#[test]
fn max_age_expires_and_zero_deletes() {
    let jar = MemoryJar::default();
    set_cookie(
        &jar,
        "https://example.com/",
        &["short=1; Max-Age=1", "gone=1"],
    );
    set_cookie(&jar, "https://example.com/", &["gone=; Max-Age=0"]);
    assert_eq!(
        cookie_for(&jar, "https://example.com/").as_deref(),
        Some("short=1")
    );

    std::thread::sleep(std::time::Duration::from_millis(2100));

    assert_eq!(cookie_for(&jar, "https://example.com/"), None);
}

/// A jar outside the engine, recording what the engine asks and stores.
#[derive(Default)]
struct Recording {
    asked: Mutex<Vec<String>>,
    stored: Mutex<Vec<(String, String)>>,
}

impl CookieJar for Recording {
    fn cookie_header<'a>(&'a self, url: &'a Url) -> CookieFuture<'a> {
        self.asked.lock().unwrap().push(url.to_string());
        Box::pin(async { Ok(Some(HeaderValue::from_static("from=outside"))) })
    }

    fn store(&self, url: &Url, headers: &HeaderMap) {
        for value in headers.get_all("set-cookie") {
            let value = value.to_str().unwrap().to_owned();
            self.stored.lock().unwrap().push((url.to_string(), value));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_jar_is_asked_before_and_fed_after_every_hop() {
    let server = login_server("/home".to_owned()).await;
    let client = client(hyperhttp_core::Config::default());
    let jar = Recording::default();

    let res = client
        .execute_with_jar(get(&server.url("/login")), None, &jar)
        .await
        .unwrap();

    assert_eq!(res.bytes().await.unwrap(), "from=outside");
    assert_eq!(
        *jar.asked.lock().unwrap(),
        [server.url("/login"), server.url("/home")]
    );
    assert_eq!(
        *jar.stored.lock().unwrap(),
        [(server.url("/login"), "sid=s1; Path=/".to_owned())]
    );
}
