//! Prometheus metrics: request count, latency histogram by route template and status, and
//! requests in flight, served at `GET /metrics`.

use std::cell::RefCell;
use std::sync::OnceLock;
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
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_duration_seconds".to_string()), &DURATION_BUCKETS)
                .expect("the duration buckets are a non-empty constant")
                .install_recorder()
                .expect("no other metrics recorder is installed in this process");
            IN_FLIGHT_GAUGE.get_or_init(|| metrics::gauge!(IN_FLIGHT));
            handle
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
        SERIES.with_borrow_mut(|series| {
            let by_route = series.entry((self.method, status)).or_default();
            if let Some(series) = by_route.get(route) {
                series.record(elapsed);
            } else {
                let series = Series::new(self.method, route, status);
                series.record(elapsed);
                by_route.insert(route.to_string(), series);
            }
        });
        elapsed
    }
}

/// The request counter and duration histogram of one method, route template and status.
struct Series {
    requests: Counter,
    duration: Histogram,
}

impl Series {
    fn new(method: &'static str, route: &str, status: StatusCode) -> Self {
        let labels = [
            ("method", method.to_string()),
            ("route", route.to_string()),
            ("status", status.as_str().to_string()),
        ];
        Series {
            requests: metrics::counter!(REQUESTS, &labels),
            duration: metrics::histogram!(DURATION, &labels),
        }
    }

    fn record(&self, elapsed: Duration) {
        self.requests.increment(1);
        self.duration.record(elapsed.as_secs_f64());
    }
}

/// Series by method and status, then by route template. foldhash, not the default SipHash:
/// the keys are this service's own labels, and the lookup runs on every request.
type SeriesByOutcome = HashMap<(&'static str, StatusCode), HashMap<String, Series>>;

thread_local! {
    /// The series each worker thread has recorded to, so that recording a request needs neither
    /// label strings nor a lookup in the recorder's registry once its series exists. Bounded:
    /// route templates × methods × statuses.
    static SERIES: RefCell<SeriesByOutcome> = RefCell::new(HashMap::default());
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

/// Counts a request in flight until dropped, also when the client goes away mid-request. A
/// request served before the recorder is installed (a test's bare router) is not counted.
struct InFlight(Option<&'static Gauge>);

impl InFlight {
    fn start() -> Self {
        let gauge = IN_FLIGHT_GAUGE.get();
        if let Some(gauge) = gauge {
            gauge.increment(1.0);
        }
        InFlight(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(gauge) = self.0 {
            gauge.decrement(1.0);
        }
    }
}

/// Registered with the recorder as it is installed: a handle taken before would stay bound to
/// no recorder.
static IN_FLIGHT_GAUGE: OnceLock<Gauge> = OnceLock::new();
