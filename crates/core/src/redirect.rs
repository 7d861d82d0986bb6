//! Redirect policy: which responses are followed, where to, with which method, body and
//! headers. Credentials never cross origins.

use http::header::{self, HeaderName};
use http::{HeaderMap, Method, StatusCode};
use url::Url;

use crate::config::RedirectMode;
use crate::error::{Error, Kind};

/// Headers removed when a redirect leaves the origin (scheme, host or port).
const CREDENTIALS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
    header::WWW_AUTHENTICATE,
];

/// Headers that describe a body, removed when a redirect drops the body.
const BODY_HEADERS: [HeaderName; 5] = [
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_ENCODING,
    header::CONTENT_LANGUAGE,
    header::CONTENT_LOCATION,
];

/// The next hop of a followed redirect.
#[derive(Debug)]
pub(crate) struct Hop {
    pub url: Url,
    /// The method becomes GET and the body is dropped (301/302 after POST, 303).
    pub to_get: bool,
}

/// Settings that decide redirects for one request.
pub(crate) struct Policy {
    pub mode: RedirectMode,
    pub max: u32,
    pub https_only: bool,
}

/// Decides what to do with a response: `None` returns it to the caller.
pub(crate) fn next_hop(
    policy: &Policy,
    status: StatusCode,
    headers: &HeaderMap,
    current: &Url,
    method: &Method,
    followed: u32,
    stream_body: bool,
) -> Result<Option<Hop>, Error> {
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = headers.get(header::LOCATION) else {
        return Ok(None);
    };
    match policy.mode {
        RedirectMode::Manual => return Ok(None),
        RedirectMode::Error => {
            return Err(redirect_error(format!(
                "server redirected ({status}) but redirect mode is 'error'"
            )))
        }
        RedirectMode::Follow => {}
    }
    if followed >= policy.max {
        return Err(redirect_error(format!(
            "too many redirects: more than maxRedirects ({})",
            policy.max
        )));
    }
    let location = std::str::from_utf8(location.as_bytes())
        .map_err(|_| redirect_error("redirect Location is not valid UTF-8".to_owned()))?;
    let url = current.join(location).map_err(|e| {
        redirect_error(format!(
            "redirect Location {location:?} is not a valid URL: {e}"
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if policy.https_only => {
            return Err(redirect_error(format!(
                "refusing redirect to {url}: httpsOnly forbids http URLs"
            )))
        }
        "http" => {}
        other => {
            return Err(redirect_error(format!(
                "refusing redirect to a {other}: URL; only http and https are followed"
            )))
        }
    }
    let to_get = match status.as_u16() {
        303 => *method != Method::HEAD,
        301 | 302 => *method == Method::POST,
        _ => false,
    };
    if !to_get && stream_body && !matches!(*method, Method::GET | Method::HEAD) {
        return Err(Error::new(
            Kind::Redirect,
            format!("cannot follow {status} redirect: the request body was a stream and cannot be sent again"),
        ));
    }
    Ok(Some(Hop { url, to_get }))
}

/// Rewrites `headers` for the hop from `from` to `hop.url`.
pub(crate) fn rewrite_headers(headers: &mut HeaderMap, from: &Url, hop: &Hop) {
    if hop.to_get {
        for name in &BODY_HEADERS {
            headers.remove(name);
        }
    }
    if from.origin() != hop.url.origin() {
        for name in &CREDENTIALS {
            headers.remove(name);
        }
        headers.remove(header::HOST);
    }
}

fn redirect_error(message: String) -> Error {
    Error::new(Kind::Redirect, message)
}
