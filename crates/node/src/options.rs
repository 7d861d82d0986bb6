//! JS option objects -> engine configuration. Values arrive validated by the facade; this only
//! maps names and units (milliseconds, 0 = disabled).

use std::time::Duration;

use hyperhttp_core::{Config, RedirectMode, RequestOptions};
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
    pub decompress: Option<bool>,
    pub max_decoded_body_size: Option<f64>,
    pub max_header_size: Option<u32>,
    pub max_header_count: Option<u32>,
    pub redirect: Option<String>,
    pub max_redirects: Option<u32>,
    pub https_only: Option<bool>,
    pub user_agent: Option<String>,
    pub worker_threads: Option<u32>,
}

/// Per-request overrides.
#[napi(object)]
#[derive(Default)]
pub struct NativeRequestOptions {
    pub connect_timeout: Option<f64>,
    pub pool_timeout: Option<f64>,
    pub read_timeout: Option<f64>,
    pub write_timeout: Option<f64>,
    pub total_timeout: Option<f64>,
    pub redirect: Option<String>,
    pub max_redirects: Option<u32>,
    pub decompress: Option<bool>,
    pub max_decoded_body_size: Option<f64>,
    pub stream_body: Option<bool>,
}

fn duration(ms: f64) -> Option<Duration> {
    (ms > 0.0 && ms.is_finite()).then(|| Duration::from_millis(ms as u64))
}

fn redirect_mode(mode: &str) -> napi::Result<RedirectMode> {
    match mode {
        "follow" => Ok(RedirectMode::Follow),
        "manual" => Ok(RedirectMode::Manual),
        "error" => Ok(RedirectMode::Error),
        other => Err(napi::Error::from_reason(format!(
            "redirect must be 'follow', 'manual' or 'error', got {other:?}"
        ))),
    }
}

impl NativeClientOptions {
    pub(crate) fn into_config(self) -> napi::Result<Config> {
        let mut c = Config::default();
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
            c.limits.keep_alive_timeout = Duration::from_millis(ms.max(0.0) as u64);
        }
        c.http2 = self.http2.unwrap_or(c.http2);
        c.http2_prior_knowledge = self
            .http2_prior_knowledge
            .unwrap_or(c.http2_prior_knowledge);
        c.tls.verify = self.tls_verify.unwrap_or(c.tls.verify);
        c.tls.ca = self.ca.unwrap_or_default();
        c.tls.cert = self.cert;
        c.tls.key = self.key;
        c.tls.use_node_extra_ca_certs = self.use_node_extra_ca_certs.unwrap_or(true);
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
        Ok(c)
    }
}

impl NativeRequestOptions {
    pub(crate) fn to_request_options(&self) -> napi::Result<RequestOptions> {
        Ok(RequestOptions {
            connect_timeout: self.connect_timeout.map(duration),
            pool_timeout: self.pool_timeout.map(duration),
            read_timeout: self.read_timeout.map(duration),
            write_timeout: self.write_timeout.map(duration),
            total_timeout: self.total_timeout.map(duration),
            redirect: self.redirect.as_deref().map(redirect_mode).transpose()?,
            max_redirects: self.max_redirects,
            decompress: self.decompress,
            max_decoded_body_size: self.max_decoded_body_size.map(|n| n.max(0.0) as u64),
        })
    }
}
