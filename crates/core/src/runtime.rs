//! The process-wide tokio runtime every client runs on.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

/// Environment variable that sets the number of worker threads.
pub const WORKER_THREADS_ENV: &str = "HYPERHTTP_WORKER_THREADS";

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The shared runtime, created on first use with `worker_threads` threads (or the value of
/// `HYPERHTTP_WORKER_THREADS`, or the machine's parallelism). Later calls return the same
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
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("hyperhttp-worker")
            .enable_all()
            .build()
            .expect("the tokio runtime can be created")
    })
}
