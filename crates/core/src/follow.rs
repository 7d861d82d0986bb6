//! The redirect loop of one attempt: sends each hop through the client and follows what
//! [`crate::redirect`] decides, until a response goes back to the caller. The client
//! ([`crate::client`]) owns connections and sending; this module owns the hops between them.

use std::borrow::Cow;
use std::time::Duration;

use http::Method;
use http_body::Body as _;
use hyper::body::Incoming;
use tokio::time::Instant;
use url::Url;

use crate::body::{Body, Source};
use crate::client::{Client, HopBody, Response};
use crate::config::Effective;
use crate::conn::InFlight;
use crate::cookies::{with_jar_cookies, CookieJar};
use crate::error::Error;
use crate::redirect::{self, Policy};
use crate::request::{Request, RequestBody};

/// Sends the request `head` with `body` and follows its redirects under `settings`. `total`
/// is the deadline of the whole request, which the returned body keeps running. With a
/// `jar`, each hop carries its cookies and each response's `Set-Cookie` goes into it. The
/// request's URL, method and headers are copied only when a redirect changes them.
pub(crate) async fn follow(
    client: &Client,
    head: &Request,
    body: RequestBody,
    settings: &Effective,
    total: Option<(Instant, Duration)>,
    jar: Option<&dyn CookieJar>,
) -> Result<Box<Response>, Error> {
    let config = client.config();
    let policy = Policy {
        mode: settings.redirect,
        max: settings.max_redirects,
        https_only: config.https_only,
    };
    if policy.https_only && head.url.scheme() == "http" {
        return Err(Error::invalid(format!(
            "httpsOnly forbids the http URL {}",
            head.url
        )));
    }
    let mut method = Cow::Borrowed(&head.method);
    let mut url = Cow::Borrowed(&head.url);
    let mut headers = Cow::Borrowed(&head.headers);
    let stream_body = body.is_stream();
    let mut body = match body {
        RequestBody::Empty => HopBody::default(),
        RequestBody::Bytes(b) => HopBody {
            replay: Some(b),
            stream: None,
        },
        RequestBody::Stream(s) => HopBody {
            replay: None,
            stream: Some(s),
        },
    };
    let mut redirects = 0;
    loop {
        let sent = match jar {
            Some(jar) => match jar
                .cookie_header(&url)
                .await
                .map_err(|e| e.with_url(url.as_str()))?
            {
                Some(cookies) => Cow::Owned(with_jar_cookies(&headers, cookies)),
                None => Cow::Borrowed(&*headers),
            },
            None => Cow::Borrowed(&*headers),
        };
        let (res, conn) = client
            .send_hop(&method, &url, &sent, &mut body, settings)
            .await?;
        if let Some(jar) = jar {
            jar.store(&url, res.headers());
        }
        let next = redirect::next_hop(
            &policy,
            res.status(),
            res.headers(),
            &url,
            &method,
            redirects,
            stream_body,
        )
        .map_err(|e| e.with_url(url.as_str()))?;
        let Some(next) = next else {
            return into_response(res, conn, url.into_owned(), redirects, settings, total);
        };
        redirect::rewrite_headers(headers.to_mut(), &url, &next);
        if next.to_get {
            if *method != Method::HEAD {
                method = Cow::Owned(Method::GET);
            }
            body.replay = None;
        }
        // Boxed: redirects are rare, and this future would otherwise sit in every request's.
        Box::pin(drain(res, conn, settings.read_timeout)).await;
        url = Cow::Owned(next.url);
        redirects += 1;
    }
}

/// The final hop's response, its body decoded when `settings` say so. Boxed until it leaves
/// the engine's layers (attempt, retries, total timeout), each of which would copy it.
fn into_response(
    res: http::Response<Incoming>,
    in_flight: Option<InFlight>,
    url: Url,
    redirects: u32,
    settings: &Effective,
    total: Option<(Instant, Duration)>,
) -> Result<Box<Response>, Error> {
    let url_str = url.as_str().to_owned();
    let (parts, incoming) = res.into_parts();
    let source = if incoming.is_end_stream() {
        Source::Empty
    } else if settings.decompress {
        match crate::decode::codings(&parts.headers)? {
            Some(codings) => Source::Decoded {
                reader: crate::decode::decoder(incoming, &codings),
                produced: 0,
                cap: settings.max_decoded_body_size,
            },
            None => Source::Raw(incoming),
        }
    } else {
        Source::Raw(incoming)
    };
    Ok(Box::new(Response {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        extensions: parts.extensions,
        url,
        redirects,
        attempts: 1,
        body: Body::new(source, settings.read_timeout, total, in_flight, url_str),
        timings: Default::default(),
    }))
}

/// Lets a redirect response's connection return to the pool when its body is small.
async fn drain(
    res: http::Response<Incoming>,
    in_flight: Option<InFlight>,
    read_timeout: Option<Duration>,
) {
    let (_, incoming) = res.into_parts();
    Body::new(
        Source::Raw(incoming),
        read_timeout,
        None,
        in_flight,
        String::new(),
    )
    .drain()
    .await;
}
