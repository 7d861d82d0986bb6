//! Errors thrown synchronously to JavaScript. They carry what an ERROR event record carries,
//! as fields of a JS `Error` (`code`, `phase`, `url`, `attempts`), so the facade never parses
//! a message.

use hyperhttp_core::Error;
use napi::{Env, Status};

/// Throws `err` as a JS error and returns the value that tells napi-rs an exception is
/// already pending (so it throws nothing more). If the error object cannot be built, the
/// failure to build it is returned instead and napi-rs throws that.
pub(crate) fn throw(env: &Env, err: &Error) -> napi::Error {
    match try_throw(env, err) {
        Ok(()) => napi::Error::new(Status::PendingException, err.message().to_owned()),
        Err(failed) => failed,
    }
}

fn try_throw(env: &Env, err: &Error) -> napi::Result<()> {
    let mut js = env.create_error(napi::Error::new(Status::GenericFailure, err.message()))?;
    js.set("code", err.code())?;
    if let Some(phase) = err.phase() {
        js.set("phase", phase.as_str())?;
    }
    if let Some(url) = err.url() {
        js.set("url", url)?;
    }
    js.set("attempts", err.attempts())?;
    env.throw(js)
}
