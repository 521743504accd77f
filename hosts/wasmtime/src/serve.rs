//! The webhook endpoint of `forgelink-host serve`: the npm package's `webhookHandler`, natively.
//!
//! An [`Endpoint`] listens on one address, reads each `POST` (its body capped), and hands it to
//! a pool of worker threads, each with its own [`Plugin`] over one shared store and key.
//! A worker calls `receive-webhook` with the URL the delivery arrived at, answers the
//! provider as `webhookHandler` does, and hands each new event over (a line on stdout or a
//! `POST` to a URL, see [`Handover`]) before it confirms the delivery:
//!
//! | Receipt | Answer |
//! | --- | --- |
//! | accepted, handed over | 200 `{"status":"accepted"}`, after `confirm-delivery` |
//! | accepted, handing over failed | 503 `Retry-After: 5`, after `release-delivery` |
//! | accepted without a claim (an unsigned ping) | 200, not handed over |
//! | duplicate | 200 `{"status":"duplicate"}` |
//! | pending (another worker or host is handling a copy) | 503, `Retry-After` from the receipt |
//! | rejected: `webhook.unknown_route` | 404 |
//! | rejected: a signature code | 401 |
//! | rejected: `webhook.body_too_large`, or a body over the cap | 413 |
//! | rejected otherwise, or an `input.invalid` error | 400 `{"status":"rejected","code"}` |
//! | any other error (storage down), a trap | 503 `Retry-After: 5` |
//! | not `POST` | 405 `Allow: POST` |
//!
//! Every authentic delivery is handled at least once and accepted as new at most once per
//! dedupe window: an event is confirmed only once it was handed over, and a copy that arrives
//! meanwhile is told to come back rather than dropped.
//!
//! The sockets run on one thread (tokio, hyper); a request reaches a worker only once its whole
//! body has arrived, so a slow upload holds no instance. Problems are written to stderr, without
//! secrets.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Map, Value};
use tokio::sync::{oneshot, watch, Notify, Semaphore};

use crate::http::HttpClient;
use crate::{json, wit, HostError, HostState, Plugin, Runtime};

/// The default cap on a delivery's body: GitHub's own, 25 MiB; no provider sends more.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 25 * 1024 * 1024;

/// After a failure here (storage down, handing over failed), when the provider should retry.
const FAILURE_RETRY_SECONDS: i64 = 5;

/// How long a client may take to send a request's headers (hyper's own default), and its body.
/// A provider sends a delivery at once; these only bound what a stalled client can hold.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest request head, start line included. Deliveries carry a few headers of a few
/// hundred bytes; node's own limit is 16 KiB.
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The most connections open at once. Each costs a task and its buffers, not a thread; past
/// this, new connections wait in the listen queue.
const MAX_CONNECTIONS: usize = 1024;

/// How much of a body past the cap is read and dropped before answering 413. Closing a socket
/// with unread data makes the kernel reset the connection, which can destroy the answer before
/// the client reads it; past this amount the answer is sent and the connection closed anyway.
const DRAIN_BYTES: u64 = 1024 * 1024;

/// How long to wait before accepting again after `accept` failed (out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Where the event of each new delivery goes before the delivery is confirmed.
pub enum Handover {
    /// One line of JSON on stdout per event, `{"connectionId", "project", "event"}` with the
    /// npm package's field names. Each line is written and flushed whole while stdout is
    /// locked, so lines of concurrent workers never interleave; a failed write (stdout closed)
    /// releases the delivery.
    Stdout,
    /// A `POST` of that JSON to `url` with `client`; a 2xx answer means the event was handled,
    /// anything else (or no answer) releases the delivery.
    Forward {
        /// Where to send each event.
        url: String,
        /// The client that sends it: its timeouts, proxy and address policy apply.
        client: HttpClient,
    },
}

/// How an [`Endpoint`] works.
pub struct ServeConfig {
    /// How many worker threads, each with its own instance of the component.
    pub workers: usize,
    /// The largest body read; a larger one is answered 413.
    pub max_body_bytes: u64,
    /// What `receive-webhook` is called with.
    pub receive: wit::ReceiveOptions,
    /// Where new events go.
    pub handover: Handover,
    /// Stop (as [`Shutdown::trigger`] does) on SIGTERM and SIGINT.
    pub stop_on_signals: bool,
}

impl Default for ServeConfig {
    /// As many workers as the machine runs threads at once (at least 2, so one slow handover
    /// never stalls every delivery), a 25 MiB cap, the component's receive defaults, events on
    /// stdout, and no signal handling.
    fn default() -> Self {
        ServeConfig {
            workers: default_workers(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            receive: wit::ReceiveOptions {
                dedupe_seconds: None,
                handling_seconds: None,
                allow_unsigned_ping: false,
                tolerance_seconds: None,
            },
            handover: Handover::Stdout,
            stop_on_signals: false,
        }
    }
}

/// The default number of workers: the machine's available parallelism, at least 2.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).max(2)
}

/// Why an endpoint could not start or run.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be listened on.
    Listen(io::Error),
    /// An instance of the component could not be made.
    Instantiate(HostError),
    /// The endpoint's threads, event loop or signal handlers could not be set up.
    Start(io::Error),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Listen(error) => write!(f, "cannot listen: {error}"),
            ServeError::Instantiate(error) => fmt::Display::fmt(error, f),
            ServeError::Start(error) => write!(f, "cannot start the endpoint: {error}"),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Listen(error) | ServeError::Start(error) => Some(error),
            ServeError::Instantiate(error) => Some(error),
        }
    }
}

/// Stops a running [`Endpoint`]: it stops accepting connections, lets the requests under way
/// finish (each is answered, its event handed over and confirmed or released), closes idle
/// connections, and returns from [`Endpoint::run`]. Clones stop the same endpoint.
#[derive(Clone, Debug)]
pub struct Shutdown {
    sender: Arc<watch::Sender<bool>>,
}

impl Shutdown {
    /// A handle that has not been triggered.
    pub fn new() -> Self {
        Shutdown { sender: Arc::new(watch::Sender::new(false)) }
    }

    /// Stops the endpoint; from any thread, any number of times.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds the host state of one instance: the same store and key for all of them.
type HostFactory<'r> = Box<dyn Fn() -> HostState + Send + Sync + 'r>;

/// A webhook endpoint bound to its address, with its instances made: [`Endpoint::bind`], then
/// [`Endpoint::local_addr`] to learn the port, then [`Endpoint::run`] until a [`Shutdown`].
/// Connections that arrive between the two wait in the listen queue.
pub struct Endpoint<'r> {
    runtime: &'r Runtime,
    host: HostFactory<'r>,
    listener: TcpListener,
    address: SocketAddr,
    plugins: Vec<Plugin>,
    config: ServeConfig,
}

impl<'r> Endpoint<'r> {
    /// Listens on `address` and makes `config.workers` instances (at least one) of `runtime`,
    /// each over the state `host` builds. `host` is called again to replace an instance that
    /// trapped.
    pub fn bind(
        address: impl ToSocketAddrs,
        runtime: &'r Runtime,
        host: impl Fn() -> HostState + Send + Sync + 'r,
        config: ServeConfig,
    ) -> Result<Self, ServeError> {
        let listener = TcpListener::bind(address).map_err(ServeError::Listen)?;
        let address = listener.local_addr().map_err(ServeError::Listen)?;
        let plugins = (0..config.workers.max(1))
            .map(|_| runtime.instantiate(host()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ServeError::Instantiate)?;
        Ok(Endpoint { runtime, host: Box::new(host), listener, address, plugins, config })
    }

    /// The address listened on, with the real port when bound to port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Serves deliveries until `shutdown` is triggered (or, with
    /// [`ServeConfig::stop_on_signals`], a signal arrives), then returns once the requests
    /// under way are answered.
    pub fn run(self, shutdown: &Shutdown) -> Result<(), ServeError> {
        let Endpoint { runtime, host, listener, address: _, plugins, config } = self;
        listener.set_nonblocking(true).map_err(ServeError::Start)?;
        let handling = Handling { receive: config.receive, handover: config.handover };
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Mutex::new(queue);
        std::thread::scope(|scope| {
            for (n, plugin) in plugins.into_iter().enumerate() {
                let (host, queue, handling) = (&host, &queue, &handling);
                std::thread::Builder::new()
                    .name(format!("forgelink-worker-{n}"))
                    .spawn_scoped(scope, move || work(runtime, host, plugin, queue, handling))
                    .map_err(ServeError::Start)?;
            }
            // Built and dropped inside the scope: dropping it drops every connection task and
            // with them the last senders of `jobs`, which lets the workers end.
            let sockets = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(ServeError::Start)?;
            let shared = Arc::new(Shared { jobs, max_body_bytes: config.max_body_bytes });
            let outcome =
                sockets.block_on(accept(listener, shared, shutdown, config.stop_on_signals));
            drop(sockets);
            outcome.map_err(ServeError::Start)
        })
    }
}

/// What every connection task shares.
struct Shared {
    jobs: mpsc::Sender<Job>,
    max_body_bytes: u64,
}

/// A delivery whose body has arrived, for a worker.
struct Job {
    /// The URL it arrived at, whose last path segment is the route.
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    reply: oneshot::Sender<Answer>,
}

/// What the provider is told.
struct Answer {
    status: StatusCode,
    retry_after: Option<i64>,
    allow_post: bool,
    body: Value,
}

impl Answer {
    fn new(status: StatusCode, body: Value) -> Self {
        Answer { status, retry_after: None, allow_post: false, body }
    }

    fn accepted() -> Self {
        Self::new(StatusCode::OK, json!({ "status": "accepted" }))
    }

    fn duplicate() -> Self {
        Self::new(StatusCode::OK, json!({ "status": "duplicate" }))
    }

    /// An authentic delivery of a GitHub App's webhook about an installation no connection
    /// holds: answered so that GitHub does not retry, never handed over.
    fn ignored() -> Self {
        Self::new(StatusCode::ACCEPTED, json!({ "status": "ignored" }))
    }

    fn rejected(status: StatusCode, code: Option<&str>) -> Self {
        let mut body = Map::new();
        body.insert("status".into(), Value::from("rejected"));
        if let Some(code) = code {
            body.insert("code".into(), Value::from(code));
        }
        Self::new(status, Value::Object(body))
    }

    /// 503 with `Retry-After`, in whole seconds, at least one (as npm rounds it).
    fn retry(seconds: i64) -> Self {
        Answer {
            retry_after: Some(seconds.max(1)),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, json!({ "status": "retry" }))
        }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body.to_string())));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(seconds) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.allow_post {
            headers.insert(ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// The HTTP status of a rejection, as `webhookHandler` answers it.
fn rejection_status(code: Option<&str>) -> StatusCode {
    match code {
        Some("webhook.unknown_route") => StatusCode::NOT_FOUND,
        Some(
            "webhook.missing_signature"
            | "webhook.signature_mismatch"
            | "webhook.malformed_signature"
            | "webhook.no_secret"
            | "webhook.timestamp_out_of_range",
        ) => StatusCode::UNAUTHORIZED,
        Some("webhook.body_too_large") => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// Writes one line on stderr; a closed stderr loses it, nothing else.
fn report(message: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "forgelink-host: {message}");
}

// The sockets.

/// Counts what is under way (connections), so that a shutdown can wait for it.
#[derive(Default)]
struct Tracker {
    count: AtomicUsize,
    idle: Notify,
}

struct Tracked(Arc<Tracker>);

impl Tracker {
    fn enter(self: &Arc<Self>) -> Tracked {
        self.count.fetch_add(1, Ordering::SeqCst);
        Tracked(Arc::clone(self))
    }

    async fn settled(&self) {
        loop {
            // Registered before the count is read, so that a last exit in between still wakes
            // this wait.
            let mut notified = pin!(self.idle.notified());
            notified.as_mut().enable();
            if self.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Resolves once `stop` says so; never, if every handle is gone (nobody can stop it then).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Triggers `shutdown` on SIGTERM or SIGINT. The handlers are installed before this returns,
/// so that a signal sent right after the endpoint says it listens is not lost.
fn watch_signals(shutdown: Shutdown) -> io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            let name = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            };
            report(format_args!("{name}: stopping once the requests under way are answered"));
            shutdown.trigger();
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                report(format_args!(
                    "interrupted: stopping once the requests under way are answered"
                ));
                shutdown.trigger();
            }
        })
    }
}

async fn accept(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: &Shutdown,
    stop_on_signals: bool,
) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    if stop_on_signals {
        tokio::spawn(watch_signals(shutdown.clone())?);
    }
    let mut stop = shutdown.sender.subscribe();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let connections = Arc::new(Tracker::default());
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
            () = stopped(&mut stop) => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    report(format_args!("cannot accept a connection: {error}"));
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let tracked = connections.enter();
        let (shared, stop) = (Arc::clone(&shared), stop.clone());
        tokio::spawn(async move {
            serve_connection(stream, shared, stop).await;
            drop((slot, tracked));
        });
    }
    drop(listener);
    connections.settled().await;
    Ok(())
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let service = service_fn(move |request| respond(request, Arc::clone(&shared)));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES);
    let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
    // A connection that fails (the client left, a malformed request, a timeout) has nothing
    // to tell anyone: hyper answered what could be answered.
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stopped(&mut stop) => {
            // Finishes the request under way, if any, then closes; an idle one closes now.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// What became of a request's body.
enum BodyRead {
    Whole(Vec<u8>),
    TooLarge,
    /// The client broke off, or sent broken framing.
    Broken,
    TimedOut,
}

/// Reads the body, keeping at most `limit` bytes; past them it reads and drops up to `drain`
/// more, so that the 413 reaches the client (see [`DRAIN_BYTES`]), and stops there.
async fn read_body(body: Incoming, limit: u64, drain: u64) -> BodyRead {
    let read = async {
        let mut body = body;
        let mut kept = Vec::new();
        let mut dropped = 0u64;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return BodyRead::Broken };
            // Trailers carry nothing a delivery is verified with.
            let Ok(data) = frame.into_data() else { continue };
            let length = u64::try_from(data.len()).unwrap_or(u64::MAX);
            let total = u64::try_from(kept.len()).unwrap_or(u64::MAX).saturating_add(length);
            if dropped > 0 || total > limit {
                kept = Vec::new();
                dropped = dropped.saturating_add(length);
                if dropped > drain {
                    return BodyRead::TooLarge;
                }
            } else {
                kept.extend_from_slice(&data);
            }
        }
        if dropped > 0 {
            BodyRead::TooLarge
        } else {
            BodyRead::Whole(kept)
        }
    };
    tokio::time::timeout(BODY_READ_TIMEOUT, read).await.unwrap_or(BodyRead::TimedOut)
}

async fn respond(
    request: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(answer(request, &shared).await.into_response())
}

async fn answer(request: Request<Incoming>, shared: &Shared) -> Answer {
    if request.method() != Method::POST {
        return Answer {
            allow_post: true,
            ..Answer::rejected(StatusCode::METHOD_NOT_ALLOWED, None)
        };
    }
    let too_large =
        || Answer::rejected(StatusCode::PAYLOAD_TOO_LARGE, Some("webhook.body_too_large"));
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    let limit = shared.max_body_bytes;
    if let Some(declared) = declared.filter(|declared| *declared > limit) {
        if declared - limit <= DRAIN_BYTES {
            // Read it (and drop it) so the answer is not lost to a reset; see DRAIN_BYTES.
            read_body(request.into_body(), 0, declared).await;
        }
        return too_large();
    }
    // The component reads the route from the last segment of an absolute URL; the host part
    // is not looked at (npm's middleware does the same with `http://localhost`).
    let target = request.uri().path_and_query().map_or("/", |target| target.as_str());
    let url = format!("http://localhost{target}");
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();
    let body = match read_body(request.into_body(), limit, DRAIN_BYTES).await {
        BodyRead::Whole(body) => body,
        BodyRead::TooLarge => return too_large(),
        BodyRead::Broken => return Answer::rejected(StatusCode::BAD_REQUEST, None),
        BodyRead::TimedOut => return Answer::rejected(StatusCode::REQUEST_TIMEOUT, None),
    };
    let (reply, answered) = oneshot::channel();
    if shared.jobs.send(Job { url, headers, body, reply }).is_err() {
        return Answer::retry(FAILURE_RETRY_SECONDS);
    }
    // No answer means the worker failed past recovery; the provider tries again.
    answered.await.unwrap_or_else(|_| Answer::retry(FAILURE_RETRY_SECONDS))
}

// The workers.

/// What the workers do with a delivery.
struct Handling {
    receive: wit::ReceiveOptions,
    handover: Handover,
}

/// One worker: takes jobs until the queue closes, with its own instance, replaced when it
/// trapped.
fn work(
    runtime: &Runtime,
    host: &HostFactory<'_>,
    plugin: Plugin,
    queue: &Mutex<mpsc::Receiver<Job>>,
    handling: &Handling,
) {
    let mut plugin = Some(plugin);
    loop {
        // The lock is held only while waiting: the next idle worker takes the next job.
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        let instance = match plugin.as_mut() {
            Some(instance) => instance,
            None => match runtime.instantiate(host()) {
                Ok(instance) => plugin.insert(instance),
                Err(error) => {
                    report(format_args!("cannot make a new instance: {error}"));
                    let _ = job.reply.send(Answer::retry(FAILURE_RETRY_SECONDS));
                    continue;
                }
            },
        };
        // A panic here is a bug; it must cost one answer, not the worker.
        let delivered = catch_unwind(AssertUnwindSafe(|| deliver(instance, &job, handling)));
        let answer = match delivered {
            Ok((answer, Instance::Usable)) => answer,
            Ok((answer, Instance::Trapped)) => {
                plugin = None;
                answer
            }
            Err(_) => {
                report(format_args!("a worker failed on a delivery; it is answered with a retry"));
                plugin = None;
                Answer::retry(FAILURE_RETRY_SECONDS)
            }
        };
        // The client may have gone; the outcome stands either way.
        let _ = job.reply.send(answer);
    }
}

/// Whether an instance can take the next delivery.
enum Instance {
    Usable,
    /// It trapped, which leaves it unusable: the worker makes a new one.
    Trapped,
}

fn trapped(stage: &str, error: &HostError) -> Instance {
    report(format_args!("{stage}: {error}"));
    Instance::Trapped
}

/// Receives one delivery, hands its event over if it is new, and confirms or releases it.
fn deliver(plugin: &mut Plugin, job: &Job, handling: &Handling) -> (Answer, Instance) {
    let retry = || Answer::retry(FAILURE_RETRY_SECONDS);
    let receipt = match plugin.receive_webhook(&job.url, &job.headers, &job.body, handling.receive)
    {
        Ok(Ok(receipt)) => receipt,
        Ok(Err(error)) if error.code == "input.invalid" => {
            return (
                Answer::rejected(StatusCode::BAD_REQUEST, Some(&error.code)),
                Instance::Usable,
            );
        }
        Ok(Err(error)) => {
            report(format_args!("cannot receive a delivery: {}: {}", error.code, error.message));
            return (retry(), Instance::Usable);
        }
        Err(error) => return (retry(), trapped("receiving a delivery", &error)),
    };
    match receipt.status {
        wit::ReceiptStatus::Rejected => {
            let code = receipt.code.as_deref();
            return (Answer::rejected(rejection_status(code), code), Instance::Usable);
        }
        wit::ReceiptStatus::Duplicate => return (Answer::duplicate(), Instance::Usable),
        // Nothing was claimed, so there is nothing to confirm or release.
        wit::ReceiptStatus::Ignored => return (Answer::ignored(), Instance::Usable),
        wit::ReceiptStatus::Pending => {
            let seconds = receipt.retry_after_seconds.unwrap_or(FAILURE_RETRY_SECONDS);
            return (Answer::retry(seconds), Instance::Usable);
        }
        wit::ReceiptStatus::Accepted => {}
    }
    // An unsigned ping proves nothing: it is answered, never handed over.
    let Some(claim) = receipt.claim.as_deref() else {
        return (Answer::accepted(), Instance::Usable);
    };
    let connection = receipt.connection_id.as_deref().unwrap_or("?");
    if let Err(why) = hand_over(&receipt, &handling.handover) {
        report(format_args!(
            "the event of connection {connection} was not handled ({why}); released for redelivery"
        ));
        return match plugin.release_delivery(claim) {
            Ok(Ok(())) => (retry(), Instance::Usable),
            Ok(Err(error)) => {
                // The claim then lapses after the handling time, and a redelivery is taken.
                report(format_args!("cannot release it: {}: {}", error.code, error.message));
                (retry(), Instance::Usable)
            }
            Err(error) => (retry(), trapped("releasing a delivery", &error)),
        };
    }
    match plugin.confirm_delivery(claim) {
        Ok(Ok(true)) => (Answer::accepted(), Instance::Usable),
        Ok(Ok(false)) => {
            report(format_args!(
                "the event of connection {connection} was handled after its claim lapsed: another \
                 host may have handled it too; raise --handling-seconds above the longest handover"
            ));
            (Answer::accepted(), Instance::Usable)
        }
        Ok(Err(error)) => {
            // Handled, but not remembered: a redelivery after the handling time would be
            // handled again, which at-least-once allows. The provider is told it was handled.
            report(format_args!("cannot confirm a delivery: {}: {}", error.code, error.message));
            (Answer::accepted(), Instance::Usable)
        }
        Err(error) => (Answer::accepted(), trapped("confirming a delivery", &error)),
    }
}

/// `{"connectionId", "project", "event"}`: what is handed over for an accepted delivery.
pub fn handover_json(receipt: &wit::Receipt) -> Value {
    let mut object = Map::new();
    object.insert("connectionId".into(), Value::from(receipt.connection_id.clone()));
    object.insert("project".into(), Value::from(receipt.project.clone()));
    object.insert("event".into(), receipt.event.as_ref().map_or(Value::Null, json::webhook_event));
    Value::Object(object)
}

fn hand_over(receipt: &wit::Receipt, handover: &Handover) -> Result<(), String> {
    let line = handover_json(receipt).to_string();
    match handover {
        Handover::Stdout => {
            let mut stdout = io::stdout().lock();
            stdout
                .write_all(format!("{line}\n").as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|error| format!("cannot write to stdout: {error}"))
        }
        Handover::Forward { url, client } => {
            let request = wit::Request {
                method: "POST".into(),
                url: url.clone(),
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: Some(line.into_bytes()),
            };
            // The URL is left out of messages: it may carry a credential.
            match client.fetch(request) {
                Ok(response) if (200..300).contains(&response.status) => Ok(()),
                Ok(response) => Err(format!("the forward target answered {}", response.status)),
                Err(error) => Err(format!("the forward target failed: {error:?}")),
            }
        }
    }
}
