//! Wakes the JS thread with a libuv async handle of its own instead of a threadsafe-function
//! call (Unix only; elsewhere the sink keeps calling the threadsafe function).
//!
//! `napi_call_threadsafe_function` signals the JS thread while holding the function's mutex,
//! and the first thing the woken JS thread does is take that mutex. One request at a time, the
//! JS thread often woke while the engine thread was still inside the call (often preempted by
//! the very thread it woke) and went back to sleep on the mutex: 1.2-1.6 JS-thread sleeps per
//! request instead of 1 (HTTP/1.1, 200 B). `uv_async_send` signals with atomics alone. The
//! threadsafe function stays: it keeps the event loop alive while requests are pending, and
//! its finalizer (which N-API runs on teardown) closes this handle.

// Without Unix no bell is ever made; the type stays so that the sink has one shape.
#![cfg_attr(not(unix), allow(dead_code))]

#[cfg(unix)]
use std::ffi::c_void;
#[cfg(unix)]
use std::ptr;

use napi::sys;

use crate::sink::Sink;

/// Room for a `uv_async_t` (128 bytes on 64-bit Unix); libuv only ever uses its own size.
#[cfg(unix)]
type AsyncHandle = [u64; 32];

#[cfg(unix)]
type AsyncCallback = unsafe extern "C" fn(*mut AsyncHandle);

/// The libuv functions the bell uses, looked up in the host process when the first bell is
/// made. Node.js exports them to addons; a host with N-API but without them (Bun, Deno) gets
/// `None`, and its sinks wake the JS thread through the threadsafe function instead of failing
/// to load or aborting on the first call.
#[cfg(unix)]
struct Uv {
    async_init: AsyncInit,
    async_send: AsyncSend,
    unref: Unref,
    close: Close,
}

#[cfg(unix)]
type AsyncInit =
    unsafe extern "C" fn(*mut sys::uv_loop_s, *mut AsyncHandle, AsyncCallback) -> std::ffi::c_int;
#[cfg(unix)]
type AsyncSend = unsafe extern "C" fn(*mut AsyncHandle) -> std::ffi::c_int;
#[cfg(unix)]
type Unref = unsafe extern "C" fn(*mut AsyncHandle);
#[cfg(unix)]
type Close = unsafe extern "C" fn(*mut AsyncHandle, AsyncCallback);

#[cfg(unix)]
fn uv() -> Option<&'static Uv> {
    static UV: std::sync::OnceLock<Option<Uv>> = std::sync::OnceLock::new();
    UV.get_or_init(|| {
        let find = |name: &std::ffi::CStr| {
            // SAFETY: `name` is NUL-terminated; RTLD_DEFAULT searches the process's global
            // symbols, which include the host binary's exports.
            let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
            (!symbol.is_null()).then_some(symbol)
        };
        let (init, send, unref, close) = (
            find(c"uv_async_init")?,
            find(c"uv_async_send")?,
            find(c"uv_unref")?,
            find(c"uv_close")?,
        );
        // SAFETY: these are libuv's exported functions, whose C signatures the fields spell.
        unsafe {
            Some(Uv {
                async_init: std::mem::transmute::<*mut c_void, AsyncInit>(init),
                async_send: std::mem::transmute::<*mut c_void, AsyncSend>(send),
                unref: std::mem::transmute::<*mut c_void, Unref>(unref),
                close: std::mem::transmute::<*mut c_void, Close>(close),
            })
        }
    })
    .as_ref()
}

/// An async handle on the JS thread's loop whose callback drains a sink.
pub(crate) struct Bell {
    #[cfg(unix)]
    handle: *mut AsyncHandle,
    #[cfg(unix)]
    uv: &'static Uv,
    callback: sys::napi_ref,
    /// The async resource and context the callback runs in, as a threadsafe function's does
    /// (so promises settled by the callback run their reactions right after it).
    resource: sys::napi_ref,
    context: sys::napi_async_context,
    env: sys::napi_env,
}

impl Bell {
    /// A bell that makes `sink` call `callback`, or `None` where there is none (not Unix, a
    /// host without libuv's functions, or a failed N-API or libuv call: the sink then wakes
    /// the JS thread the usual way).
    ///
    /// # Safety
    /// JS thread, with its `env` and a live `callback`; `sink` must stay alive until
    /// [`Bell::close`], which must be called once, on the JS thread.
    #[cfg(unix)]
    pub(crate) unsafe fn new(
        env: sys::napi_env,
        callback: sys::napi_value,
        sink: *const Sink,
    ) -> Option<Bell> {
        let ok = |status| status == sys::Status::napi_ok;
        let uv = uv()?;
        let mut bell = Bell {
            handle: ptr::null_mut(),
            uv,
            callback: ptr::null_mut(),
            resource: ptr::null_mut(),
            context: ptr::null_mut(),
            env,
        };
        let mut event_loop = ptr::null_mut();
        let mut resource = ptr::null_mut();
        let mut name = ptr::null_mut();
        // SAFETY: JS thread with its `env` (the caller's contract); out-pointers are locals.
        // On failure, `release` undoes what was made (each field is null until made).
        unsafe {
            let made = ok(sys::napi_get_uv_event_loop(env, &mut event_loop))
                && ok(sys::napi_create_reference(
                    env,
                    callback,
                    1,
                    &mut bell.callback,
                ))
                && ok(sys::napi_create_object(env, &mut resource))
                && ok(sys::napi_create_reference(
                    env,
                    resource,
                    1,
                    &mut bell.resource,
                ))
                && ok(sys::napi_create_string_utf8(
                    env,
                    c"hyperhttp".as_ptr(),
                    9,
                    &mut name,
                ))
                && ok(sys::napi_async_init(env, resource, name, &mut bell.context));
            if !made {
                bell.release();
                return None;
            }
            let handle = Box::into_raw(Box::new(AsyncHandle::default()));
            if (uv.async_init)(event_loop, handle, ring_js) != 0 {
                drop(Box::from_raw(handle));
                bell.release();
                return None;
            }
            // `data`, the handle's first field, names the sink for `ring_js`.
            *(handle as *mut *const Sink) = sink;
            // Keeping the loop alive is the threadsafe function's job.
            (uv.unref)(handle);
            bell.handle = handle;
        }
        Some(bell)
    }

    #[cfg(not(unix))]
    pub(crate) unsafe fn new(
        _env: sys::napi_env,
        _callback: sys::napi_value,
        _sink: *const Sink,
    ) -> Option<Bell> {
        None
    }

    /// Makes the JS thread drain the sink soon. Any thread, until [`Bell::close`].
    pub(crate) fn ring(&self) -> bool {
        #[cfg(unix)]
        // SAFETY: the handle is open until `close`, which the sink never calls while a ring
        // can happen (both are under its `calls` lock); libuv allows this from any thread.
        return unsafe { (self.uv.async_send)(self.handle) } == 0;
        #[cfg(not(unix))]
        unreachable!("there is no bell without Unix")
    }

    /// Closes the handle and releases the references.
    ///
    /// # Safety
    /// JS thread, once; no ring may follow.
    pub(crate) unsafe fn close(&self) {
        // SAFETY: the caller's contract; the handle is open (closed only here, once) and its
        // memory is freed by libuv's close callback, after which nothing uses it.
        unsafe {
            #[cfg(unix)]
            (self.uv.close)(self.handle, free_handle);
            self.release();
        }
    }

    /// Deletes whatever references and async context were made. Statuses are ignored:
    /// nothing more can be done about a failure to let go.
    unsafe fn release(&self) {
        // SAFETY: JS thread with `self.env` (callers' contract); each value is null or live.
        unsafe {
            if !self.context.is_null() {
                sys::napi_async_destroy(self.env, self.context);
            }
            if !self.resource.is_null() {
                sys::napi_delete_reference(self.env, self.resource);
            }
            if !self.callback.is_null() {
                sys::napi_delete_reference(self.env, self.callback);
            }
        }
    }
}

/// The handle's callback (JS thread): drains the sink inside a callback scope, as a
/// threadsafe function's call would.
#[cfg(unix)]
unsafe extern "C" fn ring_js(handle: *mut AsyncHandle) {
    // SAFETY: `data` is the sink set by `Bell::new`, alive until the handle is closed (the
    // sink's finalizer closes it before letting go of the sink), and libuv runs no callback
    // of a closed handle. `env` is this thread's; out-pointers are locals.
    unsafe {
        let sink = *(handle as *const *const Sink);
        let Some(bell) = (*sink).bell() else { return };
        let env = bell.env;
        let mut scope = ptr::null_mut();
        if sys::napi_open_handle_scope(env, &mut scope) != sys::Status::napi_ok {
            return;
        }
        let mut callback = ptr::null_mut();
        let mut resource = ptr::null_mut();
        let mut callback_scope = ptr::null_mut();
        if sys::napi_get_reference_value(env, bell.callback, &mut callback) == sys::Status::napi_ok
            && sys::napi_get_reference_value(env, bell.resource, &mut resource)
                == sys::Status::napi_ok
            && sys::napi_open_callback_scope(env, resource, bell.context, &mut callback_scope)
                == sys::Status::napi_ok
        {
            crate::sink::call_js(env, callback, sink as *mut c_void, ptr::null_mut());
            // Runs the microtasks the batch queued, like the end of a threadsafe call.
            sys::napi_close_callback_scope(env, callback_scope);
        }
        sys::napi_close_handle_scope(env, scope);
    }
}

#[cfg(unix)]
unsafe extern "C" fn free_handle(handle: *mut AsyncHandle) {
    // SAFETY: made by `Box::into_raw` in `Bell::new`; libuv calls this once, after which it
    // no longer touches the handle.
    drop(unsafe { Box::from_raw(handle) });
}
