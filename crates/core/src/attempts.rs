//! The attempts of one request: the retry loop. The policy in [`crate::retry`] says whether an
//! outcome is retried and how long to wait; the loop takes each retry from the client's
//! budget, waits on a tokio timer and, when the request has a [`BeforeRetry`] hook, pauses
//! after the wait until the hook lets the next attempt go (possibly changed) or stops it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use url::Url;

use crate::client::Response;
use crate::config::{Config, Effective};
use crate::error::Error;
use crate::request::{Request, RequestBody};
use crate::retry::{BudgetState, RetryPolicy};

/// The outcome of the attempt that is being retried.
#[derive(Debug)]
pub enum RetryCause {
    /// A response whose status is retried. Its body has been discarded.
    Response {
        /// Its status.
        status: StatusCode,
        /// Its header fields.
        headers: HeaderMap,
        /// The URL that answered (the last hop when redirects were followed).
        url: Url,
        /// Whether redirects were followed to get it.
        redirected: bool,
    },
    /// A failure before any response byte.
    Error(Error),
}

/// What a [`BeforeRetry`] hook is told, once the wait before the next attempt is over.
#[derive(Debug)]
pub struct Retry {
    /// The attempt about to be made (2 for the first retry).
    pub attempt: u32,
    /// How long the engine waited before this attempt.
    pub delay: Duration,
    /// What happened to the previous attempt.
    pub cause: RetryCause,
}

/// A hook's answer. `Ok(None)`: send the same request again. `Ok(Some(request))`: send
/// `request` (its method, URL, headers, body and per-attempt options; the retry settings and
/// the total timeout stay those of the first) from this attempt on. `Err(error)`: end the
/// request with `error`.
pub type RetryDecision = Result<Option<Request>, Error>;

/// The future a [`BeforeRetry`] hook returns.
pub type RetryFuture = Pin<Box<dyn Future<Output = RetryDecision> + Send>>;

/// Called by the retry loop between attempts, after the wait, with what happened; the next
/// attempt starts when the returned future resolves. The wait and the hook both run under
/// the request's total timeout. Implemented by any `FnMut(Retry) -> impl Future`.
///
/// ```no_run
/// # async fn run(client: hyperhttp_core::Client, req: hyperhttp_core::Request) -> Result<(), hyperhttp_core::Error> {
/// use hyperhttp_core::{Retry, RetryCause};
/// let res = client
///     .execute_with_hook(req, |retry: Retry| async move {
///         if let RetryCause::Response { status, .. } = &retry.cause {
///             println!("attempt {} after {status}", retry.attempt);
///         }
///         Ok(None)
///     })
///     .await?;
/// # Ok(()) }
/// ```
pub trait BeforeRetry: Send {
    /// Decides how the request goes on before attempt `retry.attempt`.
    fn before_retry(&mut self, retry: Retry) -> RetryFuture;
}

impl<F, Fut> BeforeRetry for F
where
    F: FnMut(Retry) -> Fut + Send,
    Fut: Future<Output = RetryDecision> + Send + 'static,
{
    fn before_retry(&mut self, retry: Retry) -> RetryFuture {
        Box::pin(self(retry))
    }
}

/// What the loop uses of the client.
pub(crate) struct Attempts<'a> {
    pub(crate) config: &'a Config,
    pub(crate) budget: Option<&'a BudgetState>,
    /// Attempts started so far. Kept outside the loop's future so that the count is still
    /// there when the total timeout drops that future.
    pub(crate) made: &'a AtomicU32,
}

impl Attempts<'_> {
    /// Runs attempts of the request in `next` through `send` until one succeeds, the policy
    /// says stop, the budget is spent, or `hook` stops the request. `send` is given the
    /// request's method, URL, headers and options (shared by every attempt, never copied), the
    /// attempt's body and the settings.
    pub(crate) async fn run<F, Fut>(
        &self,
        mut next: NextAttempt,
        mut hook: Option<&mut (dyn BeforeRetry + '_)>,
        mut send: F,
    ) -> Result<Box<Response>, Error>
    where
        F: FnMut(Arc<Request>, RequestBody, Effective) -> Fut,
        Fut: Future<Output = Result<Box<Response>, Error>>,
    {
        if let Some(budget) = self.budget {
            budget.record_request();
        }
        let mut previous_wait = Duration::ZERO;
        let mut attempt = 1;
        self.made.store(attempt, Ordering::Relaxed);
        loop {
            let result = send(next.head.clone(), next.body(), next.settings).await;
            let wait = match self.retry_wait(&result, &next, attempt, previous_wait) {
                Ok(wait) => wait,
                Err(refusal) => return settle(result, attempt, refusal),
            };
            // Boxed: a retry is rare, and unboxed this future (a response body's drain) would
            // sit in every request's state and be copied with it.
            let cause = Box::pin(retry_cause(result, hook.is_some())).await;
            tokio::time::sleep(wait).await;
            previous_wait = wait;
            attempt += 1;
            if let (Some(hook), Some(cause)) = (hook.as_mut(), cause) {
                let retry = Retry {
                    attempt,
                    delay: wait,
                    cause,
                };
                match hook.before_retry(retry).await {
                    Ok(None) => {}
                    Ok(Some(changed)) => next.replace(changed, self.config),
                    Err(e) => return Err(e.with_attempts(attempt - 1)),
                }
            }
            self.made.store(attempt, Ordering::Relaxed);
        }
    }

    /// How long to wait before retrying the outcome of attempt `attempt`; or, when it is not
    /// retried, what its error should add: nothing when the policy does not retry it, the
    /// reason when the policy would but the body or the budget does not allow it. Takes a
    /// retry from the budget only when every other check passed.
    fn retry_wait(
        &self,
        result: &Result<Box<Response>, Error>,
        next: &NextAttempt,
        attempt: u32,
        previous_wait: Duration,
    ) -> Result<Duration, &'static str> {
        let policy = &self.config.retry;
        let wait = policy_wait(policy, result, attempt, previous_wait)
            .filter(|_| attempt <= next.settings.max_retries && next.method_allowed(policy))
            .ok_or("")?;
        if !next.replayable() {
            return Err("; not retried: the request body was a stream that cannot be sent again");
        }
        if self.budget.is_some_and(|b| !b.try_retry()) {
            return Err("; not retried: the client's retry budget is spent");
        }
        Ok(wait)
    }
}

/// The policy's wait before retrying `result`: `Retry-After` when the server sent one (unless
/// over `max_retry_after`: then no retry), else the backoff. `None` for an outcome the policy
/// does not retry.
fn policy_wait(
    policy: &RetryPolicy,
    result: &Result<Box<Response>, Error>,
    attempt: u32,
    previous_wait: Duration,
) -> Option<Duration> {
    match result {
        Ok(res) if policy.statuses.contains(&res.status.as_u16()) => {
            match crate::retry::retry_after(&res.headers) {
                Some(asked) if asked > policy.max_retry_after => None,
                Some(asked) => Some(asked),
                None => Some(policy.backoff.delay(attempt, previous_wait)),
            }
        }
        Err(e) if policy.retries_error(e) => Some(policy.backoff.delay(attempt, previous_wait)),
        _ => None,
    }
}

/// The outcome of the last attempt, returned as the request's, with the attempt count (and, for
/// an error, why it was not retried).
fn settle(
    result: Result<Box<Response>, Error>,
    attempts: u32,
    refusal: &str,
) -> Result<Box<Response>, Error> {
    match result {
        Ok(mut res) => {
            res.attempts = attempts;
            res.body.set_attempts(attempts);
            Ok(res)
        }
        Err(e) => Err(e.explain(refusal).with_attempts(attempts)),
    }
}

/// What a hook is told about a retried outcome (a response's head only when there is a hook to
/// tell); a retried response's body is read to its end first, so its connection can be reused.
async fn retry_cause(result: Result<Box<Response>, Error>, hooked: bool) -> Option<RetryCause> {
    match result {
        Ok(mut res) => {
            let cause = hooked.then(|| RetryCause::Response {
                status: res.status,
                headers: std::mem::take(&mut res.headers),
                url: res.url.clone(),
                redirected: res.redirects > 0,
            });
            res.body.drain().await;
            cause
        }
        Err(e) => Some(RetryCause::Error(e)),
    }
}

/// The request the next attempt sends: its method, URL, headers and options shared by every
/// attempt; a buffered body is sent again, a streamed one once.
pub(crate) struct NextAttempt {
    /// The request without its body (that is `body`).
    head: Arc<Request>,
    body: Option<RequestBody>,
    settings: Effective,
}

impl NextAttempt {
    pub(crate) fn new(mut req: Request, settings: Effective) -> Self {
        let body = std::mem::take(&mut req.body);
        NextAttempt {
            head: Arc::new(req),
            body: Some(body),
            settings,
        }
    }

    /// The request the attempts are made for (the hook's replacement once it gave one).
    pub(crate) fn head(&self) -> &Arc<Request> {
        &self.head
    }

    /// The body of the next attempt.
    fn body(&mut self) -> RequestBody {
        match &self.body {
            Some(RequestBody::Bytes(b)) => RequestBody::Bytes(b.clone()),
            Some(RequestBody::Stream(_)) => self.body.take().unwrap_or_default(),
            _ => RequestBody::Empty,
        }
    }

    /// False once a streamed body has been sent.
    fn replayable(&self) -> bool {
        self.body.is_some()
    }

    fn method_allowed(&self, policy: &RetryPolicy) -> bool {
        self.settings.retry_non_idempotent || policy.allows(&self.head.method, &self.head.headers)
    }

    /// Takes a hook's changed request. The retry count and the total timeout stay the first
    /// request's (see [`Effective::for_replacement`]).
    fn replace(&mut self, changed: Request, config: &Config) {
        let settings = self.settings.for_replacement(&changed.options, config);
        *self = NextAttempt::new(changed, settings);
    }
}
