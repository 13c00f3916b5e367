//! The HTTP middleware stack every route runs behind: request ids, the request span and its log
//! line, metrics, security headers, CORS, problem+json errors, panic catching, timeout and body
//! limit.

use std::any::Any;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::HeaderExtractor;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Any as AnyHeader, CorsLayer};
use tracing::{Instrument, Level, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use uuid::Uuid;

use crate::platform::config::HttpConfig;
use crate::platform::metrics::RequestTracker;
use crate::platform::problem::{self, Problem};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Set on every response unless the handler set them already.
const SECURITY_HEADERS: [(HeaderName, &str); 3] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// Routes the orchestrator and Prometheus call every few seconds: their requests are logged at
/// DEBUG, not INFO, so that probes do not flood the logs (nor cost a log line each).
const PROBE_PATHS: [&str; 3] = ["/live", "/ready", "/metrics"];

/// Wraps `router` in the middleware stack: CORS (when configured) outermost, so that every
/// answer carries its headers, then the platform layer with the body limit inside it.
pub fn with_middleware(router: Router, config: &HttpConfig) -> Router {
    let router = router.fallback(problem::not_found).layer(PlatformLayer {
        body_limit_bytes: config.body_limit_bytes,
        request_timeout: config.request_timeout(),
    });
    match cors(&config.cors_allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// What every request needs, in one layer: axum wraps every route in each layer of a router,
/// and each costs every request a clone of the route and a boxed future.
#[derive(Debug, Clone, Copy)]
struct PlatformLayer {
    body_limit_bytes: usize,
    request_timeout: Duration,
}

impl<S> Layer<S> for PlatformLayer {
    type Service = Platform<<DefaultBodyLimit as Layer<S>>::Service>;

    fn layer(&self, inner: S) -> Self::Service {
        Platform {
            // Tells axum's body extractors the limit; a service, not a layer of the router.
            inner: DefaultBodyLimit::max(self.body_limit_bytes).layer(inner),
            settings: *self,
        }
    }
}

#[derive(Debug, Clone)]
struct Platform<S> {
    inner: S,
    settings: PlatformLayer,
}

impl<S> Service<Request> for Platform<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(context)
    }

    /// Gives the request its id (the caller's `x-request-id`, or a new UUID) and its span, and
    /// starts the handler; [`guard`] awaits it.
    fn call(&mut self, mut request: Request) -> Self::Future {
        let request_id = take_or_make_request_id(&mut request);
        let probe = PROBE_PATHS.contains(&request.uri().path());
        let span = request_span(&request, &request_id, probe);
        let tracker = RequestTracker::start(&request);
        // Cheap: the URI shares the request's bytes. Only an error answer needs its path.
        let uri = request.uri().clone();
        let handler = self.start(request, &span);
        let finished = Finished {
            request_id,
            probe,
            tracker,
        };
        let timeout = self.settings.request_timeout;
        Box::pin(
            async move {
                let response = match handler {
                    Handler::Running(future) => guard(future, uri, timeout).await,
                    Handler::Answered(response) => response,
                };
                Ok(finished.finish(response))
            }
            .instrument(span),
        )
    }
}

impl<S> Platform<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    /// Starts the handler in the request's span, or answers at once: 413 when the declared
    /// body is over the limit, 500 when starting the handler panics.
    fn start(&mut self, request: Request, span: &Span) -> Handler<S::Future> {
        if let Some(rejection) =
            reject_declared_oversized_body(&request, self.settings.body_limit_bytes)
        {
            return Handler::Answered(rejection);
        }
        let inner = &mut self.inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| span.in_scope(|| inner.call(request))))
        {
            Ok(future) => Handler::Running(future),
            Err(panic) => Handler::Answered(panic_response(panic)),
        }
    }
}

/// The handler of a request: started, or answered before it could run.
enum Handler<F> {
    Running(F),
    Answered(Response),
}

/// What a request's answer needs once the handler is done.
struct Finished {
    request_id: HeaderValue,
    probe: bool,
    tracker: RequestTracker,
}

impl Finished {
    /// Writes the request's log line and metrics, and adds the request id and the security
    /// headers to the response.
    fn finish(self, mut response: Response) -> Response {
        let latency = self.tracker.finish(response.status());
        log_response(response.status(), latency, self.probe);
        let headers = response.headers_mut();
        headers.insert(REQUEST_ID, self.request_id);
        for (name, value) in SECURITY_HEADERS {
            headers
                .entry(name)
                .or_insert_with(|| HeaderValue::from_static(value));
        }
        response
    }
}

/// Awaits the handler: 408 when it takes longer than the timeout, 500 when it panics, and
/// every other error answer as problem+json.
async fn guard<F>(handler: F, uri: Uri, timeout: Duration) -> Response
where
    F: Future<Output = Result<Response, Infallible>>,
{
    match tokio::time::timeout(timeout, catch_panic(handler)).await {
        Ok(Ok(Ok(response))) => problem::normalize_error(response, uri.path()).await,
        Ok(Err(panic)) => panic_response(panic),
        Err(_elapsed) => Problem::new(StatusCode::REQUEST_TIMEOUT)
            .with_instance(uri.path())
            .into_response(),
    }
}

/// Completes with the future's output, or with the panic it raised while polled.
async fn catch_panic<F: Future>(future: F) -> Result<F::Output, Box<dyn Any + Send>> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|context| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(context))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await
}

/// The longest caller's request id kept; a UUID has 36 characters.
const MAX_REQUEST_ID_BYTES: usize = 128;

/// The caller's request id, or a new UUID v4 set on the request so handlers see it too. A
/// caller's id is kept only when it is 1 to 128 printable ASCII characters: it is echoed,
/// logged and written into every outbox message, so a long or non-ASCII one is replaced.
fn take_or_make_request_id(request: &mut Request) -> HeaderValue {
    if let Some(request_id) = request.headers().get(REQUEST_ID)
        && is_acceptable_request_id(request_id.as_bytes())
    {
        return request_id.clone();
    }
    let mut buffer = Uuid::encode_buffer();
    let request_id = HeaderValue::from_str(Uuid::new_v4().hyphenated().encode_lower(&mut buffer))
        .expect("a hyphenated UUID is a valid header value");
    request.headers_mut().insert(REQUEST_ID, request_id.clone());
    request_id
}

fn is_acceptable_request_id(bytes: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_BYTES).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_graphic)
}

/// The span every log line of a request is written in; it carries the request id. When trace
/// export is on, it continues the caller's trace (W3C `traceparent`/`tracestate` headers) and
/// carries the trace id too. Probes get a span only while DEBUG logs are on: that is when their
/// log line is written.
fn request_span(request: &Request, request_id: &HeaderValue, probe: bool) -> Span {
    if probe && !tracing::enabled!(Level::DEBUG) {
        return Span::none();
    }
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id.to_str().unwrap_or_default(),
        trace_id = tracing::field::Empty,
    );
    let caller = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(request.headers()))
    });
    // Fails only when no OpenTelemetry layer is installed: then there is no trace to join.
    if span.set_parent(caller).is_ok() {
        let span_context = span.context().span().span_context().clone();
        if span_context.is_valid() {
            span.record("trace_id", tracing::field::display(span_context.trace_id()));
        }
    }
    span
}

/// The request's log line: ERROR for a server error on the API, DEBUG for probes, INFO
/// otherwise.
fn log_response(status: StatusCode, latency: Duration, probe: bool) {
    let status = status.as_u16();
    // A number in the JSON line (tracing writes a u128 as a string).
    let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    if probe {
        tracing::debug!(status, latency_us, "finished processing request");
    } else if status >= 500 {
        tracing::error!(status, latency_us, "finished processing request");
    } else {
        tracing::info!(status, latency_us, "finished processing request");
    }
}

/// 413 before any handler runs when `Content-Length` already exceeds the limit. Bodies
/// without a length (chunked) are cut at the same limit by `DefaultBodyLimit` as the handler
/// reads them.
fn reject_declared_oversized_body(request: &Request, limit: usize) -> Option<Response> {
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse::<usize>()
        .ok()?;
    (length > limit).then(|| {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE)
            .with_detail(format!(
                "the request body has {length} bytes; the limit is {limit}"
            ))
            .into_response()
    })
}

fn cors(allowed_origins: &[String]) -> Option<CorsLayer> {
    if allowed_origins.is_empty() {
        return None;
    }
    let origins = if allowed_origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            allowed_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers(AnyHeader)
            .expose_headers([REQUEST_ID, header::ETAG, header::LOCATION]),
    )
}

fn panic_response(_panic: Box<dyn Any + Send>) -> Response {
    tracing::error!("request handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR).into_response()
}
