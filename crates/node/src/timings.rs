//! The timings rows of event batches: one `Float64Array` per client, written in place batch
//! after batch (a new `ArrayBuffer` per batch cost more than the rest of the timings), handed
//! to JavaScript only when it is first made or grown. JS-thread only.

use std::ptr;

use hyperhttp_core::{Protocol, Timings};
use napi::sys;

use crate::sink::Event;

/// Numbers per row: `start` (engine clock, ms), then in ms from it `queued`, `dns`, `connect`,
/// `tls`, `sent`, `firstByte`, `end`; `reused` (0 or 1), protocol (1 = h1, 2 = h2),
/// redirects, connection id. NaN where unknown.
pub(crate) const TIMING_SLOTS: u32 = 12;

/// Rows the array starts with.
const FIRST_ROWS: usize = 64;

/// HEAD and ERROR records each own one row, in record order.
pub(crate) fn has_row(event: &Event) -> bool {
    matches!(event, Event::Head { .. } | Event::Error { .. })
}

/// The client's rows array, kept alive by a reference.
pub(crate) struct Rows {
    reference: sys::napi_ref,
    data: *mut f64,
    rows: usize,
}

impl Rows {
    /// Writes the rows of `events` (`timed` of them) into `rows`, making or growing the array
    /// first when it is too small. Returns the array when JavaScript has not seen it yet.
    ///
    /// # Safety
    /// `env` is the current JS thread's.
    pub(crate) unsafe fn write(
        env: sys::napi_env,
        rows: &mut Option<Rows>,
        events: &[Event],
        timed: usize,
    ) -> Result<Option<sys::napi_value>, sys::napi_status> {
        let mut fresh = None;
        if rows.as_ref().is_none_or(|r| r.rows < timed) {
            let wanted = timed.max(rows.as_ref().map_or(FIRST_ROWS, |r| r.rows * 2));
            // SAFETY: as for this function.
            let (made, array) = unsafe { Rows::make(env, wanted)? };
            if let Some(old) = rows.replace(made) {
                // SAFETY: as for this function; the old reference is dropped once.
                unsafe { old.release(env) };
            }
            fresh = Some(array);
        }
        let Some(current) = rows.as_ref() else {
            return Ok(fresh);
        };
        let width = TIMING_SLOTS as usize;
        // SAFETY: `data` is the live buffer of `rows * width` numbers kept by `reference`;
        // only this thread touches it, and JavaScript reads it only after this call.
        let out = unsafe { std::slice::from_raw_parts_mut(current.data, current.rows * width) };
        let mut out = out.chunks_exact_mut(width);
        for event in events {
            let row = match event {
                Event::Head {
                    timings, redirects, ..
                } => row(Some(timings), Some(*redirects)),
                Event::Error { timings, .. } => row(timings.as_ref(), None),
                _ => continue,
            };
            if let Some(slot) = out.next() {
                slot.copy_from_slice(&row);
            }
        }
        Ok(fresh)
    }

    /// # Safety
    /// `env` is the current JS thread's.
    unsafe fn make(
        env: sys::napi_env,
        rows: usize,
    ) -> Result<(Rows, sys::napi_value), sys::napi_status> {
        let len = rows * TIMING_SLOTS as usize;
        let mut buffer = ptr::null_mut();
        let mut data = ptr::null_mut();
        let mut array = ptr::null_mut();
        let mut reference = ptr::null_mut();
        // SAFETY: `env` is this thread's; the out-pointers are locals.
        unsafe {
            check(sys::napi_create_arraybuffer(
                env,
                len * std::mem::size_of::<f64>(),
                &mut data,
                &mut buffer,
            ))?;
            check(sys::napi_create_typedarray(
                env,
                sys::TypedarrayType::float64_array,
                len,
                buffer,
                0,
                &mut array,
            ))?;
            check(sys::napi_create_reference(env, array, 1, &mut reference))?;
        }
        let rows = Rows {
            reference,
            data: data.cast(),
            rows,
        };
        Ok((rows, array))
    }

    /// Lets the array be collected.
    ///
    /// # Safety
    /// `env` is the current JS thread's.
    pub(crate) unsafe fn release(self, env: sys::napi_env) {
        // SAFETY: the reference was made by `make` and is deleted once, here. Its status is
        // not checked: deleting fails only while the environment tears down, which frees it.
        unsafe { sys::napi_delete_reference(env, self.reference) };
    }
}

fn check(status: sys::napi_status) -> Result<(), sys::napi_status> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(status)
    }
}

fn row(t: Option<&Timings>, redirects: Option<u32>) -> [f64; TIMING_SLOTS as usize] {
    let Some(t) = t else {
        return [f64::NAN; TIMING_SLOTS as usize];
    };
    let ms = |v: Option<f64>| v.unwrap_or(f64::NAN);
    [
        t.start,
        ms(t.queued),
        ms(t.dns),
        ms(t.connect),
        ms(t.tls),
        ms(t.sent),
        ms(t.first_byte),
        ms(t.end),
        ms(t.reused.map(|r| f64::from(u8::from(r)))),
        ms(t.protocol.map(|p| match p {
            Protocol::Http1 => 1.0,
            Protocol::Http2 => 2.0,
        })),
        ms(redirects.map(f64::from)),
        ms(t.connection.map(|id| id as f64)),
    ]
}
