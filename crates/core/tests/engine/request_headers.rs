//! Header rules shared by `fetch` and the client: values are byte strings (Latin-1 on the
//! wire), credentials in the URL become Basic authorization, and a Range request asks for the
//! identity encoding.

use crate::common;

use common::{client, fetch, get, http, reply, request, Server};
use hyperhttp_core::{
    Config, HeaderList, Kind, LastUrl, Request, RequestBody, RequestOptions, ACCEPT_ENCODING,
};

async fn server() -> Server {
    http(|_| async { reply(200, &[], "") }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latin1_characters_go_out_as_single_bytes() {
    let server = server().await;
    let req = request(
        "GET",
        &server.url("/"),
        &[("x-name", "café ÿ")],
        RequestBody::Empty,
    );

    fetch(&client(Config::default()), req).await.unwrap();

    let seen = &server.seen()[0];
    assert_eq!(
        seen.headers["x-name"].as_bytes(),
        b"caf\xe9 \xff",
        "one byte per character"
    );
}

fn build(url: &str, name: &str, value: &str) -> Result<Request, hyperhttp_core::Error> {
    let headers = vec![name.to_owned(), value.to_owned()];
    Request::new(
        "GET",
        url,
        &headers,
        RequestBody::Empty,
        RequestOptions::default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn characters_above_u00ff_are_refused() {
    let server = server().await;
    for value in ["c€", "😀", "a\u{100}"] {
        let err = build(&server.url("/"), "x-name", value)
            .err()
            .unwrap_or_else(|| panic!("accepted {value:?}"));
        assert_eq!(err.kind(), Kind::InvalidArgument);
        assert!(err.message().contains("above U+00FF"), "{}", err.message());
    }
    assert!(
        build(&server.url("/"), "x-é", "v").is_err(),
        "header names stay tokens"
    );
    assert_eq!(server.accepted(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_credentials_become_basic_authorization() {
    let server = server().await;
    let url = server
        .url("/p")
        .replace("http://", "http://ann%40x:p%3Ass@");

    let res = fetch(&client(Config::default()), get(&url)).await.unwrap();

    let seen = &server.seen()[0];
    // base64("ann@x:p:ss")
    assert_eq!(seen.header("authorization"), Some("Basic YW5uQHg6cDpzcw=="));
    assert_eq!(res.url, server.url("/p"), "the credentials leave the URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_authorization_header_wins_over_url_credentials() {
    let server = server().await;
    let url = server.url("/").replace("http://", "http://ann:pw@");
    let req = request(
        "GET",
        &url,
        &[("authorization", "Bearer t")],
        RequestBody::Empty,
    );

    fetch(&client(Config::default()), req).await.unwrap();

    assert_eq!(server.seen()[0].header("authorization"), Some("Bearer t"));
}

fn strings(pairs: &[&str]) -> Vec<String> {
    pairs.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_headers_chosen_by_the_mask_go_out_after_the_requests_own() {
    let server = server().await;
    let defaults = HeaderList::parse(&strings(&[
        "x-a",
        "1",
        "authorization",
        "Bearer d",
        "x-c",
        "3",
        "x-a",
        "2",
    ]))
    .unwrap();
    // The URL's credentials give way to a chosen default authorization, as to the request's own.
    let url = LastUrl::default()
        .parse(&server.url("/").replace("http://", "http://ann:pw@"))
        .unwrap();
    let own = strings(&["x-own", "o"]);
    let req = Request::with_parsed_url(
        "GET",
        url,
        &own,
        Some((&defaults, 0b1011)),
        RequestBody::Empty,
        RequestOptions::default(),
    )
    .unwrap();

    fetch(&client(Config::default()), req).await.unwrap();

    let seen = &server.seen()[0];
    let names: Vec<&str> = seen.headers.keys().map(|n| n.as_str()).collect();
    assert_eq!(
        &names[..3],
        ["x-own", "x-a", "authorization"],
        "own first, then the defaults in their order"
    );
    let a: Vec<&str> = seen
        .headers
        .get_all("x-a")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(a, ["1", "2"], "both chosen values of a name");
    assert_eq!(seen.header("authorization"), Some("Bearer d"));
    assert_eq!(seen.header("x-c"), None, "bit 2 is clear");
}

#[test]
fn a_header_list_is_checked_as_a_requests_headers_are() {
    assert!(HeaderList::parse(&strings(&["x-a", "a\r\nb"])).is_err());
    assert!(HeaderList::parse(&strings(&["bad name", "v"])).is_err());
    assert!(
        HeaderList::parse(&strings(&["x-a"])).is_err(),
        "an odd list"
    );
    let many: Vec<String> = (0..33)
        .flat_map(|i| [format!("x-{i}"), "v".to_owned()])
        .collect();
    let err = HeaderList::parse(&many).unwrap_err();
    assert_eq!(err.kind(), Kind::InvalidArgument);
    assert!(HeaderList::parse(&many[..64]).is_ok(), "32 fields fit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_request_asks_for_the_identity_encoding() {
    let server = server().await;
    let client = client(Config::default());
    let ranged = request(
        "GET",
        &server.url("/"),
        &[("range", "bytes=0-1")],
        RequestBody::Empty,
    );
    let chosen = request(
        "GET",
        &server.url("/"),
        &[("range", "bytes=0-1"), ("accept-encoding", "gzip")],
        RequestBody::Empty,
    );

    fetch(&client, ranged).await.unwrap();
    fetch(&client, chosen).await.unwrap();
    fetch(&client, get(&server.url("/"))).await.unwrap();

    let sent: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.header("accept-encoding").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(sent, ["identity", "gzip", ACCEPT_ENCODING]);
}
