//! napi-rs binding of hyperhttp: converts JavaScript values to engine types and engine events
//! to JavaScript values. No policy lives here. The protocol is described in README.md.

#![deny(clippy::all)]

#[cfg(feature = "bench-baseline")]
mod baseline;
mod dns;
mod options;
mod sink;
mod stats;
mod thrown;
// Observability: the timings rows of event batches.
mod timings;
// Mocking for tests (`hyperhttp/testing`).
mod mock;
// Whole-body buffers kept for the next bodies while requests are in flight.
mod spare;
// The JS-thread wake-up of the sink on Unix (no threadsafe-function lock).
mod bell;
// The addon's allocator: mimalloc for small blocks, the C library's for large ones.
mod alloc;

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderValue, SET_COOKIE};
use http::HeaderMap;
use hyperhttp_core::runtime::Lane;
use hyperhttp_core::{
    BeforeRetry, Body, BodyStream, Client, Error, HeaderList, Request, RequestBody, Response,
    Retry, RetryCause, RetryDecision, RetryFuture, CHUNK_MAX, INLINE_MAX,
};
use hyperhttp_core::{CookieFuture, CookieJar};
use napi::bindgen_prelude::{BufferSlice, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use parking_lot::Mutex;
use tokio::sync::{mpsc, oneshot};
use url::Url;

pub use mock::NativeMockRoutes;
pub use options::{NativeClientOptions, NativeRequestOptions};
use sink::{Event, RetryOutcome, Sink};

/// Every Rust allocation of the addon, the engine's included (see `alloc.rs`).
#[global_allocator]
static GLOBAL: alloc::Allocator = alloc::Allocator;

/// Width of one event record (see README.md); the facade checks it against its own.
#[napi]
pub const EVENT_SLOTS: u32 = sink::SLOTS;

/// Numbers per row of an event batch's timings array (see README.md).
#[napi]
pub const TIMING_SLOTS: u32 = timings::TIMING_SLOTS;

/// Numbers of a request's options (see README.md); the facade checks it against its own.
#[napi]
pub const REQUEST_OPTION_SLOTS: u32 = options::REQUEST_OPTION_SLOTS;

/// Most fields of a `headerSet` list (one bit each of a request's mask); checked by the facade.
#[napi]
pub const HEADER_SET_FIELDS: u32 = HeaderList::MAX as u32;

/// Milliseconds on the engine's monotonic clock, the clock of the timings' `start`.
#[napi]
pub fn engine_clock() -> f64 {
    hyperhttp_core::clock_ms()
}

/// What the binding keeps for a live request id.
#[derive(Default)]
struct Slot {
    /// The task currently working for this id (the request, or a body read).
    task: Option<hyperhttp_core::runtime::AbortHandle>,
    /// Where the request's tasks run: its body reads follow it there.
    lane: Lane,
    /// The response body between reads.
    body: Option<Body>,
    /// An error met while reading ahead, delivered on the next read.
    pending_error: Option<Error>,
    /// The producer side of a streamed request body.
    upload: Option<mpsc::UnboundedSender<Bytes>>,
    /// The engine is paused before a retry until JavaScript answers through this.
    retry: Option<oneshot::Sender<RetryDecision>>,
    /// Cookie jar in JavaScript: the hop waits for its `Cookie` value through this.
    cookies: Option<oneshot::Sender<Result<Option<HeaderValue>, Error>>>,
}

struct Shared {
    sink: Arc<Sink>,
    slots: Mutex<HashMap<u32, Slot>>,
    /// Buffers of collected whole bodies, for the next ones (spare.rs).
    spares: spare::Spares,
}

impl Shared {
    fn error(&self, id: u32, err: &Error) {
        self.slots.lock().remove(&id);
        self.sink.push(error_event(id, err));
    }

    /// The slot of `id` and its body, taken for a read. When there is none to read (no such
    /// body, a read already pending, or an error met while reading ahead) the answer is an
    /// ERROR event, pushed here, and `None` is returned.
    fn body_for_read<'a>(
        &self,
        slots: &'a mut HashMap<u32, Slot>,
        id: u32,
    ) -> Option<(&'a mut Slot, Body)> {
        let err = match slots.get_mut(&id) {
            None => Error::invalid(format!("no response body is open for request {id}")),
            Some(slot) => match slot.pending_error.take() {
                Some(err) => {
                    slots.remove(&id);
                    err
                }
                None => match slot.body.take() {
                    Some(body) => return slots.get_mut(&id).map(|slot| (slot, body)),
                    None => Error::invalid(format!("a read is already pending for request {id}")),
                },
            },
        };
        self.sink.push(error_event(id, &err));
        None
    }

    /// The channel request `id` is paused on, taken from its slot by `take`; `None` (and the
    /// request ended, see [`Shared::not_paused`]) when it is not waiting for `what`.
    fn paused<T>(
        &self,
        id: u32,
        what: &str,
        take: impl FnOnce(&mut Slot) -> Option<T>,
    ) -> Option<T> {
        let answer = self.slots.lock().get_mut(&id).and_then(take);
        if answer.is_none() {
            self.not_paused(id, what);
        }
        answer
    }

    /// An answer came for request `id` while it was not paused waiting for `what`: the facade
    /// and the engine disagree, so the request cannot go on.
    fn not_paused(&self, id: u32, what: &str) {
        if let Some(task) = self.slots.lock().remove(&id).and_then(|slot| slot.task) {
            task.abort();
        }
        let err = Error::invalid(format!("request {id} is not waiting for {what}"));
        self.sink.push(error_event(id, &err));
    }
}

fn error_event(id: u32, err: &Error) -> Event {
    Event::Error {
        id,
        code: err.code(),
        message: err.message().to_owned(),
        phase: err.phase().map(|p| p.as_str()),
        url: err.url().map(str::to_owned),
        attempts: err.attempts(),
        proxy_status: err.proxy_status(),
        answer: err.answer_token(),
        timings: err.timings().copied(),
    }
}

/// One engine client and its completion channel.
#[napi]
pub struct NativeClient {
    client: Option<Client>,
    shared: Arc<Shared>,
    /// LOOKUP and FILTER questions waiting for JavaScript.
    questions: Arc<dns::Questions>,
    /// The last request URL's parse, for the next request to the same URL.
    last_url: hyperhttp_core::LastUrl,
    /// Header lists parsed once (`headerSet`), named by their index plus one in requests.
    header_sets: Vec<HeaderList>,
}

#[napi]
impl NativeClient {
    /// Builds a client; `on_events` receives batches of event records.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        options: Option<NativeClientOptions>,
        on_events: Unknown,
    ) -> napi::Result<Self> {
        let options = options.unwrap_or_default();
        let runtime = hyperhttp_core::runtime::start(hyperhttp_core::runtime::Threads {
            workers: options.worker_threads.map(|n| n as usize),
            http2_lanes: options.http2_lanes.map(|n| n as usize),
        });
        let sink = Sink::new(env.raw(), on_events.raw())?;
        let questions = dns::Questions::new(sink.clone());
        let (lookup, filter) = (options.lookup, options.address_filter);
        let client = options.into_config().and_then(|mut config| {
            if lookup == Some(true) {
                config.dns.lookup = Some(Arc::new(dns::JsLookup(questions.clone())));
            }
            if filter == Some(true) {
                config.dns.address_filter = Some(Arc::new(dns::JsFilter(questions.clone())));
            }
            let _guard = runtime.enter();
            Client::new(config)
        });
        let client = client.map_err(|e| {
            sink.close();
            thrown::throw(&env, &e)
        })?;
        Ok(NativeClient {
            client: Some(client),
            shared: Arc::new(Shared {
                sink,
                slots: Mutex::new(HashMap::new()),
                spares: spare::Spares::default(),
            }),
            questions,
            last_url: hyperhttp_core::LastUrl::default(),
            header_sets: Vec::new(),
        })
    }

    /// Parses a header list once (a client's default headers) for requests to send without
    /// it crossing again: returns the number that names it in `request`'s `defaults`. Throws
    /// `ERR_INVALID_ARGUMENT` for a field a request could not send either, or over
    /// [`HEADER_SET_FIELDS`] fields.
    #[napi]
    pub fn header_set(&mut self, env: &Env, headers: Vec<String>) -> napi::Result<u32> {
        // A client registers its default lists once each; the bound only stops a runaway caller.
        const SETS_MAX: usize = 64;
        if self.header_sets.len() == SETS_MAX {
            let e = Error::invalid(format!("a client holds at most {SETS_MAX} header sets"));
            return Err(thrown::throw(env, &e));
        }
        let list = HeaderList::parse(&headers).map_err(|e| thrown::throw(env, &e))?;
        self.header_sets.push(list);
        Ok(self.header_sets.len() as u32)
    }

    /// Starts request `id`. Every outcome, including invalid arguments, arrives as an event;
    /// only a closed client throws (`ERR_CLIENT_CLOSED`), since its events can no longer arrive.
    /// `defaults` names a `headerSet` (0 or absent for none) whose fields the request sends
    /// after `headers`, those whose bit is set in `mask` (bit `i` for field `i`).
    #[napi]
    #[allow(clippy::too_many_arguments)] // the JS signature of the contract, plus `env`
    pub fn request(
        &self,
        env: &Env,
        id: u32,
        method: String,
        url: String,
        headers: Vec<String>,
        body: Option<BufferSlice>,
        #[napi(ts_arg_type = "Float64Array | undefined | null")] options: Option<&[f64]>,
        defaults: Option<u32>,
        mask: Option<u32>,
    ) -> napi::Result<()> {
        let options = options.map(NativeRequestOptions);
        let shared = &self.shared;
        let Some(client) = &self.client else {
            return Err(thrown::throw(env, &closed().with_url(&url)));
        };
        let opts = match options
            .as_ref()
            .map(NativeRequestOptions::to_request_options)
            .transpose()
        {
            Ok(o) => o.unwrap_or_default(),
            Err(e) => {
                shared.sink.push(error_event(id, &e.with_url(&url)));
                return Ok(());
            }
        };
        let streamed = options
            .as_ref()
            .is_some_and(NativeRequestOptions::stream_body);
        let mut slot = Slot::default();
        let body = if streamed {
            let (tx, rx) = mpsc::unbounded_channel();
            slot.upload = Some(tx);
            let sink = shared.sink.clone();
            RequestBody::Stream(BodyStream {
                chunks: rx,
                on_need: Arc::new(move || sink.push(Event::Need { id })),
            })
        } else {
            buffered(body)
        };
        let parsed = self.last_url.parse(&url);
        let defaults = match defaults.unwrap_or(0) {
            0 => Ok(None),
            n => (self.header_sets.get(n as usize - 1))
                .map(|list| Some((list, mask.unwrap_or(0))))
                .ok_or_else(|| Error::invalid(format!("no header set {n}"))),
        };
        let req = match parsed
            .and_then(|u| Request::with_parsed_url(&method, u, &headers, defaults?, body, opts))
        {
            Ok(req) => req,
            Err(e) => {
                shared.sink.push(error_event(id, &e.with_url(&url)));
                return Ok(());
            }
        };
        let client = client.clone();
        slot.lane = client.lane(&req.url);
        let task_shared = shared.clone();
        let hook = (options
            .as_ref()
            .is_some_and(NativeRequestOptions::before_retry))
        .then(|| JsRetry {
            id,
            shared: shared.clone(),
        });
        let jar =
            (options.as_ref().is_some_and(NativeRequestOptions::cookies)).then(|| JsCookies {
                id,
                shared: shared.clone(),
                received: Mutex::new(None),
            });
        let mut slots = shared.slots.lock();
        // Boxed: tokio copies a task's whole future when it stores it and again when the task
        // ends; a pointer is cheaper to copy than the request's few KB of state.
        let task = Box::pin(run(client, req, hook, jar, id, task_shared));
        slot.task = Some(hyperhttp_core::runtime::shared().spawn(slot.lane, task));
        slots.insert(id, slot);
        Ok(())
    }

    /// Pulls the next chunk of response body `id`. Bytes the engine already holds (of a body
    /// that needs no decoding) are returned at once, an empty buffer meaning the end; otherwise
    /// returns `null` and one CHUNK or ERROR event answers later.
    #[napi(ts_return_type = "Buffer | null")]
    pub fn read<'env>(&self, env: &'env Env, id: u32) -> napi::Result<Option<Unknown<'env>>> {
        let shared = &self.shared;
        let mut slots = shared.slots.lock();
        let Some((slot, mut body)) = shared.body_for_read(&mut slots, id) else {
            return Ok(None);
        };
        // Raw bytes already received cost one copy here; a task and an event hop cost more.
        // One piece as it arrived: coalescing would add a copy, and another read is cheap.
        if !body.is_decoded() {
            match body.try_piece() {
                Some(Ok(Some(data))) => {
                    slot.body = Some(body);
                    drop(slots);
                    return Ok(Some(BufferSlice::copy_from(env, &data)?.to_unknown()));
                }
                Some(Ok(None)) => {
                    slots.remove(&id);
                    drop(slots);
                    return Ok(Some(BufferSlice::copy_from(env, [])?.to_unknown()));
                }
                Some(Err(err)) => {
                    slots.remove(&id);
                    drop(slots);
                    shared.sink.push(error_event(id, &err));
                    return Ok(None);
                }
                None => {}
            }
        }
        let task_shared = shared.clone();
        let lane = body.read_lane(slot.lane);
        let handle = hyperhttp_core::runtime::shared().spawn(lane, async move {
            let res = body.chunk(CHUNK_MAX).await;
            deliver_chunk(&task_shared, id, body, res);
        });
        slot.task = Some(handle);
        Ok(None)
    }

    /// Reads the rest of response body `id` into one buffer that follows `prefix` (the bytes
    /// of this body the facade already holds); exactly one CHUNK event (the whole body, last)
    /// or ERROR event answers. The buffer is handed to JavaScript without a copy.
    #[napi]
    pub fn read_all(&self, id: u32, prefix: Option<BufferSlice>) {
        let shared = &self.shared;
        let mut slots = shared.slots.lock();
        let Some((slot, mut body)) = shared.body_for_read(&mut slots, id) else {
            return;
        };
        let prefix_len = prefix.as_ref().map_or(0, |p| p.len());
        let declared = body.exact_len().and_then(|n| usize::try_from(n).ok());
        let mut buffer = shared
            .spares
            .take(declared.map(|n| n.saturating_add(prefix_len)));
        if let Some(prefix) = prefix {
            buffer.extend_from_slice(&prefix);
        }
        let task_shared = shared.clone();
        let lane = body.read_lane(slot.lane);
        let handle = hyperhttp_core::runtime::shared().spawn(lane, async move {
            let res = body.read_to_end(buffer).await;
            deliver_whole(&task_shared, id, res);
        });
        slot.task = Some(handle);
    }

    /// Answers a RETRY event: the next attempt sends this request (as the hooks left it; a
    /// buffered body only). An invalid request ends request `id` with an ERROR event.
    #[napi]
    pub fn retry(
        &self,
        id: u32,
        method: String,
        url: String,
        headers: Vec<String>,
        body: Option<BufferSlice>,
        #[napi(ts_arg_type = "Float64Array | undefined | null")] options: Option<&[f64]>,
    ) {
        let Some(answer) = self.shared.paused(id, "a retry", |slot| slot.retry.take()) else {
            return;
        };
        let decision = options
            .map(NativeRequestOptions)
            .as_ref()
            .map(NativeRequestOptions::to_request_options)
            .transpose()
            .and_then(|opts| {
                Request::new(
                    &method,
                    &url,
                    &headers,
                    buffered(body),
                    opts.unwrap_or_default(),
                )
            })
            .map(Some);
        let _ = answer.send(decision);
    }

    /// Answers LOOKUP `token`: the host's addresses, or the message of the lookup's error.
    #[napi]
    pub fn answer_lookup(&self, token: u32, addresses: Option<Vec<String>>, error: Option<String>) {
        self.questions.answer_lookup(token, addresses, error);
    }

    /// Answers FILTER `token`: the index of the first refused address, or `null` to allow all.
    #[napi]
    pub fn answer_filter(&self, token: u32, refused: Option<u32>) {
        self.questions.answer_filter(token, refused);
    }

    /// Answers a COOKIE event: the `Cookie` value for the hop (`null` for none). A value that
    /// is not a valid header value ends request `id` with an ERROR event.
    #[napi]
    pub fn cookies(&self, id: u32, cookie: Option<String>) {
        let Some(answer) = self
            .shared
            .paused(id, "cookies", |slot| slot.cookies.take())
        else {
            return;
        };
        let value = cookie
            .filter(|c| !c.is_empty())
            .map(|c| hyperhttp_core::cookie_value(&c))
            .transpose();
        let _ = answer.send(value);
    }

    /// Sends the next chunk of a streamed request body; `null` ends it.
    #[napi]
    pub fn write(&self, id: u32, chunk: Option<BufferSlice>) {
        let mut slots = self.shared.slots.lock();
        let Some(slot) = slots.get_mut(&id) else {
            return;
        };
        match chunk {
            Some(c) => {
                if let Some(tx) = &slot.upload {
                    let _ = tx.send(Bytes::copy_from_slice(&c));
                }
            }
            None => slot.upload = None,
        }
    }

    /// Cancels request `id` in whatever phase it is: the connection is closed (HTTP/1.1) or
    /// the stream reset (HTTP/2). No event follows.
    #[napi]
    pub fn cancel(&self, id: u32) {
        let slot = self.shared.slots.lock().remove(&id);
        if let Some(slot) = slot {
            if let Some(task) = slot.task {
                task.abort();
            }
        }
    }

    /// Reports connection events (CONNECTION records) from now on, or stops (`false`).
    #[napi]
    pub fn observe_connections(&self, on: bool) {
        let Some(client) = &self.client else { return };
        let observer = on.then(|| {
            let sink = self.shared.sink.clone();
            Arc::new(move |event| sink.push(Event::Connection(event)))
                as hyperhttp_core::ConnectionObserver
        });
        client.observe_connections(observer);
    }

    /// Keeps the process alive while requests are pending.
    #[napi(js_name = "ref")]
    pub fn keep_alive(&self, env: Env) -> napi::Result<()> {
        self.shared.sink.set_ref(env.raw(), true)
    }

    /// Lets the process exit when nothing is pending.
    #[napi]
    pub fn unref(&self, env: Env) -> napi::Result<()> {
        self.shared.sink.set_ref(env.raw(), false)
    }

    /// Pool statistics (see README.md); all zero once closed.
    #[napi]
    pub fn stats(&self) -> stats::NativePoolStats {
        self.client
            .as_ref()
            .map(Client::stats)
            .unwrap_or_default()
            .into()
    }

    /// Cancels everything and frees the pool.
    #[napi]
    pub fn close(&mut self) {
        if let Some(client) = self.client.take() {
            client.close();
        }
        let slots = std::mem::take(&mut *self.shared.slots.lock());
        for slot in slots.into_values() {
            if let Some(task) = slot.task {
                task.abort();
            }
        }
        self.shared.sink.close();
        self.questions.close();
    }
}

impl Drop for NativeClient {
    fn drop(&mut self) {
        self.close();
    }
}

fn closed() -> Error {
    Error::new(hyperhttp_core::Kind::ClientClosed, "the client is closed")
}

/// A buffered request body as it crossed.
fn buffered(body: Option<BufferSlice>) -> RequestBody {
    match body {
        Some(b) if !b.is_empty() => RequestBody::Bytes(Bytes::copy_from_slice(&b)),
        _ => RequestBody::Empty,
    }
}

/// The `beforeRetry` pause: a RETRY event, then the engine waits for `retry` (or `cancel`).
struct JsRetry {
    id: u32,
    shared: Arc<Shared>,
}

impl BeforeRetry for JsRetry {
    fn before_retry(&mut self, retry: Retry) -> RetryFuture {
        let (answer, decision) = oneshot::channel();
        match self.shared.slots.lock().get_mut(&self.id) {
            Some(slot) => slot.retry = Some(answer),
            None => return Box::pin(async { Err(closed()) }), // cancelled meanwhile
        }
        self.shared.sink.push(retry_event(self.id, retry));
        Box::pin(async move { decision.await.unwrap_or_else(|_| Err(closed())) })
    }
}

fn retry_event(id: u32, retry: Retry) -> Event {
    let outcome = match retry.cause {
        RetryCause::Response {
            status,
            headers,
            url,
            redirected,
        } => RetryOutcome::Response {
            status: status.as_u16(),
            headers: raw_headers(&headers),
            url: redirected.then(|| url.to_string()),
        },
        RetryCause::Error(err) => RetryOutcome::Error {
            code: err.code(),
            message: err.message().to_owned(),
            phase: err.phase().map(|p| p.as_str()),
            url: err.url().map(str::to_owned),
        },
    };
    Event::Retry {
        id,
        attempt: retry.attempt,
        delay: retry.delay.as_secs_f64() * 1000.0,
        outcome,
    }
}

/// A cookie jar in JavaScript: before each hop a COOKIE event carries the `Set-Cookie` values
/// received since the last one and asks for the hop's `Cookie`; the engine waits for `cookies`.
struct JsCookies {
    id: u32,
    shared: Arc<Shared>,
    /// The last response's URL and `Set-Cookie` values, until the next COOKIE event takes them.
    received: Mutex<Option<(String, Vec<u8>)>>,
}

impl CookieJar for JsCookies {
    fn cookie_header<'a>(&'a self, url: &'a Url) -> CookieFuture<'a> {
        let (answer, value) = oneshot::channel();
        match self.shared.slots.lock().get_mut(&self.id) {
            Some(slot) => slot.cookies = Some(answer),
            None => return Box::pin(async { Err(closed()) }), // cancelled meanwhile
        }
        self.shared.sink.push(Event::Cookies {
            id: self.id,
            url: url.to_string(),
            received: self.received.lock().take(),
        });
        Box::pin(async move { value.await.unwrap_or_else(|_| Err(closed())) })
    }

    fn store(&self, url: &Url, headers: &HeaderMap) {
        let mut values = Vec::new();
        for value in headers.get_all(SET_COOKIE) {
            if !values.is_empty() {
                values.push(0);
            }
            values.extend_from_slice(value.as_bytes());
        }
        // The response returned to JavaScript brings its own in its HEAD record; these go with
        // the next hop's COOKIE event, when there is one.
        *self.received.lock() = (!values.is_empty()).then(|| (url.to_string(), values));
    }
}

async fn run(
    client: Client,
    req: Request,
    hook: Option<JsRetry>,
    jar: Option<JsCookies>,
    id: u32,
    shared: Arc<Shared>,
) {
    let sent = match (jar, hook) {
        (Some(jar), mut hook) => {
            let hook = hook.as_mut().map(|h| h as &mut dyn BeforeRetry);
            client.execute_with_jar(req, hook, &jar).await
        }
        (None, Some(hook)) => client.execute_with_hook(req, hook).await,
        (None, None) => client.execute(req).await,
    };
    let res = match sent {
        Ok(res) => res,
        Err(e) => return shared.error(id, &e),
    };
    let Response {
        status,
        version,
        headers,
        extensions,
        url,
        redirects,
        attempts,
        mut body,
        mut timings,
    } = res;
    let reason = res_reason(&extensions);
    let ready = body.take_ready(INLINE_MAX).await;
    let done = ready.complete;
    if done {
        timings.mark_end();
    }
    let head = Event::Head {
        id,
        status: status.as_u16(),
        headers: raw_headers(&headers),
        body: ready.bytes,
        done,
        url: (redirects > 0).then(|| url.to_string()),
        version: match version {
            http::Version::HTTP_10 => 10,
            http::Version::HTTP_2 => 20,
            _ => 11,
        },
        reason,
        attempts,
        timings,
        redirects,
    };
    {
        let mut slots = shared.slots.lock();
        if done {
            slots.remove(&id);
        } else if let Some(slot) = slots.get_mut(&id) {
            slot.task = None;
            slot.body = Some(body);
            slot.pending_error = ready.error;
        } else {
            return; // cancelled meanwhile
        }
    }
    shared.sink.push(head);
}

fn deliver_chunk(shared: &Shared, id: u32, body: Body, res: Result<Option<Bytes>, Error>) {
    let event = {
        let mut slots = shared.slots.lock();
        let Some(slot) = slots.get_mut(&id) else {
            return; // cancelled
        };
        match res {
            Ok(Some(data)) if !body.is_end() => {
                slot.task = None;
                slot.body = Some(body);
                Event::Chunk {
                    id,
                    data: Some(data),
                    last: false,
                }
            }
            Ok(data) => {
                slots.remove(&id);
                Event::Chunk {
                    id,
                    data,
                    last: true,
                }
            }
            Err(e) => {
                slots.remove(&id);
                error_event(id, &e)
            }
        }
    };
    shared.sink.push(event);
}

/// Answers `read_all`: the whole body as one CHUNK, or an ERROR.
fn deliver_whole(shared: &Arc<Shared>, id: u32, res: Result<Vec<u8>, Error>) {
    if shared.slots.lock().remove(&id).is_none() {
        return; // cancelled
    }
    shared.sink.push(match res {
        Ok(data) => Event::Whole {
            id,
            body: spare::WholeBody::new(data, shared),
        },
        Err(e) => error_event(id, &e),
    });
}

/// The reason phrase when the server sent one other than the standard one for its status.
fn res_reason(extensions: &http::Extensions) -> Option<Vec<u8>> {
    extensions
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| r.as_bytes().to_vec())
}

/// Header fields as one Latin-1 string: `name\0value\0name\0value`. Neither part can contain
/// NUL (the parser rejects it), so the separator is unambiguous.
fn raw_headers(headers: &http::HeaderMap) -> Vec<u8> {
    let mut out = Vec::with_capacity(headers.len() * 32);
    for (name, value) in headers {
        if !out.is_empty() {
            out.push(0);
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.push(0);
        out.extend_from_slice(value.as_bytes());
    }
    out
}
