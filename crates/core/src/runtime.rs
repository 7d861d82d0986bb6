//! The process-wide tokio runtime every client runs on, and the way tasks enter it.
//!
//! Tasks started from outside the runtime (every request comes from the JavaScript thread)
//! are spawned into it from outside, which wakes an idle worker as a "searching" worker; one
//! that finds work wakes a second worker to keep searching, which finds none and sleeps again.
//! With one request at a time on 2 processors that was about one wasted thread wake-up per
//! request (3.1 engine-thread sleeps per request instead of 2). So while the engine is idle
//! the task is queued instead and a byte is written to a socket that a long-lived intake task
//! waits on: the worker that wakes for it wakes as for any I/O, searches for nothing, and
//! spawns the task on itself. While tasks are running, workers are awake or about to be and
//! the wake-up would cost more than it saves (a write and a read per batch: 1-2 µs more CPU
//! per request at 64 in flight), so tasks are spawned directly.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use futures_util::future::abortable;
pub use futures_util::future::AbortHandle;
use parking_lot::Mutex;
#[cfg(unix)]
use tokio::io::Interest;
use tokio::runtime::{EnterGuard, Runtime};

/// Environment variable that sets the number of worker threads.
pub const WORKER_THREADS_ENV: &str = "HYPERHTTP_WORKER_THREADS";

static ENGINE: OnceLock<Engine> = OnceLock::new();

/// The shared runtime and its intake (see the module documentation).
pub struct Engine {
    runtime: Runtime,
    /// Tasks spawned through [`Engine::spawn`] and not finished yet.
    running: Arc<AtomicUsize>,
    /// `None` where there are no Unix sockets: tasks are then spawned directly.
    intake: Option<Arc<Intake>>,
}

/// Counts a task as running until dropped (when it ends or is aborted).
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Tasks waiting for the intake task, and the bell that wakes it.
struct Intake {
    jobs: Mutex<Vec<Job>>,
    /// A wake-up byte has been written since the intake task last took the jobs.
    rung: AtomicBool,
    #[cfg(unix)]
    bell: std::os::unix::net::UnixStream,
}

/// The shared engine, created on first use with `worker_threads` threads (or the value of
/// `HYPERHTTP_WORKER_THREADS`, or [`default_worker_threads`]). Later calls return the same
/// engine whatever they ask for.
///
/// ```no_run
/// let task = hyperhttp_core::runtime::shared(None).spawn(async {});
/// task.abort();
/// ```
pub fn shared(worker_threads: Option<usize>) -> &'static Engine {
    ENGINE.get_or_init(|| {
        let threads = worker_threads
            .or_else(|| {
                std::env::var(WORKER_THREADS_ENV)
                    .ok()
                    .and_then(|v| v.parse().ok())
            })
            .filter(|n| *n > 0)
            .unwrap_or_else(default_worker_threads);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("hyperhttp-worker")
            .enable_all()
            .build()
            .expect("the tokio runtime can be created");
        let intake = Intake::start(&runtime);
        Engine {
            runtime,
            running: Arc::new(AtomicUsize::new(0)),
            intake,
        }
    })
}

impl Engine {
    /// Runs `future` on the runtime; the handle cancels it (dropping the future) at any point.
    pub fn spawn<F>(&self, future: F) -> AbortHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (future, handle) = abortable(future);
        // One task may still be running: the previous request's, which delivered its response
        // and is about to end as the next request is spawned.
        let idle = self.running.fetch_add(1, Ordering::AcqRel) < 2;
        let running = Running(self.running.clone());
        let job = async move {
            let _running = running;
            // `Err` only says the task was aborted; there is nothing to report.
            let _ = future.await;
        };
        match &self.intake {
            Some(intake) if idle => intake.push(Box::pin(job)),
            _ => drop(self.runtime.spawn(job)),
        }
        handle
    }

    /// Enters the runtime on this thread, for code that must be called inside one (building
    /// a client).
    pub fn enter(&self) -> EnterGuard<'_> {
        self.runtime.enter()
    }
}

impl Intake {
    #[cfg(unix)]
    fn start(runtime: &Runtime) -> Option<Arc<Intake>> {
        let (bell, ear) = std::os::unix::net::UnixStream::pair().ok()?;
        bell.set_nonblocking(true).ok()?;
        ear.set_nonblocking(true).ok()?;
        let ear = {
            let _inside = runtime.enter();
            tokio::net::UnixStream::from_std(ear).ok()?
        };
        let intake = Arc::new(Intake {
            jobs: Mutex::new(Vec::new()),
            rung: AtomicBool::new(false),
            bell,
        });
        runtime.spawn(intake.clone().listen(ear));
        Some(intake)
    }

    #[cfg(not(unix))]
    fn start(_runtime: &Runtime) -> Option<Arc<Intake>> {
        None
    }

    fn push(&self, job: Job) {
        self.jobs.lock().push(job);
        if !self.rung.swap(true, Ordering::AcqRel) {
            self.ring();
        }
    }

    #[cfg(unix)]
    fn ring(&self) {
        use std::io::Write;
        // A full socket already holds a wake-up, and the intake task lives as long as the
        // process (the socket's other end with it), so there is no failure to act on.
        let _ = (&self.bell).write(&[1]);
    }

    /// Never called: without Unix sockets there is no intake.
    #[cfg(not(unix))]
    fn ring(&self) {}

    /// The intake task: on each wake-up, spawns the queued jobs on this worker.
    #[cfg(unix)]
    async fn listen(self: Arc<Self>, ear: tokio::net::UnixStream) {
        let mut drained = [0u8; 64];
        while ear.readable().await.is_ok() {
            // A short read has emptied the socket. Answering WouldBlock for it clears tokio's
            // readiness, which otherwise takes one more read that finds nothing: one read per
            // wake-up instead of two (with one request at a time, one per request).
            let _ = ear.try_io(Interest::READABLE, || match ear.try_read(&mut drained) {
                Ok(n) if n == drained.len() => Ok(()),
                Ok(_) => Err(std::io::ErrorKind::WouldBlock.into()),
                Err(e) => Err(e),
            });
            // Cleared before the jobs are taken: a job pushed after the take rings again.
            self.rung.store(false, Ordering::Release);
            let jobs = std::mem::take(&mut *self.jobs.lock());
            for job in jobs {
                tokio::spawn(job);
            }
        }
    }
}

/// One engine thread per processor. One fewer (leaving a processor to the JavaScript thread)
/// was tried on 2 processors: it gains for HTTP/2 (+2 to +17 % against nginx at 64 in flight,
/// where two engine threads spend a tenth of the client's time waking each other) but costs
/// HTTP/1.1 (9-14 % fewer requests per second at 200 B on one machine, 13-15 % at 1 MiB
/// against nginx on another), so the default keeps the thread.
pub fn default_worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
