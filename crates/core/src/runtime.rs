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
//!
//! HTTP/2 runs on lanes of its own: single-threaded runtimes, each on one thread, started on
//! first use. An HTTP/2 connection's tasks (hyper's connection task, its dispatcher and a task
//! per stream) and the tasks of the requests and body reads that use it all wake each other
//! many times per response; on the shared runtime each wake-up could land on the other worker
//! and wake it, on a lane they run one after another on one thread. An origin's connection and
//! its requests meet on the same lane because both choose it from the origin
//! ([`Engine::http2_lane`]): origins are given lanes in turn as they are first seen, so the
//! first origins a program talks HTTP/2 to each get a lane of their own. A compressed body is
//! decoded on the shared runtime instead ([`crate::Body::read_lane`]): decoding is work for
//! the workers, not for a lane's thread, which its connections need for their I/O. HTTP/1.1
//! stays on the shared runtime, where a connection serves one request at a time and the work
//! spreads over all workers.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use futures_util::future::abortable;
pub use futures_util::future::AbortHandle;
use parking_lot::Mutex;
#[cfg(unix)]
use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::runtime::{EnterGuard, Handle, Runtime};

/// Where a task runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lane {
    /// The shared multi-threaded runtime.
    #[default]
    Shared,
    /// HTTP/2 lane `n` (see the module documentation).
    Http2(usize),
}

tokio::task_local! {
    /// The lane of the connection the current request has just opened, set by the connector:
    /// hyper spawns that connection's tasks right after, from inside the request's future.
    static OPENED: Cell<Option<Lane>>;
}

thread_local! {
    /// The lane this thread runs (`None` off the engine's threads, as on the runtimes of the
    /// engine's own tests, where tasks and sockets stay where they are made).
    static THREAD_LANE: Cell<Option<Lane>> = const { Cell::new(None) };
}

static ENGINE: OnceLock<Engine> = OnceLock::new();

/// The shared runtime and its intake (see the module documentation).
pub struct Engine {
    runtime: Runtime,
    /// Tasks spawned through [`Engine::spawn`] and not finished yet.
    running: Arc<AtomicUsize>,
    /// `None` where there are no Unix sockets: tasks are then spawned directly.
    intake: Option<Arc<Intake>>,
    /// How many HTTP/2 lanes there are, and their runtimes once the first is needed.
    http2_lanes: usize,
    http2: OnceLock<Vec<Handle>>,
    /// The lane each origin was given, when there is more than one lane.
    http2_origins: Mutex<LaneTable>,
}

/// The most origins [`Engine::http2_lane`] remembers; an origin first seen after that gets the
/// lane its hash picks, so a program that visits many origins (a crawler) does not grow the
/// table without bound.
const LANE_TABLE_MAX: usize = 4096;

/// The lanes given to origins so far, keyed by a hash of (host, port), and the lane the next
/// new origin gets.
#[derive(Default)]
struct LaneTable {
    lanes: HashMap<u64, usize>,
    next: usize,
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

/// How many threads the engine runs, as asked by whoever starts it ([`start`]); a field left
/// `None` takes its default. (The Node package takes them from its client options, else from
/// `HYPERHTTP_WORKER_THREADS` and `HYPERHTTP_HTTP2_LANES`, and bounds them.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Threads {
    /// Worker threads of the shared runtime, else [`default_worker_threads`]. 0 counts as not
    /// set.
    pub workers: Option<usize>,
    /// HTTP/2 lanes (see the module documentation), else one per two worker threads; 0 runs
    /// HTTP/2 on the shared runtime.
    pub http2_lanes: Option<usize>,
}

/// The shared engine, started on first use with the default [`Threads`] (or with the ones
/// given to [`start`] by whoever started it first).
///
/// ```no_run
/// use hyperhttp_core::runtime::Lane;
/// let task = hyperhttp_core::runtime::shared().spawn(Lane::Shared, async {});
/// task.abort();
/// ```
pub fn shared() -> &'static Engine {
    start(Threads::default())
}

/// The shared engine, started with `threads` if this is its first use. Later calls return the
/// same engine whatever they ask for.
pub fn start(threads: Threads) -> &'static Engine {
    ENGINE.get_or_init(|| {
        let workers = threads
            .workers
            .filter(|n| *n > 0)
            .unwrap_or_else(default_worker_threads);
        let http2_lanes = threads.http2_lanes.unwrap_or_else(|| workers.div_ceil(2));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("hyperhttp-worker")
            .on_thread_start(|| THREAD_LANE.set(Some(Lane::Shared)))
            .enable_all()
            .build()
            .expect("the tokio runtime can be created");
        let intake = Intake::start(&runtime);
        Engine {
            runtime,
            running: Arc::new(AtomicUsize::new(0)),
            intake,
            http2_lanes,
            http2: OnceLock::new(),
            http2_origins: Mutex::default(),
        }
    })
}

impl Engine {
    /// Runs `future` on `lane`; the handle cancels it (dropping the future) at any point.
    pub fn spawn<F>(&self, lane: Lane, future: F) -> AbortHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (future, handle) = abortable(future);
        if let Lane::Http2(n) = lane {
            drop(self.http2_handle(n).spawn(async move {
                // `Err` only says the task was aborted; there is nothing to report.
                let _ = future.await;
            }));
            return handle;
        }
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

    /// The lane for HTTP/2 connections to `host` and `port` (the scheme's default when the
    /// URL names none) and for the requests that use them: the same origin always gets the
    /// same lane. New origins get the lanes in turn, so with `n` lanes the first `n` origins
    /// each have one of their own; after 4,096 origins (`LANE_TABLE_MAX`), a new one gets the
    /// lane its hash picks. [`Lane::Shared`] when there are no lanes.
    pub fn http2_lane(&self, host: &str, port: u16) -> Lane {
        match self.http2_lanes {
            0 => return Lane::Shared,
            1 => return Lane::Http2(0),
            _ => {}
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .hash(&mut hasher);
        port.hash(&mut hasher);
        let key = hasher.finish();
        let mut table = self.http2_origins.lock();
        if let Some(&n) = table.lanes.get(&key) {
            return Lane::Http2(n);
        }
        if table.lanes.len() >= LANE_TABLE_MAX {
            // The remainder is below the lane count, a usize.
            return Lane::Http2((key % self.http2_lanes as u64) as usize);
        }
        let n = table.next;
        table.next = (n + 1) % self.http2_lanes;
        table.lanes.insert(key, n);
        Lane::Http2(n)
    }

    /// Lane `n`'s runtime, starting the lanes' threads on first use.
    fn http2_handle(&self, n: usize) -> &Handle {
        let lanes = self.http2.get_or_init(|| {
            (0..self.http2_lanes.max(1))
                .map(|n| {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("an HTTP/2 lane's runtime can be created");
                    let handle = runtime.handle().clone();
                    std::thread::Builder::new()
                        .name("hyperhttp-http2".into())
                        .spawn(move || {
                            THREAD_LANE.set(Some(Lane::Http2(n)));
                            runtime.block_on(std::future::pending::<()>());
                        })
                        .expect("an HTTP/2 lane's thread can be started");
                    handle
                })
                .collect()
        });
        &lanes[n % lanes.len()]
    }

    /// Enters the runtime on this thread, for code that must be called inside one (building
    /// a client).
    pub fn enter(&self) -> EnterGuard<'_> {
        self.runtime.enter()
    }
}

/// Runs `future` with room for the lane of the connection it opens ([`opened`]), so that the
/// connection's tasks start on that lane ([`LaneExecutor`]).
pub(crate) fn opening<F: Future>(future: F) -> impl Future<Output = F::Output> {
    OPENED.scope(Cell::new(None), future)
}

/// The lane for an HTTP/2 connection to `host` and `port` opened on this thread: its origin's
/// ([`Engine::http2_lane`]) on the engine's threads, [`Lane::Shared`] elsewhere.
pub(crate) fn http2_lane_here(host: &str, port: u16) -> Lane {
    match THREAD_LANE.get() {
        Some(_) => shared().http2_lane(host, port),
        None => Lane::Shared,
    }
}

/// The lane of this thread: where a socket opened here is registered. [`Lane::Shared`] off the
/// engine's threads.
pub(crate) fn here() -> Lane {
    THREAD_LANE.get().unwrap_or_default()
}

/// A connected socket that can be registered with another runtime's reactor.
pub(crate) trait Movable: Sized {
    /// This socket, registered with the reactor of the runtime entered on this thread.
    fn reregister(self) -> std::io::Result<Self>;
}

impl Movable for TcpStream {
    fn reregister(self) -> std::io::Result<Self> {
        TcpStream::from_std(self.into_std()?)
    }
}

#[cfg(unix)]
impl Movable for tokio::net::UnixStream {
    fn reregister(self) -> std::io::Result<Self> {
        tokio::net::UnixStream::from_std(self.into_std()?)
    }
}

/// Moves a connected socket to `lane`'s reactor, so that its readiness wakes the thread that
/// runs its connection, unless this thread already runs `lane` (or is not the engine's).
pub(crate) fn adopt<S: Movable>(lane: Lane, socket: S) -> std::io::Result<S> {
    match THREAD_LANE.get() {
        Some(here) if here != lane => {
            let engine = shared();
            let _inside = match lane {
                Lane::Http2(n) => engine.http2_handle(n).enter(),
                Lane::Shared => engine.runtime.enter(),
            };
            socket.reregister()
        }
        _ => Ok(socket),
    }
}

/// Records, inside [`opening`], that the request has opened a connection that runs on `lane`.
pub(crate) fn opened(lane: Lane) {
    let _ = OPENED.try_with(|opened| opened.set(Some(lane)));
}

/// hyper's executor: a connection's tasks start on the lane its opener recorded ([`opened`]);
/// every other task (an HTTP/2 connection's stream tasks, spawned from its dispatcher) starts on
/// the runtime it is spawned from, as with hyper-util's `TokioExecutor`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LaneExecutor;

impl<F> hyper::rt::Executor<F> for LaneExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        let lane = OPENED.try_with(Cell::get).ok().flatten();
        match (lane, THREAD_LANE.get()) {
            (Some(lane), Some(here)) if lane != here => {
                let engine = shared();
                match lane {
                    Lane::Http2(n) => drop(engine.http2_handle(n).spawn(future)),
                    Lane::Shared => drop(engine.runtime.spawn(future)),
                }
            }
            _ => drop(tokio::spawn(future)),
        }
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

/// One engine thread per processor but one, which is left to the JavaScript thread (at least
/// one engine thread): see [`workers_for_processors`].
pub fn default_worker_threads() -> usize {
    workers_for_processors(std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The engine threads [`default_worker_threads`] starts on `processors` processors: one fewer,
/// at least one. The JavaScript thread is busy whenever the engine is (it starts every request
/// and takes every response), so a worker per processor made one busy thread more than there
/// are processors (three on two). Measured on 2 processors in December 2026 (README, Known
/// gaps), one worker against two was level or ahead in requests per second in every cell
/// timed before the change (1.40x at HTTP/1.1 1 MiB against nginx) with a shorter p99 over
/// TLS; HTTP/2 does not use these workers once its connection is open (it runs on a lane),
/// and measured level after the change within the spread between processes. (Earlier rounds,
/// before HTTP/2 had lanes of its own and before the facade's live-exchange table, had found
/// one fewer thread 9-15 % slower over HTTP/1.1.)
pub fn workers_for_processors(processors: usize) -> usize {
    processors.saturating_sub(1).max(1)
}

#[cfg(test)]
mod tests {
    use super::workers_for_processors;

    #[test]
    fn the_default_leaves_a_processor_to_javascript_but_keeps_one_worker() {
        assert_eq!(workers_for_processors(0), 1);
        assert_eq!(workers_for_processors(1), 1);
        assert_eq!(workers_for_processors(2), 1);
        assert_eq!(workers_for_processors(4), 3);
        assert_eq!(workers_for_processors(64), 63);
    }
}
