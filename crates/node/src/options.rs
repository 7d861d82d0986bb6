//! JS option objects -> engine configuration. Values arrive validated by the facade; this only
//! maps names and units (milliseconds, 0 = disabled).

use std::time::Duration;

use hyperhttp_core::{
    Backoff, Config, Error, ProxyOptions, RateLimit, RedirectMode, RequestOptions, RetryBudget,
    TlsVersion,
};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

/// Client options as the facade passes them. See the crate README for meanings.
#[napi(object)]
#[derive(Default)]
pub struct NativeClientOptions {
    pub connect_timeout: Option<f64>,
    pub read_timeout: Option<f64>,
    pub write_timeout: Option<f64>,
    pub pool_timeout: Option<f64>,
    pub total_timeout: Option<f64>,
    pub max_connections: Option<u32>,
    pub max_connections_per_host: Option<u32>,
    pub keep_alive_timeout: Option<f64>,
    pub http2: Option<bool>,
    pub http2_prior_knowledge: Option<bool>,
    pub tls_verify: Option<bool>,
    pub ca: Option<Vec<String>>,
    pub cert: Option<String>,
    pub key: Option<String>,
    pub use_node_extra_ca_certs: Option<bool>,
    pub use_system_ca: Option<bool>,
    pub server_name: Option<String>,
    /// `TLSv1.2` or `TLSv1.3`.
    pub min_tls_version: Option<String>,
    /// `TLSv1.2` or `TLSv1.3`.
    pub max_tls_version: Option<String>,
    /// SHA-256 digests (32 bytes each) of pinned SubjectPublicKeyInfos.
    pub pins: Option<Vec<Buffer>>,
    pub decompress: Option<bool>,
    pub max_decoded_body_size: Option<f64>,
    pub max_header_size: Option<u32>,
    pub max_header_count: Option<u32>,
    pub redirect: Option<String>,
    pub max_redirects: Option<u32>,
    pub https_only: Option<bool>,
    pub user_agent: Option<String>,
    pub worker_threads: Option<u32>,
    pub http2_lanes: Option<u32>,
    pub max_retries: Option<u32>,
    pub retry_methods: Option<Vec<String>>,
    pub retry_statuses: Option<Vec<u32>>,
    pub retry_network_errors: Option<bool>,
    pub retry_non_idempotent: Option<bool>,
    pub retry_idempotency_key: Option<bool>,
    pub max_retry_after: Option<f64>,
    /// `none`, `constant`, `exponential` or `decorrelated-jitter`.
    pub backoff: Option<String>,
    pub backoff_base: Option<f64>,
    pub backoff_max: Option<f64>,
    /// `false` disables the retry budget.
    pub retry_budget: Option<bool>,
    pub retry_budget_ratio: Option<f64>,
    pub retry_budget_min_per_second: Option<u32>,
    pub retry_budget_window: Option<f64>,
    /// Requests per second per origin; absent means no rate limit.
    pub rate_limit: Option<f64>,
    pub rate_limit_burst: Option<u32>,
    /// Wait for a token (default) or reject with ERR_RATE_LIMITED.
    pub rate_limit_wait: Option<bool>,
    /// Proxy URL for `http:` targets.
    pub proxy_http: Option<String>,
    /// Proxy URL for `https:` targets.
    pub proxy_https: Option<String>,
    /// Headers for the proxy, flat: `[name0, value0, name1, value1, ...]`.
    pub proxy_headers: Option<Vec<String>>,
    /// Targets that bypass the proxies, in `NO_PROXY` syntax.
    pub no_proxy: Option<String>,
    // DNS and connections:
    /// JavaScript resolves host names: LOOKUP events answered with `answerLookup`.
    pub lookup: Option<bool>,
    /// JavaScript vets addresses before every connection: FILTER events, `answerFilter`.
    pub address_filter: Option<bool>,
    /// `false` turns the DNS cache off.
    pub dns_cache: Option<bool>,
    pub dns_cache_ttl: Option<f64>,
    pub dns_cache_max_entries: Option<u32>,
    /// `false` tries one address after another instead of Happy Eyeballs.
    pub auto_select_family: Option<bool>,
    pub auto_select_family_attempt_timeout: Option<f64>,
    /// An IP address outgoing connections are bound to.
    pub local_address: Option<String>,
    // Client certificate from a PKCS#12 file or an encrypted key.
    /// PKCS#12 (PFX) client certificate and key.
    pub pfx: Option<Buffer>,
    /// Passphrase of `pfx` or of an encrypted `key`.
    pub passphrase: Option<String>,
    // Pool: idle caps and connection lifetime.
    pub max_idle_connections: Option<u32>,
    pub max_idle_connections_per_host: Option<u32>,
    /// Milliseconds, 0 = no limit.
    pub max_connection_age: Option<f64>,
    pub max_requests_per_connection: Option<u32>,
    /// Cookie jar: keep the engine's in-memory jar.
    pub cookie_jar: Option<bool>,
    /// Unix domain socket (named pipe on Windows) every connection goes over.
    pub socket_path: Option<String>,
}

/// Per-request overrides as they cross: one number per slot of [`RequestSlot`], NaN for an
/// option not given (booleans 0 or 1, `redirect` an index of [`REDIRECT_MODES`]). A
/// `Float64Array` the facade fills before each call costs the call one N-API call, where an
/// object's fields cost about two each (`node bench/micro/request-call.mjs`).
pub struct NativeRequestOptions<'a>(pub &'a [f64]);

/// The slots of [`NativeRequestOptions`], in order; `src/native.ts` fills them.
#[derive(Clone, Copy)]
enum RequestSlot {
    ConnectTimeout,
    PoolTimeout,
    ReadTimeout,
    WriteTimeout,
    TotalTimeout,
    Redirect,
    MaxRedirects,
    Decompress,
    MaxDecodedBodySize,
    StreamBody,
    MaxRetries,
    RetryNonIdempotent,
    /// Pause between attempts for JavaScript's answer to a RETRY event (see README.md).
    BeforeRetry,
    /// Cookie jar in JavaScript: ask for each hop's cookies with a COOKIE event (see README.md).
    Cookies,
}

/// How many numbers a request's options are.
pub const REQUEST_OPTION_SLOTS: u32 = RequestSlot::Cookies as u32 + 1;

/// `redirect` modes by their number in a request's options.
const REDIRECT_MODES: [RedirectMode; 3] = [
    RedirectMode::Follow,
    RedirectMode::Manual,
    RedirectMode::Error,
];

/// A timeout: `0` disables it.
fn duration(ms: f64) -> Option<Duration> {
    (ms > 0.0 && ms.is_finite()).then(|| millis(ms))
}

fn millis(ms: f64) -> Duration {
    Duration::from_millis(ms.max(0.0) as u64)
}

fn redirect_mode(mode: &str) -> Result<RedirectMode, Error> {
    match mode {
        "follow" => Ok(RedirectMode::Follow),
        "manual" => Ok(RedirectMode::Manual),
        "error" => Ok(RedirectMode::Error),
        other => Err(Error::invalid(format!(
            "redirect must be 'follow', 'manual' or 'error', got {other:?}"
        ))),
    }
}

fn tls_version(version: &str, option: &str) -> Result<TlsVersion, Error> {
    match version {
        "TLSv1.2" => Ok(TlsVersion::Tls12),
        "TLSv1.3" => Ok(TlsVersion::Tls13),
        other => Err(Error::invalid(format!(
            "{option} must be 'TLSv1.2' or 'TLSv1.3', got {other:?}"
        ))),
    }
}

fn pin(digest: &Buffer) -> Result<[u8; 32], Error> {
    <[u8; 32]>::try_from(digest.as_ref()).map_err(|_| {
        Error::invalid(format!(
            "pins must be SHA-256 digests of 32 bytes, got {} bytes",
            digest.len()
        ))
    })
}

impl NativeClientOptions {
    pub(crate) fn into_config(self) -> Result<Config, Error> {
        let mut c = Config::default();
        self.set_retry(&mut c)?;
        self.set_dns(&mut c)?;
        let t = &mut c.timeouts;
        if let Some(ms) = self.connect_timeout {
            t.connect = duration(ms);
        }
        if let Some(ms) = self.read_timeout {
            t.read = duration(ms);
        }
        if let Some(ms) = self.write_timeout {
            t.write = duration(ms);
        }
        if let Some(ms) = self.pool_timeout {
            t.pool = duration(ms);
        }
        if let Some(ms) = self.total_timeout {
            t.total = duration(ms);
        }
        if let Some(n) = self.max_connections {
            c.limits.max_connections = n as usize;
        }
        if let Some(n) = self.max_connections_per_host {
            c.limits.max_connections_per_host = n as usize;
        }
        if let Some(ms) = self.keep_alive_timeout {
            c.limits.keep_alive_timeout = millis(ms);
        }
        self.set_pool_lifetime(&mut c);
        c.http2 = self.http2.unwrap_or(c.http2);
        c.http2_prior_knowledge = self
            .http2_prior_knowledge
            .unwrap_or(c.http2_prior_knowledge);
        c.tls.verify = self.tls_verify.unwrap_or(c.tls.verify);
        if let Some(ca) = self.ca {
            c.tls.ca = ca;
        }
        c.tls.cert = self.cert.or(c.tls.cert);
        c.tls.key = self.key.or(c.tls.key);
        c.tls.use_node_extra_ca_certs = self
            .use_node_extra_ca_certs
            .unwrap_or(c.tls.use_node_extra_ca_certs);
        c.tls.use_system_ca = self.use_system_ca.unwrap_or(c.tls.use_system_ca);
        c.tls.server_name = self.server_name.or(c.tls.server_name);
        if let Some(version) = &self.min_tls_version {
            c.tls.min_version = tls_version(version, "minTlsVersion")?;
        }
        if let Some(version) = &self.max_tls_version {
            c.tls.max_version = tls_version(version, "maxTlsVersion")?;
        }
        if let Some(pins) = &self.pins {
            c.tls.pins = pins.iter().map(pin).collect::<Result<_, Error>>()?;
        }
        c.decompress = self.decompress.unwrap_or(c.decompress);
        if let Some(n) = self.max_decoded_body_size {
            c.max_decoded_body_size = n.max(0.0) as u64;
        }
        if let Some(n) = self.max_header_size {
            c.max_header_size = n as usize;
        }
        if let Some(n) = self.max_header_count {
            c.max_header_count = n as usize;
        }
        if let Some(mode) = &self.redirect {
            c.redirect = redirect_mode(mode)?;
        }
        c.max_redirects = self.max_redirects.unwrap_or(c.max_redirects);
        c.https_only = self.https_only.unwrap_or(c.https_only);
        if let Some(ua) = self.user_agent {
            c.user_agent = Some(ua);
        }
        if let Some(rate) = self.rate_limit {
            let mut limit = RateLimit::per_second(rate);
            limit.burst = self.rate_limit_burst.unwrap_or(limit.burst);
            limit.wait = self.rate_limit_wait.unwrap_or(limit.wait);
            c.rate_limit = Some(limit);
        }
        if self.proxy_http.is_some() || self.proxy_https.is_some() {
            c.proxy = Some(ProxyOptions {
                http: self.proxy_http,
                https: self.proxy_https,
                headers: (self.proxy_headers.unwrap_or_default())
                    .chunks_exact(2)
                    .map(|pair| (pair[0].clone(), pair[1].clone()))
                    .collect(),
                no_proxy: self.no_proxy,
            });
        }
        // Client certificate from a PKCS#12 file or an encrypted key.
        c.tls.pfx = self.pfx.map(|pfx| pfx.to_vec()).or(c.tls.pfx);
        c.tls.passphrase = self.passphrase.or(c.tls.passphrase);
        c.cookie_jar = self.cookie_jar.unwrap_or(c.cookie_jar);
        c.socket_path = self.socket_path;
        Ok(c)
    }

    /// Idle caps and connection lifetime.
    fn set_pool_lifetime(&self, c: &mut Config) {
        let l = &mut c.limits;
        if let Some(n) = self.max_idle_connections {
            l.max_idle_connections = Some(n as usize);
        }
        if let Some(n) = self.max_idle_connections_per_host {
            l.max_idle_connections_per_host = Some(n as usize);
        }
        if let Some(ms) = self.max_connection_age {
            l.max_connection_age = duration(ms);
        }
        if let Some(n) = self.max_requests_per_connection {
            l.max_requests_per_connection = Some(u64::from(n));
        }
    }

    /// Everything of `c.dns` but the hooks, which the client installs (lib.rs).
    fn set_dns(&self, c: &mut Config) -> Result<(), Error> {
        let d = &mut c.dns;
        if self.dns_cache == Some(false) {
            d.cache = None;
        } else if let Some(cache) = &mut d.cache {
            cache.ttl = self.dns_cache_ttl.map_or(cache.ttl, millis);
            cache.max_entries = self
                .dns_cache_max_entries
                .map_or(cache.max_entries, |n| n as usize);
        }
        if self.auto_select_family == Some(false) {
            d.attempt_delay = None;
        } else if let Some(ms) = self.auto_select_family_attempt_timeout {
            d.attempt_delay = Some(millis(ms));
        }
        if let Some(address) = &self.local_address {
            d.local_address = Some(address.parse().map_err(|_| {
                Error::invalid(format!(
                    "localAddress must be an IPv4 or IPv6 address, got {address:?}"
                ))
            })?);
        }
        Ok(())
    }

    fn set_retry(&self, c: &mut Config) -> Result<(), Error> {
        let r = &mut c.retry;
        r.max_retries = self.max_retries.unwrap_or(r.max_retries);
        if let Some(methods) = &self.retry_methods {
            r.methods = methods
                .iter()
                .map(|m| {
                    http::Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                        .map_err(|_| Error::invalid(format!("retry.methods: invalid method {m:?}")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(statuses) = &self.retry_statuses {
            r.statuses = statuses.iter().map(|s| *s as u16).collect();
        }
        r.network_errors = self.retry_network_errors.unwrap_or(r.network_errors);
        r.non_idempotent = self.retry_non_idempotent.unwrap_or(r.non_idempotent);
        r.idempotency_key = self.retry_idempotency_key.unwrap_or(r.idempotency_key);
        if let Some(ms) = self.max_retry_after {
            r.max_retry_after = millis(ms);
        }
        let base = self.backoff_base.map_or(Backoff::DEFAULT_BASE, millis);
        let max = self.backoff_max.map_or(Backoff::DEFAULT_MAX, millis);
        r.backoff = match self.backoff.as_deref() {
            None => match r.backoff {
                Backoff::DecorrelatedJitter { .. } => Backoff::DecorrelatedJitter { base, max },
                other => other,
            },
            Some("none") => Backoff::None,
            Some("constant") => Backoff::Constant(base),
            Some("exponential") => Backoff::Exponential { base, max },
            Some("decorrelated-jitter") => Backoff::DecorrelatedJitter { base, max },
            Some(other) => {
                return Err(Error::invalid(format!(
                    "retry.backoff.kind must be 'none', 'constant', 'exponential' or 'decorrelated-jitter', got {other:?}"
                )))
            }
        };
        if self.retry_budget == Some(false) {
            c.retry_budget = None;
        } else {
            let budget = c.retry_budget.get_or_insert_with(RetryBudget::default);
            budget.ratio = self.retry_budget_ratio.unwrap_or(budget.ratio);
            budget.min_per_second = self
                .retry_budget_min_per_second
                .unwrap_or(budget.min_per_second);
            budget.window = self.retry_budget_window.map_or(budget.window, millis);
        }
        Ok(())
    }
}

impl NativeRequestOptions<'_> {
    fn slot(&self, slot: RequestSlot) -> Option<f64> {
        self.0.get(slot as usize).copied().filter(|n| !n.is_nan())
    }

    fn flag(&self, slot: RequestSlot) -> Option<bool> {
        self.slot(slot).map(|n| n != 0.0)
    }

    fn count(&self, slot: RequestSlot) -> Option<u32> {
        self.slot(slot)
            .map(|n| n.clamp(0.0, f64::from(u32::MAX)) as u32)
    }

    /// The body arrives through NEED events answered with `write`.
    pub(crate) fn stream_body(&self) -> bool {
        self.flag(RequestSlot::StreamBody).unwrap_or(false)
    }

    /// The engine pauses before each retry with a RETRY event.
    pub(crate) fn before_retry(&self) -> bool {
        self.flag(RequestSlot::BeforeRetry).unwrap_or(false)
    }

    /// Each hop asks JavaScript for its cookies with a COOKIE event.
    pub(crate) fn cookies(&self) -> bool {
        self.flag(RequestSlot::Cookies).unwrap_or(false)
    }

    pub(crate) fn to_request_options(&self) -> Result<RequestOptions, Error> {
        if self.0.len() != REQUEST_OPTION_SLOTS as usize {
            return Err(Error::invalid(format!(
                "request options must be {REQUEST_OPTION_SLOTS} numbers, got {}",
                self.0.len()
            )));
        }
        let redirect = match self.slot(RequestSlot::Redirect) {
            None => None,
            Some(n) => Some(
                *(n >= 0.0 && n.fract() == 0.0)
                    .then(|| REDIRECT_MODES.get(n as usize))
                    .flatten()
                    .ok_or_else(|| {
                        Error::invalid(format!("redirect mode {n} is not one of 0, 1 or 2"))
                    })?,
            ),
        };
        use RequestSlot as S;
        Ok(RequestOptions {
            connect_timeout: self.slot(S::ConnectTimeout).map(duration),
            pool_timeout: self.slot(S::PoolTimeout).map(duration),
            read_timeout: self.slot(S::ReadTimeout).map(duration),
            write_timeout: self.slot(S::WriteTimeout).map(duration),
            total_timeout: self.slot(S::TotalTimeout).map(duration),
            redirect,
            max_redirects: self.count(S::MaxRedirects),
            decompress: self.flag(S::Decompress),
            max_decoded_body_size: self.slot(S::MaxDecodedBodySize).map(|n| n.max(0.0) as u64),
            max_retries: self.count(S::MaxRetries),
            retry_non_idempotent: self.flag(S::RetryNonIdempotent),
        })
    }
}
