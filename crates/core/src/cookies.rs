//! Cookies: the jar every hop of a request reads `Cookie` from and stores `Set-Cookie` into,
//! so a cookie set by a redirect reaches the next hop. [`MemoryJar`] is the engine's own
//! (RFC 6265 storage and matching by `cookie_store`, public suffixes by `psl`); a binding can
//! bring another through [`CookieJar`], for example one that lives in JavaScript.

use std::future::Future;
use std::pin::Pin;

use cookie_store::{CookieStore, RawCookie};
use http::header::{self, HeaderValue};
use http::HeaderMap;
use parking_lot::Mutex;
use url::Url;

use crate::error::Error;

/// What [`CookieJar::cookie_header`] returns: the `Cookie` value for a hop, or `None` when no
/// cookie matches.
pub type CookieFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<HeaderValue>, Error>> + Send + 'a>>;

/// A cookie jar consulted on every hop of a request: the first one, each redirect and each
/// retry.
pub trait CookieJar: Send + Sync {
    /// The `Cookie` header for a request to `url`. Called before every hop.
    fn cookie_header<'a>(&'a self, url: &'a Url) -> CookieFuture<'a>;
    /// Stores the `Set-Cookie` fields of `headers`, a response head received from `url`.
    /// Called after every hop, for redirects and retried responses too.
    fn store(&self, url: &Url, headers: &HeaderMap);
}

/// The engine's in-memory RFC 6265 jar: domain and path matching, `Secure` (cookies marked so
/// go to `https:` URLs and to loopback hosts, which count as secure as in browsers),
/// `Expires` and `Max-Age`, and a `Domain` that is a public suffix refused. `HttpOnly` cookies
/// are sent (every request here is an HTTP API); `SameSite` has no cross-site context to apply
/// to and is kept but not enforced.
///
/// ```
/// use hyperhttp_core::MemoryJar;
/// use http::{HeaderMap, HeaderValue};
/// let jar = MemoryJar::default();
/// let url = url::Url::parse("https://example.com/login").unwrap();
/// let mut head = HeaderMap::new();
/// head.append("set-cookie", HeaderValue::from_static("sid=1; Path=/"));
/// jar.store_set_cookies(&url, head.get_all("set-cookie"));
/// let next = url::Url::parse("https://example.com/home").unwrap();
/// assert_eq!(jar.header_for(&next).unwrap(), "sid=1");
/// ```
#[derive(Default)]
pub struct MemoryJar {
    store: Mutex<CookieStore>,
}

impl MemoryJar {
    /// The `Cookie` header value for a request to `url`, when any stored cookie matches.
    pub fn header_for(&self, url: &Url) -> Option<HeaderValue> {
        let store = self.store.lock();
        let mut value = String::new();
        for (name, val) in store.get_request_values(url) {
            if !value.is_empty() {
                value.push_str("; ");
            }
            value.push_str(name);
            value.push('=');
            value.push_str(val);
        }
        drop(store);
        if value.is_empty() {
            return None;
        }
        // A stored cookie came from a valid header value, so this cannot fail; a cookie that
        // could not go back on the wire is better left out than sent altered.
        HeaderValue::from_str(&value).ok()
    }

    /// Stores `Set-Cookie` values received from `url`. Values that do not parse, or that the
    /// storage rules refuse (a foreign or public-suffix `Domain`, already expired), are dropped,
    /// as user agents do.
    pub fn store_set_cookies<'a>(
        &self,
        url: &Url,
        values: impl IntoIterator<Item = &'a HeaderValue>,
    ) {
        let mut cookies = values
            .into_iter()
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter_map(|v| RawCookie::parse(v.to_owned()).ok())
            .filter_map(|c| without_public_suffix(c, url))
            .peekable();
        if cookies.peek().is_none() {
            return;
        }
        self.store.lock().store_response_cookies(cookies, url);
    }

    /// Forgets every cookie.
    pub fn clear(&self) {
        self.store.lock().clear();
    }
}

impl CookieJar for MemoryJar {
    fn cookie_header<'a>(&'a self, url: &'a Url) -> CookieFuture<'a> {
        let value = self.header_for(url);
        Box::pin(std::future::ready(Ok(value)))
    }

    fn store(&self, url: &Url, headers: &HeaderMap) {
        self.store_set_cookies(url, headers.get_all(header::SET_COOKIE));
    }
}

/// RFC 6265 section 5.3 step 5: a `Domain` attribute that is a public suffix (`com`,
/// `github.io`) is refused, unless it names the request's own host, which then gets a
/// host-only cookie.
fn without_public_suffix(mut cookie: RawCookie<'static>, url: &Url) -> Option<RawCookie<'static>> {
    let Some(domain) = cookie.domain().map(str::to_ascii_lowercase) else {
        return Some(cookie);
    };
    let is_public_suffix = psl::suffix(domain.as_bytes())
        .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes() == domain.as_bytes());
    if !is_public_suffix {
        return Some(cookie);
    }
    if url
        .host_str()
        .is_some_and(|host| host.eq_ignore_ascii_case(&domain))
    {
        cookie.unset_domain();
        return Some(cookie);
    }
    None
}

/// A `Cookie` value given as text (a jar outside the engine answering
/// [`CookieJar::cookie_header`]), checked and encoded as request header values are: one byte per
/// character, no CR, LF or NUL.
pub fn cookie_value(value: &str) -> Result<HeaderValue, Error> {
    crate::request::header_value(&header::COOKIE, value)
}

/// `headers` for one hop with the jar's `cookies`: after the request's own `Cookie` value
/// when it has one (both are sent; servers read the first of a repeated name, so the request's
/// own wins).
pub(crate) fn with_jar_cookies(headers: &HeaderMap, cookies: HeaderValue) -> HeaderMap {
    let mut headers = headers.clone();
    let merged = match headers.get(header::COOKIE) {
        Some(own) => {
            let mut joined = own.as_bytes().to_vec();
            joined.extend_from_slice(b"; ");
            joined.extend_from_slice(cookies.as_bytes());
            HeaderValue::from_bytes(&joined).unwrap_or(cookies)
        }
        None => cookies,
    };
    headers.insert(header::COOKIE, merged);
    headers
}
