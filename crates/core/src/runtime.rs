//! The process-wide tokio runtime every client runs on.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

/// Environment variable that sets the number of worker threads.
pub const WORKER_THREADS_ENV: &str = "HYPERHTTP_WORKER_THREADS";

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The shared runtime, created on first use with `worker_threads` threads (or the value of
/// `HYPERHTTP_WORKER_THREADS`, or [`default_worker_threads`]). Later calls return the same
/// runtime whatever they ask for.
pub fn shared(worker_threads: Option<usize>) -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        let threads = worker_threads
            .or_else(|| {
                std::env::var(WORKER_THREADS_ENV)
                    .ok()
                    .and_then(|v| v.parse().ok())
            })
            .filter(|n| *n > 0)
            .unwrap_or_else(default_worker_threads);
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("hyperhttp-worker")
            .enable_all()
            .build()
            .expect("the tokio runtime can be created")
    })
}

/// One engine thread per processor but one, and at least one: the JavaScript thread that
/// starts requests and takes their results needs a processor too. With one request at a time
/// a second idle engine thread only adds wake-ups (measured on 2 processors: about 5.1
/// against 3.9 context switches per request, p50 171 against 161 µs, and the same CPU per
/// request at 64 in flight).
pub fn default_worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}
