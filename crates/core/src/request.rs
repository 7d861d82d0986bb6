//! A request as the engine receives it, validated before a single byte is written: no CR, LF
//! or NUL can reach the wire through the method, the URL or a header, and a declared
//! Content-Length always matches a body of known length. The header rules that `fetch` and
//! the client share live here too (see [`Request::new`]).

use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use percent_encoding::percent_decode_str;
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
    ///
    /// Header values are byte strings as in `fetch`: each character is one byte, so
    /// U+0080..U+00FF go out as single Latin-1 bytes and a character above U+00FF is refused.
    /// On top of the caller's headers:
    /// - credentials in the URL (`http://user:pass@host/`) become `Authorization: Basic`
    ///   unless an `Authorization` header is given, and leave the URL;
    /// - a `Content-Length` header must equal the length of a body of known length;
    /// - a body-less POST, PUT or PATCH says `Content-Length: 0` (servers and proxies answer
    ///   411 Length Required without it);
    /// - a `Range` request without `Accept-Encoding` asks for `identity`, so that the range
    ///   applies to the bytes the caller will read (the `fetch` standard does the same).
    ///
    /// ```
    /// use hyperhttp_core::{Request, RequestBody, RequestOptions};
    /// let req = Request::new("POST", "http://ann:s%3Ecret@127.0.0.1/", &[], RequestBody::Empty, RequestOptions::default()).unwrap();
    /// assert_eq!(req.url.as_str(), "http://127.0.0.1/");
    /// assert_eq!(req.headers["authorization"], "Basic YW5uOnM+Y3JldA==");
    /// assert_eq!(req.headers["content-length"], "0");
    /// let mismatch = vec!["content-length".to_owned(), "3".to_owned()];
    /// let body = RequestBody::Bytes("hello".into());
    /// assert!(Request::new("POST", "http://127.0.0.1/", &mismatch, body, RequestOptions::default()).is_err());
    /// ```
    pub fn new(
        method: &str,
        url: &str,
        headers: &[String],
        body: RequestBody,
        options: RequestOptions,
    ) -> Result<Request, Error> {
        let method = parse_method(method)?;
        Request::with_url(method, parse_url(url)?, headers, body, options)
    }

    /// [`Request::new`] with the URL already parsed and checked (see [`crate::LastUrl`]), and
    /// with `defaults`: the fields of a [`HeaderList`] parsed once (a client's default headers)
    /// that this request sends after its own, chosen by a bit mask (bit `i` for field `i`).
    /// Which defaults a request sends is the caller's rule; the engine only appends them, before
    /// the rules above run, so they count as the request's headers there.
    ///
    /// ```
    /// use hyperhttp_core::{HeaderList, LastUrl, Request, RequestBody, RequestOptions};
    /// let defaults = HeaderList::parse(&["x-a".into(), "1".into(), "x-b".into(), "2".into()]).unwrap();
    /// let url = LastUrl::default().parse("http://127.0.0.1/").unwrap();
    /// let own = vec!["x-c".to_owned(), "3".to_owned()];
    /// let req = Request::with_parsed_url("GET", url, &own, Some((&defaults, 0b10)), RequestBody::Empty, RequestOptions::default()).unwrap();
    /// let names: Vec<_> = req.headers.keys().map(|n| n.as_str()).collect();
    /// assert_eq!(names, ["x-c", "x-b"]);
    /// ```
    pub fn with_parsed_url(
        method: &str,
        url: Url,
        headers: &[String],
        defaults: Option<(&HeaderList, u32)>,
        body: RequestBody,
        options: RequestOptions,
    ) -> Result<Request, Error> {
        let method = parse_method(method)?;
        let mut map = parse_headers(headers, defaults.map_or(0, |(list, _)| list.0.len()))?;
        if let Some((list, mask)) = defaults {
            for (i, (name, value)) in list.0.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    map.append(name.clone(), value.clone());
                }
            }
        }
        Request::with_map(method, url, map, body, options)
    }

    fn with_url(
        method: Method,
        url: Url,
        headers: &[String],
        body: RequestBody,
        options: RequestOptions,
    ) -> Result<Request, Error> {
        Request::with_map(method, url, parse_headers(headers, 0)?, body, options)
    }

    fn with_map(
        method: Method,
        mut url: Url,
        mut map: HeaderMap,
        body: RequestBody,
        options: RequestOptions,
    ) -> Result<Request, Error> {
        if let Some(authorization) = take_credentials(&mut url) {
            if !map.contains_key(header::AUTHORIZATION) {
                map.insert(header::AUTHORIZATION, authorization);
            }
        }
        frame(&method, &mut map, &body)?;
        if map.contains_key(header::RANGE) && !map.contains_key(header::ACCEPT_ENCODING) {
            map.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_static("identity"),
            );
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

/// Header fields parsed once, checked as a request's own are, to be sent with many requests
/// (a client's default headers): see [`Request::with_parsed_url`]. It holds at most
/// [`HeaderList::MAX`] fields, one bit of a request's mask each.
#[derive(Debug, Default)]
pub struct HeaderList(Vec<(HeaderName, HeaderValue)>);

impl HeaderList {
    /// The most fields a list holds.
    pub const MAX: usize = 32;

    /// Parses a flat list, `[name0, value0, name1, value1, ...]`, as a request's headers are
    /// parsed; refuses more than [`HeaderList::MAX`] fields.
    pub fn parse(headers: &[String]) -> Result<HeaderList, Error> {
        if headers.len() / 2 > HeaderList::MAX {
            return Err(Error::invalid(format!(
                "a header list holds at most {} fields, got {}",
                HeaderList::MAX,
                headers.len() / 2
            )));
        }
        if !headers.len().is_multiple_of(2) {
            return Err(odd_headers());
        }
        let fields = headers
            .chunks_exact(2)
            .map(|pair| parse_field(&pair[0], &pair[1]))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(HeaderList(fields))
    }
}

/// A flat list of names and values as a header map, with room for `more` fields.
fn parse_headers(headers: &[String], more: usize) -> Result<HeaderMap, Error> {
    if !headers.len().is_multiple_of(2) {
        return Err(odd_headers());
    }
    let mut map = HeaderMap::with_capacity(headers.len() / 2 + more);
    for pair in headers.chunks_exact(2) {
        let (name, value) = parse_field(&pair[0], &pair[1])?;
        map.append(name, value);
    }
    Ok(map)
}

fn odd_headers() -> Error {
    Error::invalid("headers must be a flat list of name/value pairs")
}

/// One header field as it crossed from JavaScript.
fn parse_field(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid(format!("invalid header name {name:?}")))?;
    let value = header_value(&name, value)?;
    Ok((name, value))
}

/// A header value as a byte string: one byte per character, as `fetch` sends it.
pub(crate) fn header_value(name: &HeaderName, value: &str) -> Result<HeaderValue, Error> {
    let value = value.trim_matches([' ', '\t']);
    let parsed = if value.is_ascii() {
        HeaderValue::from_str(value)
    } else {
        let mut bytes = Vec::with_capacity(value.len());
        let mut index = 0;
        for c in value.chars() {
            let Ok(byte) = u8::try_from(u32::from(c)) else {
                return Err(Error::invalid(format!(
                    "invalid value for header {name}: the character at index {index} (U+{:04X}) is above U+00FF, and header values are byte strings; encode the text first (for example with encodeURIComponent)",
                    u32::from(c)
                )));
            };
            bytes.push(byte);
            // Indexes count UTF-16 code units, as JavaScript does.
            index += c.len_utf16();
        }
        HeaderValue::from_bytes(&bytes)
    };
    parsed.map_err(|_| {
        Error::invalid(format!(
            "invalid value for header {name}: header values cannot contain CR, LF, NUL or other control characters"
        ))
    })
}

/// Removes the user name and password from `url`, returning them as a Basic authorization.
fn take_credentials(url: &mut Url) -> Option<HeaderValue> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let mut pair = percent_decode_str(url.username()).collect::<Vec<u8>>();
    pair.push(b':');
    pair.extend(percent_decode_str(url.password().unwrap_or_default()));
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    // Both setters only fail for URLs that cannot have credentials, which never get here.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut value =
        HeaderValue::from_str(&format!("Basic {encoded}")).expect("base64 is a valid header value");
    value.set_sensitive(true);
    Some(value)
}

/// Methods whose body-less requests still declare `Content-Length: 0`.
fn expects_body(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH)
}

/// Holds a declared `Content-Length` to a body of known length, and declares `0` for a
/// body-less request whose method expects one. A streamed body's length is checked as it ends.
fn frame(method: &Method, headers: &mut HeaderMap, body: &RequestBody) -> Result<(), Error> {
    let declared = declared_length(headers)?;
    let known = match body {
        RequestBody::Empty => Some(0),
        RequestBody::Bytes(b) => Some(b.len() as u64),
        RequestBody::Stream(_) => None,
    };
    match (declared, known) {
        (Some(declared), Some(known)) if declared != known => Err(Error::invalid(format!(
            "content-length header says {declared} bytes but the body is {known} bytes; drop the header (it is computed from the body) or make it match"
        ))),
        // HTTP/1.1 frames no body of unknown length on these: it would be dropped unsent.
        (None, None) if matches!(*method, Method::GET | Method::HEAD) => Err(Error::invalid(format!(
            "a {method} request with a streamed body needs a content-length header, or its body cannot be framed on HTTP/1.1; give the length, or send the body as bytes"
        ))),
        (None, Some(0)) if expects_body(method) => {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The `Content-Length` the caller declared: one decimal number of bytes.
fn declared_length(headers: &HeaderMap) -> Result<Option<u64>, Error> {
    let mut values = headers.get_all(header::CONTENT_LENGTH).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Error::invalid(
            "content-length header is given more than once",
        ));
    }
    std::str::from_utf8(value.as_bytes())
        .ok()
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| {
            Error::invalid(format!(
                "content-length header {value:?} is not a non-negative whole number of bytes"
            ))
        })
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
