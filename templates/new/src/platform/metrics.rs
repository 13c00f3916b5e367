//! Prometheus metrics: request count, latency histogram by route template and status, and
//! requests in flight, served at `GET /metrics`.
//!
//! Each thread counts its requests in a shard of its own and hands them to the recorder in
//! batches; a scrape first collects what every shard still holds, so it sees every request
//! answered before it.

use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::routing::get;
use foldhash::HashMap;
use metrics::{Counter, Gauge, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const REQUESTS: &str = "http_requests_total";
const DURATION: &str = "http_request_duration_seconds";
const IN_FLIGHT: &str = "http_requests_in_flight";
const DURATION_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Installs the process-wide Prometheus recorder once and returns its handle.
pub fn install_recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_duration_seconds".to_string()), &DURATION_BUCKETS)
                .expect("the duration buckets are a non-empty constant")
                .install_recorder()
                .expect("no other metrics recorder is installed in this process")
        })
        .clone()
}

/// Drains expired histogram samples in the background, as the exporter requires.
pub fn spawn_upkeep(handle: PrometheusHandle) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(5));
        loop {
            interval.tick().await;
            handle.run_upkeep();
        }
    });
}

pub fn routes(handle: PrometheusHandle) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(handle)
}

async fn render(State(handle): State<PrometheusHandle>) -> String {
    flush_all();
    handle.render()
}

/// Times one request and counts it in flight, from `start` until `finish` records it by method,
/// route template and status (or until dropped, when the client goes away mid-request).
pub struct RequestTracker {
    method: &'static str,
    route: Option<MatchedPath>,
    started: Instant,
    _in_flight: InFlight,
}

impl RequestTracker {
    pub fn start(request: &Request) -> Self {
        RequestTracker {
            method: method_label(request.method()),
            route: request.extensions().get::<MatchedPath>().cloned(),
            started: Instant::now(),
            _in_flight: InFlight::start(),
        }
    }

    /// Records the request with its answer's status and returns how long it took.
    pub fn finish(self, status: StatusCode) -> Duration {
        let elapsed = self.started.elapsed();
        let route = self.route.as_ref().map_or("unmatched", MatchedPath::as_str);
        with_shard(|shard| {
            let by_route = shard.series.entry((self.method, status)).or_default();
            if let Some(pending) = by_route.get_mut(route) {
                pending.record(elapsed);
            } else {
                let mut pending = Pending::new(self.method, route, status);
                pending.record(elapsed);
                by_route.insert(route.to_string(), pending);
            }
        });
        elapsed
    }
}

/// Hands every thread's pending requests to the recorder and sets the in-flight gauge, so that
/// a scrape sees every request answered before it.
fn flush_all() {
    let shards = SHARDS.lock().unwrap_or_else(PoisonError::into_inner);
    let mut in_flight = 0;
    for shard in shards.iter() {
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        in_flight += shard.in_flight;
        for by_route in shard.series.values_mut() {
            by_route.values_mut().for_each(Pending::flush);
        }
    }
    IN_FLIGHT_GAUGE.set(in_flight as f64);
}

/// The request counter and duration histogram of one method, route template and status, and
/// the durations this thread has not handed to them yet.
struct Pending {
    requests: Counter,
    duration: Histogram,
    seconds: Vec<f64>,
}

impl Pending {
    fn new(method: &'static str, route: &str, status: StatusCode) -> Self {
        let labels = [
            ("method", method.to_string()),
            ("route", route.to_string()),
            ("status", status.as_str().to_string()),
        ];
        Pending {
            requests: metrics::counter!(REQUESTS, &labels),
            duration: metrics::histogram!(DURATION, &labels),
            seconds: Vec::with_capacity(BATCH),
        }
    }

    fn record(&mut self, elapsed: Duration) {
        self.seconds.push(elapsed.as_secs_f64());
        if self.seconds.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.requests.increment(self.seconds.len() as u64);
        for seconds in self.seconds.drain(..) {
            self.duration.record(seconds);
        }
    }
}

/// Requests a thread hands to the recorder at once. The recorder's counters and histograms are
/// shared by every thread; recording each request there would make the threads wait on each
/// other's writes.
const BATCH: usize = 64;

/// What one thread has counted: its series by method and status, then by route template
/// (foldhash, not SipHash: the keys are this service's own labels, and the lookup runs on every
/// request), bounded by route templates × methods × statuses; and requests started minus
/// requests finished on it (a request can finish on another thread than it started on: one
/// shard can be negative, their sum is what is in flight).
#[derive(Default)]
struct Shard {
    series: HashMap<(&'static str, StatusCode), HashMap<String, Pending>>,
    in_flight: i64,
}

/// Every thread's shard, for [`flush_all`]. A thread's shard outlives it here, so nothing it
/// counted is lost.
static SHARDS: Mutex<Vec<Arc<Mutex<Shard>>>> = Mutex::new(Vec::new());

thread_local! {
    /// This thread's shard: only this thread and a scrape lock it, so the lock is almost never
    /// contended.
    static SHARD: Arc<Mutex<Shard>> = {
        let shard = Arc::new(Mutex::new(Shard::default()));
        SHARDS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(shard.clone());
        shard
    };
}

fn with_shard<T>(change: impl FnOnce(&mut Shard) -> T) -> T {
    SHARD.with(|shard| change(&mut shard.lock().unwrap_or_else(PoisonError::into_inner)))
}

/// The method as a label; methods outside the standard set share one, so that callers cannot
/// add series at will.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// Counts a request in flight until dropped, also when the client goes away mid-request.
struct InFlight;

impl InFlight {
    fn start() -> Self {
        with_shard(|shard| shard.in_flight += 1);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        with_shard(|shard| shard.in_flight -= 1);
    }
}

/// Set from the shards when `/metrics` is scraped.
static IN_FLIGHT_GAUGE: LazyLock<Gauge> = LazyLock::new(|| metrics::gauge!(IN_FLIGHT));
