//! The engine's resolver questions to JavaScript: a LOOKUP or FILTER event carries a token,
//! and `answerLookup` / `answerFilter` answer it (see README.md). The engine keeps its connect
//! timeout running meanwhile; a question whose connection attempt was dropped is forgotten.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use hyperhttp_core::{
    address_blocked, lookup_failed, AddressFilter, Error, Family, FilterFuture, Lookup,
    LookupFuture,
};
use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::sink::{Event, Sink};

enum Waiting {
    Lookup {
        host: String,
        answer: oneshot::Sender<Result<Vec<IpAddr>, Error>>,
    },
    Filter {
        host: String,
        addresses: Vec<IpAddr>,
        answer: oneshot::Sender<Result<(), Error>>,
    },
}

/// Questions asked and not yet answered, by token.
pub(crate) struct Questions {
    sink: Arc<Sink>,
    next: AtomicU32,
    waiting: Mutex<HashMap<u32, Waiting>>,
}

impl Questions {
    pub(crate) fn new(sink: Arc<Sink>) -> Arc<Questions> {
        Arc::new(Questions {
            sink,
            next: AtomicU32::new(1),
            waiting: Mutex::new(HashMap::new()),
        })
    }

    fn ask(self: &Arc<Self>, waiting: Waiting, event: impl FnOnce(u32) -> Event) -> Asked {
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        self.waiting.lock().insert(token, waiting);
        self.sink.push(event(token));
        Asked {
            questions: self.clone(),
            token,
        }
    }

    /// JavaScript's answer to LOOKUP `token`: the addresses, or why the lookup failed.
    pub(crate) fn answer_lookup(
        &self,
        token: u32,
        addresses: Option<Vec<String>>,
        error: Option<String>,
    ) {
        let Some(Waiting::Lookup { host, answer }) = self.take(token) else {
            return;
        };
        let result = match (error, addresses) {
            (Some(reason), _) => Err(lookup_failed(&host, &reason).with_answer_token(token)),
            (None, addresses) => addresses
                .unwrap_or_default()
                .iter()
                .map(|a| {
                    a.parse::<IpAddr>().map_err(|_| {
                        lookup_failed(&host, &format!("lookup returned {a:?}, not an IP address"))
                    })
                })
                .collect(),
        };
        let _ = answer.send(result);
    }

    /// JavaScript's answer to FILTER `token`: the index of the first address refused, if any.
    pub(crate) fn answer_filter(&self, token: u32, refused: Option<u32>) {
        let Some(Waiting::Filter {
            host,
            addresses,
            answer,
        }) = self.take(token)
        else {
            return;
        };
        let result = match refused {
            None => Ok(()),
            Some(i) => {
                let address = addresses
                    .get(i as usize)
                    .map_or_else(|| "?".to_owned(), IpAddr::to_string);
                Err(address_blocked(&host, &address).with_answer_token(token))
            }
        };
        let _ = answer.send(result);
    }

    /// The client closed: every waiting connection attempt fails now rather than at its
    /// connect timeout (attempts hyper-util finishes in the background outlive the request).
    pub(crate) fn close(&self) {
        self.waiting.lock().clear();
    }

    fn take(&self, token: u32) -> Option<Waiting> {
        self.waiting.lock().remove(&token)
    }
}

/// Forgets its question when the connection attempt that asked it is dropped.
struct Asked {
    questions: Arc<Questions>,
    token: u32,
}

impl Drop for Asked {
    fn drop(&mut self) {
        self.questions.take(self.token);
    }
}

fn unanswered() -> Error {
    Error::new(hyperhttp_core::Kind::ClientClosed, "the client is closed")
}

/// The `lookup` hook: a LOOKUP event per question.
pub(crate) struct JsLookup(pub Arc<Questions>);

impl Lookup for JsLookup {
    fn lookup(&self, host: &str, family: Family) -> LookupFuture {
        let (answer, result) = oneshot::channel();
        let waiting = Waiting::Lookup {
            host: host.to_owned(),
            answer,
        };
        let asked = self.0.ask(waiting, |token| Event::Lookup {
            token,
            host: host.to_owned(),
            family: family.number(),
        });
        Box::pin(async move {
            let _asked = asked;
            result.await.unwrap_or_else(|_| Err(unanswered()))
        })
    }
}

/// The `addressFilter` hook: one FILTER event per connection, all of the host's addresses in it.
pub(crate) struct JsFilter(pub Arc<Questions>);

impl AddressFilter for JsFilter {
    fn check(&self, host: &str, addresses: &[IpAddr]) -> FilterFuture {
        let (answer, result) = oneshot::channel();
        let list = addresses
            .iter()
            .map(IpAddr::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let waiting = Waiting::Filter {
            host: host.to_owned(),
            addresses: addresses.to_vec(),
            answer,
        };
        let asked = self.0.ask(waiting, |token| Event::Filter {
            token,
            host: host.to_owned(),
            addresses: list,
        });
        Box::pin(async move {
            let _asked = asked;
            result.await.unwrap_or_else(|_| Err(unanswered()))
        })
    }
}
