//! Turns hyper's and the I/O layer's errors into engine errors with a precise kind.

use std::error::Error as StdError;
use std::io;

use crate::error::{Error, Kind, Phase};

/// Classifies an error raised while exchanging a request in `phase`.
pub(crate) fn hyper_error(err: &(dyn StdError + 'static), phase: Phase) -> Error {
    if let Some(found) = Error::find_in(err) {
        return found.shallow_clone();
    }
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(h2) = e.downcast_ref::<h2::Error>() {
            // Only the server's refusal proves it never processed the stream.
            if h2.reason() == Some(h2::Reason::REFUSED_STREAM) && h2.is_remote() {
                return Error::new(
                    Kind::Protocol,
                    format!("server refused the HTTP/2 stream ({h2})"),
                )
                .with_phase(phase)
                .unprocessed();
            }
            // A graceful GOAWAY fails the streams above the server's last stream id, which it
            // never processed; h2 reports later connection failures with the same error, so
            // only idempotent requests are resent.
            if h2.is_go_away() && h2.is_remote() && h2.reason() == Some(h2::Reason::NO_ERROR) {
                return Error::new(
                    Kind::ConnectionClosed,
                    "server closed the HTTP/2 connection (GOAWAY) before answering",
                )
                .with_phase(phase)
                .resendable_if_idempotent();
            }
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if let Some(kind) = hyper_kind(h) {
                return Error::new(kind, describe(kind, err)).with_phase(phase);
            }
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if is_closed(io) {
                return Error::new(
                    Kind::ConnectionClosed,
                    describe(Kind::ConnectionClosed, err),
                )
                .with_phase(phase);
            }
        }
        cur = e.source();
    }
    Error::new(Kind::Protocol, describe(Kind::Protocol, err)).with_phase(phase)
}

fn hyper_kind(err: &hyper::Error) -> Option<Kind> {
    // hyper has no public predicate for an oversized head; its parse error says "too large".
    if err.is_parse() && err.to_string().contains("too large") {
        Some(Kind::HeadersTooLarge)
    } else if err.is_parse() || err.is_parse_status() {
        Some(Kind::Protocol)
    } else if err.is_incomplete_message()
        || err.is_closed()
        || err.is_canceled()
        || err.is_body_write_aborted()
    {
        Some(Kind::ConnectionClosed)
    } else {
        None
    }
}

fn is_closed(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}

fn describe(kind: Kind, err: &(dyn StdError + 'static)) -> String {
    let mut chain = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !chain.contains(&s) {
            chain.push_str(": ");
            chain.push_str(&s);
        }
        cur = e.source();
    }
    match kind {
        // hyper reports a head over the byte limit and one over the field count with the same
        // error, so both limits are named.
        Kind::HeadersTooLarge => format!(
            "response head is too large ({chain}): over maxHeaderSize (bytes) or maxHeaderCount \
             (fields); raise the one that applies if this server is trusted"
        ),
        Kind::ConnectionClosed => {
            format!("connection closed before the exchange finished ({chain})")
        }
        _ => format!("invalid HTTP response ({chain})"),
    }
}
