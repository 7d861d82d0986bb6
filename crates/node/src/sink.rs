//! The completion channel: engine threads queue events; the JS thread is woken once per batch
//! (one ring of the bell, or one threadsafe-function call where there is no bell, however many
//! events arrived meanwhile) and receives them as one flat array of 10-slot records (see the
//! crate README).

use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use hyperhttp_core::{ConnectionEvent, ConnectionInfo, Timings};

use crate::bell::Bell;
use crate::spare::WholeBody;
use crate::timings::{self, Rows};
use napi::sys;
use parking_lot::Mutex;

/// Width of one record in the array handed to JavaScript.
pub(crate) const SLOTS: u32 = 10;

/// One completion.
pub(crate) enum Event {
    Head {
        id: u32,
        status: u16,
        headers: Vec<u8>,
        body: Option<Bytes>,
        done: bool,
        url: Option<String>,
        version: u8,
        reason: Option<Vec<u8>>,
        attempts: u32,
        /// A row of the batch's timings array (see `TIMING_SLOTS`).
        timings: Timings,
        redirects: u32,
    },
    Chunk {
        id: u32,
        data: Option<Bytes>,
        last: bool,
    },
    Error {
        id: u32,
        code: &'static str,
        message: String,
        phase: Option<&'static str>,
        url: Option<String>,
        attempts: u32,
        /// The proxy's HTTP status or SOCKS5 reply code (`ERR_PROXY`).
        proxy_status: Option<u16>,
        /// The LOOKUP or FILTER answer that caused the error.
        answer: Option<u32>,
        /// A row of the batch's timings array, all NaN when unknown.
        timings: Option<Timings>,
    },
    Need {
        id: u32,
    },
    Retry {
        id: u32,
        attempt: u32,
        /// Milliseconds waited.
        delay: f64,
        outcome: RetryOutcome,
    },
    // DNS and connections (dns.rs):
    Lookup {
        token: u32,
        host: String,
        /// 0 (any), 4 or 6.
        family: u8,
    },
    Filter {
        token: u32,
        host: String,
        /// The addresses about to be dialed, joined by `,`.
        addresses: String,
    },
    /// The answer to `read_all`: a CHUNK record (last) whose Buffer takes over `body`.
    Whole {
        id: u32,
        body: WholeBody,
    },
    /// A connection event, for diagnostics (request id 0).
    Connection(ConnectionEvent),
    /// Cookie jar in JavaScript: the `Cookie` value for the next hop is asked for.
    Cookies {
        id: u32,
        /// The hop about to be sent.
        url: String,
        /// The response whose `Set-Cookie` values come with it: its URL and the values joined
        /// by NUL (neither contains NUL).
        received: Option<(String, Vec<u8>)>,
    },
}

/// What the attempt before a retry ended with.
pub(crate) enum RetryOutcome {
    Response {
        status: u16,
        headers: Vec<u8>,
        /// The last hop, when redirects were followed.
        url: Option<String>,
    },
    Error {
        code: &'static str,
        message: String,
        phase: Option<&'static str>,
        url: Option<String>,
    },
}

struct State {
    queue: Vec<Event>,
    closed: bool,
    /// A call of the threadsafe function is queued (or being made) and will take `queue`.
    woken: bool,
    /// The timings rows array shared with JavaScript (JS thread only).
    rows: Option<Rows>,
}

/// The threadsafe function, behind its own lock: the call that wakes the JS thread is made
/// outside the state lock, because the first thing the woken JS thread does is take that
/// lock (`take`); made under it, the JS thread often woke only to sleep again on the lock.
struct Handle {
    /// Null before it is created and once released by `close` or destroyed by N-API
    /// (`finalize`). Set only on the JS thread, under `calls` once engine threads hold the
    /// sink.
    tsfn: AtomicPtr<sys::napi_threadsafe_function__>,
    /// Held by an engine thread across its call, and by `close` and `finalize` while they end
    /// the function, so that no call uses it once ended. `set_ref` (JS thread) does not take
    /// it: only the JS thread ends the function, so it cannot end during `set_ref`. Taken
    /// there, the JS thread spun on it once per request (one request at a time): it unrefs
    /// as it reads a response, while the engine thread that woke it is still in its call.
    calls: Mutex<()>,
}

/// Queue plus threadsafe function. Shared by the engine tasks of one client.
pub(crate) struct Sink {
    state: Mutex<State>,
    handle: Handle,
    /// Rings the JS thread instead of calling the threadsafe function, where there is one
    /// (bell.rs says why). Set once, right after the function is made.
    bell: OnceLock<Bell>,
}

// SAFETY: the only non-thread-safe fields are the raw threadsafe-function handle and the
// bell's handles. Off the JS thread the bell is only rung, which libuv allows from any thread,
// and the threadsafe function is only passed to `napi_call_threadsafe_function` and
// `napi_release_threadsafe_function`, which N-API documents as callable from any thread; the
// ref/unref calls that need the JS thread are made only from `#[napi]` methods. Off the JS
// thread, every use is under the `calls` lock and none happens once `tsfn` is null (set by
// `close` or the finalizer, under that lock, before the finalizer closes the bell). Where both
// locks are taken, `calls` is taken first.
unsafe impl Send for Sink {}
// SAFETY: as for `Send`: engine-thread access to the handle goes through the `calls` Mutex.
unsafe impl Sync for Sink {}

impl Sink {
    /// Creates the threadsafe function around `callback`. It starts unref'd: an idle client
    /// never keeps the process alive.
    pub(crate) fn new(env: sys::napi_env, callback: sys::napi_value) -> napi::Result<Arc<Sink>> {
        let sink = Arc::new(Sink {
            state: Mutex::new(State {
                queue: Vec::new(),
                closed: false,
                woken: false,
                rows: None,
            }),
            handle: Handle {
                tsfn: AtomicPtr::new(ptr::null_mut()),
                calls: Mutex::new(()),
            },
            bell: OnceLock::new(),
        });
        let context = Arc::into_raw(sink.clone()) as *mut c_void;
        let mut tsfn = ptr::null_mut();
        let mut name = ptr::null_mut();
        // SAFETY: `env` and `callback` are the live values napi-rs handed to the constructor,
        // which runs on the JS thread; the out-pointers are valid locals. `context` is one
        // strong count of `sink`, leaked here and reclaimed exactly once: by `finalize` once
        // the threadsafe function exists, or right here when creating it fails.
        unsafe {
            if let Err(e) = check(sys::napi_create_string_utf8(
                env,
                c"hyperhttp".as_ptr(),
                9,
                &mut name,
            )) {
                drop(Arc::from_raw(context as *const Sink));
                return Err(e);
            }
            let status = sys::napi_create_threadsafe_function(
                env,
                callback,
                ptr::null_mut(),
                name,
                0,
                1,
                context,
                Some(finalize),
                context,
                Some(call_js),
                &mut tsfn,
            );
            if status != sys::Status::napi_ok {
                drop(Arc::from_raw(context as *const Sink));
                return Err(napi::Error::from_reason(
                    "could not create the completion channel",
                ));
            }
            if let Err(e) = check(sys::napi_unref_threadsafe_function(env, tsfn)) {
                // A function left ref'd would keep the process alive: abort it (its finalizer
                // then reclaims `context`). Its status cannot add to the error returned.
                sys::napi_release_threadsafe_function(
                    tsfn,
                    sys::ThreadsafeFunctionReleaseMode::abort,
                );
                return Err(e);
            }
        }
        // No engine thread holds the sink yet, so `calls` is not needed.
        sink.handle.tsfn.store(tsfn, Ordering::Release);
        // SAFETY: JS thread with its `env` and the live `callback`; the threadsafe function
        // holds a strong count of the sink until its finalizer, which closes the bell.
        if let Some(bell) = unsafe { Bell::new(env, callback, Arc::as_ptr(&sink)) } {
            // Cannot fail: the cell was made empty just above and nothing else sets it.
            let _ = sink.bell.set(bell);
        }
        Ok(sink)
    }

    /// Queues `event`; wakes the JS thread if this starts a new batch.
    pub(crate) fn push(&self, event: Event) {
        {
            let mut state = self.state.lock();
            if state.closed {
                return;
            }
            state.queue.push(event);
            if state.woken {
                return;
            }
            // Claimed before the lock goes, so pushes made meanwhile join this batch.
            state.woken = true;
        }
        let calls = self.handle.calls.lock();
        let tsfn = self.handle.tsfn.load(Ordering::Acquire);
        // SAFETY: not null, so the handle is alive (released only by `close` and destroyed
        // only before `finalize`, both of which null it under this lock); N-API allows this
        // call from any thread.
        let woke = !tsfn.is_null()
            && match self.bell.get() {
                Some(bell) => bell.ring(),
                None => {
                    let status = unsafe {
                        sys::napi_call_threadsafe_function(
                            tsfn,
                            ptr::null_mut(),
                            sys::ThreadsafeFunctionCallMode::nonblocking,
                        )
                    };
                    status == sys::Status::napi_ok
                }
            };
        drop(calls);
        if !woke {
            // The queue is unbounded, so the call fails only while the function is being
            // torn down. The events stay queued and the next push tries again.
            self.state.lock().woken = false;
        }
    }

    /// Keeps the event loop alive (`true`) or lets it exit (`false`). JS thread only.
    pub(crate) fn set_ref(&self, env: sys::napi_env, keep_alive: bool) -> napi::Result<()> {
        // No lock (see `Handle::calls`): only this thread ends the function.
        let tsfn = self.handle.tsfn.load(Ordering::Acquire);
        if tsfn.is_null() {
            return Ok(());
        }
        // SAFETY: `env` is the current JS thread's (callers are `#[napi]` methods), as these
        // two calls require, and the handle is alive since it is not null and only this
        // thread could end it.
        check(unsafe {
            if keep_alive {
                sys::napi_ref_threadsafe_function(env, tsfn)
            } else {
                sys::napi_unref_threadsafe_function(env, tsfn)
            }
        })
    }

    /// Drops queued events and releases the threadsafe function; later pushes are ignored.
    pub(crate) fn close(&self) {
        let _calls = self.handle.calls.lock();
        {
            let mut state = self.state.lock();
            state.closed = true;
            state.queue.clear();
        }
        let tsfn = self.handle.tsfn.swap(ptr::null_mut(), Ordering::AcqRel);
        if tsfn.is_null() {
            return;
        }
        // SAFETY: the handle is alive (not null until the line above) and released once,
        // since the null now stops every later use. The status is not checked: release fails
        // only for a function already released, which the null rules out.
        unsafe {
            sys::napi_release_threadsafe_function(
                tsfn,
                sys::ThreadsafeFunctionReleaseMode::release,
            );
        }
    }

    /// The bell, where the JS thread is woken by one (for the bell's own callback).
    #[cfg(unix)]
    pub(crate) fn bell(&self) -> Option<&Bell> {
        self.bell.get()
    }

    /// Takes the queued events; the next push wakes the JS thread again.
    fn take(&self) -> Vec<Event> {
        let mut state = self.state.lock();
        state.woken = false;
        std::mem::take(&mut state.queue)
    }
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!(
            "N-API call failed with status {status}"
        )))
    }
}

/// Called once by N-API when the threadsafe function is destroyed.
unsafe extern "C" fn finalize(env: sys::napi_env, _data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `hint` is the `context` leaked by `Sink::new` with `Arc::into_raw`, and N-API
    // calls this finalizer exactly once, so that strong count is reclaimed exactly once.
    let sink = unsafe { Arc::from_raw(hint as *const Sink) };
    {
        let _calls = sink.handle.calls.lock();
        sink.handle.tsfn.store(ptr::null_mut(), Ordering::Release);
        if let Some(bell) = sink.bell.get() {
            // SAFETY: JS thread (N-API runs finalizers there), once (this finalizer runs
            // once), and no ring follows: `tsfn` is null and rings check it under `calls`.
            unsafe { bell.close() };
        }
    }
    let mut state = sink.state.lock();
    state.closed = true;
    state.queue.clear();
    if let Some(rows) = state.rows.take() {
        // SAFETY: N-API calls finalizers on the JS thread with its `env`.
        unsafe { rows.release(env) };
    }
}

/// Called by N-API on the JS thread for each successful `napi_call_threadsafe_function`, and
/// by the bell.
pub(crate) unsafe extern "C" fn call_js(
    env: sys::napi_env,
    callback: sys::napi_value,
    context: *mut c_void,
    _data: *mut c_void,
) {
    // Null when the function is being torn down (the environment is exiting): nothing can
    // receive the events any more.
    if env.is_null() || callback.is_null() {
        return;
    }
    // SAFETY: `context` is the `Sink` whose strong count the threadsafe function owns until
    // `finalize`, and N-API never calls `call_js` after `finalize`.
    let sink = unsafe { &*(context as *const Sink) };
    let mut events = sink.take();
    if events.is_empty() {
        return;
    }
    // SAFETY: `env` is this JS thread's environment, valid for the duration of the call, and
    // every out-pointer is a valid local.
    unsafe {
        let timed = events.iter().filter(|e| timings::has_row(e)).count();
        let mut array = ptr::null_mut();
        let status =
            sys::napi_create_array_with_length(env, events.len() * SLOTS as usize, &mut array);
        let mut w = Writer {
            env,
            array,
            base: 0,
            status,
        };
        for event in events.iter_mut() {
            w.record(event);
            w.base += SLOTS;
        }
        if timed > 0 {
            // The rows array follows the records when JavaScript has not seen it yet.
            let mut rows = sink.state.lock().rows.take();
            match Rows::write(env, &mut rows, &events, timed) {
                Ok(Some(fresh)) => w.set(0, fresh),
                Ok(None) => {}
                Err(status) => w.note(status),
            }
            sink.state.lock().rows = rows;
        }
        drop(events);
        let mut recv = ptr::null_mut();
        w.note(sys::napi_get_undefined(env, &mut recv));
        if w.status != sys::Status::napi_ok {
            // A batch with missing records would leave requests unsettled forever; fail
            // loudly instead.
            fatal(
                env,
                &format!(
                    "hyperhttp could not build an event batch (N-API status {})",
                    w.status
                ),
            );
            return;
        }
        let status = sys::napi_call_function(env, recv, callback, 1, &array, ptr::null_mut());
        if status == sys::Status::napi_pending_exception {
            // The facade never throws here; if it does, surface it as an uncaught exception
            // instead of losing it. Both statuses are ignored: this is already the report of
            // a failure, and nothing is left to report theirs to.
            let mut err = ptr::null_mut();
            sys::napi_get_and_clear_last_exception(env, &mut err);
            sys::napi_fatal_exception(env, err);
        }
        // Any other failure means the environment cannot run JavaScript any more (it is
        // exiting), so there is no one left to tell.
    }
}

/// Raises an uncaught exception carrying `message`. Statuses are ignored: this already reports
/// a failure, and a failure to report it has nowhere to go.
unsafe fn fatal(env: sys::napi_env, message: &str) {
    let mut text = ptr::null_mut();
    let mut error = ptr::null_mut();
    // SAFETY: the caller passes the current JS thread's `env`; the out-pointers are locals.
    unsafe {
        sys::napi_create_string_utf8(
            env,
            message.as_ptr().cast(),
            message.len() as isize,
            &mut text,
        );
        sys::napi_create_error(env, ptr::null_mut(), text, &mut error);
        sys::napi_fatal_exception(env, error);
    }
}

/// Writes records into the batch array; unset slots stay holes (read as `undefined`).
struct Writer {
    env: sys::napi_env,
    array: sys::napi_value,
    base: u32,
    /// The first failed N-API status, or `napi_ok`.
    status: sys::napi_status,
}

impl Writer {
    /// # Safety
    /// As for the writers below: `env` is the current JS thread's and `array` its live array.
    unsafe fn record(&mut self, event: &mut Event) {
        match event {
            Event::Head {
                id,
                status,
                headers,
                body,
                done,
                url,
                version,
                reason,
                attempts,
                ..
            } => {
                self.u32(0, 1);
                self.u32(1, *id);
                self.u32(2, u32::from(*status));
                self.latin1(3, headers);
                if let Some(body) = body {
                    self.buffer(4, body);
                }
                self.bool(5, *done);
                if let Some(url) = url {
                    self.utf8(6, url.as_bytes());
                }
                self.u32(7, u32::from(*version));
                if let Some(reason) = reason {
                    self.latin1(8, reason);
                }
                self.u32(9, *attempts);
            }
            Event::Chunk { id, data, last } => {
                self.u32(0, 2);
                self.u32(1, *id);
                if let Some(data) = data {
                    self.buffer(2, data);
                }
                self.bool(3, *last);
            }
            Event::Error {
                id,
                code,
                message,
                phase,
                url,
                attempts,
                proxy_status,
                answer,
                ..
            } => {
                self.u32(0, 3);
                self.u32(1, *id);
                self.utf8(2, code.as_bytes());
                self.utf8(3, message.as_bytes());
                if let Some(phase) = phase {
                    self.utf8(4, phase.as_bytes());
                }
                if let Some(url) = url {
                    self.utf8(5, url.as_bytes());
                }
                self.u32(6, *attempts);
                if let Some(status) = proxy_status {
                    self.u32(7, u32::from(*status));
                }
                if let Some(token) = answer {
                    self.u32(8, *token);
                }
            }
            Event::Need { id } => {
                self.u32(0, 4);
                self.u32(1, *id);
            }
            Event::Whole { id, body } => {
                self.u32(0, 2);
                self.u32(1, *id);
                self.owned_buffer(2, std::mem::take(body));
                self.bool(3, true);
            }
            Event::Retry {
                id,
                attempt,
                delay,
                outcome,
            } => {
                self.u32(0, 5);
                self.u32(1, *id);
                self.u32(2, *attempt);
                self.f64(3, *delay);
                match outcome {
                    RetryOutcome::Response {
                        status,
                        headers,
                        url,
                    } => {
                        self.u32(4, u32::from(*status));
                        self.latin1(5, headers);
                        if let Some(url) = url {
                            self.utf8(6, url.as_bytes());
                        }
                    }
                    RetryOutcome::Error {
                        code,
                        message,
                        phase,
                        url,
                    } => {
                        if let Some(url) = url {
                            self.utf8(6, url.as_bytes());
                        }
                        self.utf8(7, code.as_bytes());
                        self.utf8(8, message.as_bytes());
                        if let Some(phase) = phase {
                            self.utf8(9, phase.as_bytes());
                        }
                    }
                }
            }
            Event::Lookup {
                token,
                host,
                family,
            } => {
                self.u32(0, 6);
                self.u32(1, *token);
                self.utf8(2, host.as_bytes());
                self.u32(3, u32::from(*family));
            }
            Event::Filter {
                token,
                host,
                addresses,
            } => {
                self.u32(0, 7);
                self.u32(1, *token);
                self.utf8(2, host.as_bytes());
                self.latin1(3, addresses.as_bytes());
            }
            Event::Connection(event) => {
                self.u32(0, 9);
                self.u32(1, 0);
                match event {
                    ConnectionEvent::Open(info) => self.connection(b"open", info),
                    ConnectionEvent::Close(info) => self.connection(b"close", info),
                    ConnectionEvent::Error { origin, error } => {
                        self.utf8(2, b"error");
                        self.utf8(4, origin.as_bytes());
                        self.utf8(5, error.code().as_bytes());
                        self.utf8(6, error.message().as_bytes());
                        if let Some(phase) = error.phase() {
                            self.utf8(7, phase.as_str().as_bytes());
                        }
                    }
                }
            }
            Event::Cookies { id, url, received } => {
                self.u32(0, 8);
                self.u32(1, *id);
                self.utf8(2, url.as_bytes());
                if let Some((from, set_cookies)) = received {
                    self.utf8(3, from.as_bytes());
                    self.latin1(4, set_cookies);
                }
            }
        }
    }

    /// An opened or closed connection's record (see the crate README).
    ///
    /// # Safety
    /// As for the writers below.
    unsafe fn connection(&mut self, kind: &[u8], info: &ConnectionInfo) {
        unsafe {
            self.utf8(2, kind);
            self.f64(3, info.id as f64);
            self.utf8(4, info.origin.as_bytes());
            self.utf8(5, info.protocol.as_str().as_bytes());
            if let Some(local) = info.local {
                self.utf8(6, local.ip().to_string().as_bytes());
                self.u32(7, u32::from(local.port()));
            }
            if let Some(remote) = info.remote {
                self.utf8(8, remote.ip().to_string().as_bytes());
                self.u32(9, u32::from(remote.port()));
            }
        }
    }

    /// Keeps the first failure; later calls may fail because of it and add nothing.
    fn note(&mut self, status: sys::napi_status) {
        if self.status == sys::Status::napi_ok {
            self.status = status;
        }
    }

    // SAFETY (all the writers below): callers pass the `env` of the current JS thread with
    // the array made in `call_js`; a value that failed to be created is null, which
    // `napi_set_element` refuses with a status that `note` keeps.

    unsafe fn set(&mut self, slot: u32, value: sys::napi_value) {
        let status =
            unsafe { sys::napi_set_element(self.env, self.array, self.base + slot, value) };
        self.note(status);
    }

    unsafe fn u32(&mut self, slot: u32, n: u32) {
        let mut v = ptr::null_mut();
        self.note(unsafe { sys::napi_create_uint32(self.env, n, &mut v) });
        unsafe { self.set(slot, v) };
    }

    unsafe fn f64(&mut self, slot: u32, n: f64) {
        let mut v = ptr::null_mut();
        self.note(unsafe { sys::napi_create_double(self.env, n, &mut v) });
        unsafe { self.set(slot, v) };
    }

    unsafe fn bool(&mut self, slot: u32, b: bool) {
        let mut v = ptr::null_mut();
        self.note(unsafe { sys::napi_get_boolean(self.env, b, &mut v) });
        unsafe { self.set(slot, v) };
    }

    unsafe fn latin1(&mut self, slot: u32, s: &[u8]) {
        let mut v = ptr::null_mut();
        self.note(unsafe {
            sys::napi_create_string_latin1(self.env, s.as_ptr().cast(), s.len() as isize, &mut v)
        });
        unsafe { self.set(slot, v) };
    }

    unsafe fn utf8(&mut self, slot: u32, s: &[u8]) {
        let mut v = ptr::null_mut();
        self.note(unsafe {
            sys::napi_create_string_utf8(self.env, s.as_ptr().cast(), s.len() as isize, &mut v)
        });
        unsafe { self.set(slot, v) };
    }

    unsafe fn buffer(&mut self, slot: u32, bytes: &Bytes) {
        let mut v = ptr::null_mut();
        let mut data = ptr::null_mut();
        // `napi_create_buffer_copy` copies `bytes.len()` bytes from a live slice.
        self.note(unsafe {
            sys::napi_create_buffer_copy(
                self.env,
                bytes.len(),
                bytes.as_ptr().cast(),
                &mut data,
                &mut v,
            )
        });
        unsafe { self.set(slot, v) };
    }

    /// A Buffer that takes over the bytes of `body` without a copy and, once collected, gives
    /// their allocation back to the client (see spare.rs); an empty body leaves the slot
    /// `undefined`. Where the runtime allows no external buffers (a V8 sandbox), the bytes
    /// are copied instead.
    unsafe fn owned_buffer(&mut self, slot: u32, body: WholeBody) {
        if body.data.is_empty() {
            return;
        }
        let len = body.data.len();
        let bytes = body.data.as_ptr().cast_mut().cast::<c_void>();
        let owner = Box::into_raw(Box::new(body));
        let mut v = ptr::null_mut();
        // SAFETY: `bytes` points at `len` initialised bytes of the Vec that `owner` keeps
        // alive and unmoved (moving the Box does not move its heap buffer) until N-API calls
        // `release_body` with `owner`, once, when the Buffer is collected.
        let status = unsafe {
            sys::napi_create_external_buffer(
                self.env,
                len,
                bytes,
                Some(release_body),
                owner.cast(),
                &mut v,
            )
        };
        if status == sys::Status::napi_no_external_buffers_allowed {
            // SAFETY: refused before taking ownership, so `owner` is still ours, once.
            let body = unsafe { Box::from_raw(owner) };
            unsafe { self.buffer(slot, &Bytes::from(body.data)) };
            return;
        }
        // On any other failure the body is leaked, as napi-rs does: whether N-API already
        // released it through `release_body` is not specified, and a double free is worse.
        self.note(status);
        unsafe { self.set(slot, v) };
    }
}

/// Releases the body behind a Buffer made by [`Writer::owned_buffer`]; called once by N-API.
unsafe extern "C" fn release_body(_env: sys::napi_env, _data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `hint` is the `Box<WholeBody>` leaked by `owned_buffer` for this Buffer only.
    unsafe { Box::from_raw(hint.cast::<WholeBody>()) }.release();
}
