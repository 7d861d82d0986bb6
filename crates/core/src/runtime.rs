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

/// One engine thread per processor. One fewer (leaving a processor to the JavaScript thread)
/// was tried: with one request at a time it saves wake-ups (on 2 processors about 3.9 against
/// 5.1 context switches per request, p50 161 against 171 µs), but at 64 in flight it gave
/// 9-14 % fewer requests per second at the same CPU per request (HTTP/1.1, 200 B), so the
/// concurrent case keeps the thread.
pub fn default_worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
