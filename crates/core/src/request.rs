//! A request as the engine receives it, validated before a single byte is written: no CR, LF
//! or NUL can reach the wire through the method, the URL or a header.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use tokio::sync::mpsc;
use url::Url;

use crate::config::RequestOptions;
use crate::error::Error;

/// A streamed request body: chunks arrive on `chunks`; the sender being dropped ends the body.
/// `on_need` is called whenever the engine is ready for one more chunk.
pub struct BodyStream {
    /// Chunks, in order.
    pub chunks: mpsc::UnboundedReceiver<Bytes>,
    /// Asks the producer for the next chunk.
    pub on_need: Arc<dyn Fn() + Send + Sync>,
}

/// The body of a request.
#[derive(Default)]
pub enum RequestBody {
    /// No body.
    #[default]
    Empty,
    /// A buffered body; replayable on redirects.
    Bytes(Bytes),
    /// A streamed body; sent once, never replayed.
    Stream(BodyStream),
}

impl RequestBody {
    pub(crate) fn is_stream(&self) -> bool {
        matches!(self, RequestBody::Stream(_))
    }
}

/// A validated request.
///
/// ```
/// use hyperhttp_core::{Request, RequestBody, RequestOptions};
/// let headers = vec!["accept".to_owned(), "text/plain".to_owned()];
/// let req = Request::new("get", "http://127.0.0.1:8080/x", &headers, RequestBody::Empty, RequestOptions::default()).unwrap();
/// assert_eq!(req.method.as_str(), "GET");
/// assert!(Request::new("GET", "http://127.0.0.1/x", &["x".into(), "a\r\nb".into()], RequestBody::Empty, RequestOptions::default()).is_err());
/// ```
pub struct Request {
    /// The method, normalized like `fetch` does (`get` becomes `GET`).
    pub method: Method,
    /// The absolute `http:` or `https:` URL.
    pub url: Url,
    /// Header fields.
    pub headers: HeaderMap,
    /// The body.
    pub body: RequestBody,
    /// Per-request overrides.
    pub options: RequestOptions,
}

impl Request {
    /// Validates raw parts as they cross from JavaScript: `headers` is a flat list of names and
    /// values, `[name0, value0, name1, value1, ...]`.
    pub fn new(
        method: &str,
        url: &str,
        headers: &[String],
        body: RequestBody,
        options: RequestOptions,
    ) -> Result<Request, Error> {
        let method = parse_method(method)?;
        let url = parse_url(url)?;
        if !headers.len().is_multiple_of(2) {
            return Err(Error::invalid(
                "headers must be a flat list of name/value pairs",
            ));
        }
        let mut map = HeaderMap::with_capacity(headers.len() / 2);
        for pair in headers.chunks_exact(2) {
            let (name, value) = (&pair[0], &pair[1]);
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(value.trim_matches([' ', '\t'])).map_err(|_| {
                Error::invalid(format!(
                    "invalid value for header {name}: header values cannot contain CR, LF, NUL or other control characters"
                ))
            })?;
            map.append(name, value);
        }
        Ok(Request {
            method,
            url,
            headers: map,
            body,
            options,
        })
    }
}

fn parse_method(method: &str) -> Result<Method, Error> {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    if let Some(upper) = NORMALIZED.iter().find(|m| m.eq_ignore_ascii_case(method)) {
        return Ok(Method::from_bytes(upper.as_bytes()).expect("standard method"));
    }
    if method.eq_ignore_ascii_case("CONNECT") || method.eq_ignore_ascii_case("TRACK") {
        return Err(Error::invalid(format!("method {method:?} is not allowed")));
    }
    Method::from_bytes(method.as_bytes()).map_err(|_| {
        Error::invalid(format!(
            "invalid method {method:?}: a method is an HTTP token"
        ))
    })
}

pub(crate) fn parse_url(url: &str) -> Result<Url, Error> {
    if url.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Error::invalid("URL contains CR, LF or NUL"));
    }
    let parsed =
        Url::parse(url).map_err(|e| Error::invalid(format!("invalid URL {url:?}: {e}")))?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::invalid(format!(
                "unsupported URL scheme {other}: only http and https are supported"
            )))
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(format!("URL {url:?} has no host")));
    }
    Ok(parsed)
}
