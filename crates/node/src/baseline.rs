//! The napi-rs default async path (`#[napi] async fn`: one Promise and one threadsafe function
//! per call, on napi-rs's own runtime), kept only as the baseline that
//! `bench/micro/completion.mjs` measures the batched completion channel against. The facade
//! never calls it.

use bytes::Bytes;
use hyperhttp_core::{Request, RequestBody, RequestOptions};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::NativeClient;

/// A whole response, as the baseline path returns it.
#[napi(object)]
pub struct BaselineResponse {
    pub status: u32,
    pub headers: String,
    pub body: Buffer,
}

#[napi]
impl NativeClient {
    /// Baseline for the boundary benchmark: one request, whole body, through a per-call
    /// Promise. Not used by the facade.
    #[napi]
    pub async fn request_baseline(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
    ) -> napi::Result<BaselineResponse> {
        // The benchmark measures successes only; a failure just has to say what went wrong.
        let to_js = |e: hyperhttp_core::Error| napi::Error::from_reason(e.message());
        let client = self.client.clone().ok_or_else(|| to_js(crate::closed()))?;
        let req = Request::new(
            &method,
            &url,
            &headers,
            RequestBody::Empty,
            RequestOptions::default(),
        )
        .map_err(to_js)?;
        let res = client.execute(req).await.map_err(to_js)?;
        let status = u32::from(res.status.as_u16());
        let headers = String::from_utf8_lossy(&crate::raw_headers(&res.headers)).into_owned();
        let body: Bytes = res.bytes().await.map_err(to_js)?;
        Ok(BaselineResponse {
            status,
            headers,
            body: body.to_vec().into(),
        })
    }
}
