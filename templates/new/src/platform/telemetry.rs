//! Logs: JSON lines (LOG_FORMAT=json, the default) or human-readable (LOG_FORMAT=pretty),
//! filtered by RUST_LOG. Every line written while serving a request carries its request id.
//!
//! Traces: when OTEL_EXPORTER_OTLP_ENDPOINT is set, spans are also exported over OTLP/HTTP
//! (protobuf) in batches, and W3C trace context (`traceparent`) is the propagation format.
//! When it is unset, nothing of OpenTelemetry is installed.

use std::collections::HashMap;
use std::sync::OnceLock;

use anyhow::Context as _;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{KeyValue, global};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::platform::config::{Config, LogFormat};

const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Export is on when this standard variable is set (and not empty).
const OTLP_ENDPOINT_VARIABLE: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
const SERVICE_NAME_VARIABLE: &str = "OTEL_SERVICE_NAME";

/// The tracer provider while export is on, kept to flush it on shutdown.
static TRACER_PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the global subscriber, and the OTLP exporter when OTEL_EXPORTER_OTLP_ENDPOINT is
/// set. Call once, before anything logs. Fails when the exporter cannot be built (an invalid
/// endpoint URL, say).
pub fn init(config: &Config) -> anyhow::Result<()> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let tracing = match std::env::var(OTLP_ENDPOINT_VARIABLE) {
        Ok(endpoint) if !endpoint.trim().is_empty() => {
            let provider = tracer_provider()?;
            let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
            global::set_text_map_propagator(TraceContextPropagator::new());
            // `init` runs once per process; a second provider would only be dropped here.
            let _ = TRACER_PROVIDER.set(provider);
            Some(tracing_opentelemetry::layer().with_tracer(tracer))
        }
        _ => None,
    };
    let registry = tracing_subscriber::registry().with(filter).with(tracing);
    match config.log_format {
        LogFormat::Json => registry
            .with(
                json_subscriber::fmt::layer()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .init(),
        LogFormat::Pretty => registry.with(tracing_subscriber::fmt::layer()).init(),
    }
    Ok(())
}

/// An OTLP/HTTP exporter behind a batch processor. The exporter reads the standard
/// OTEL_EXPORTER_OTLP_* variables itself (endpoint, headers, timeout, compression).
fn tracer_provider() -> anyhow::Result<SdkTracerProvider> {
    // TLS for https endpoints goes through rustls with the ring provider (no OpenSSL);
    // an error only means a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
        .context("cannot set up the OTLP trace exporter (check OTEL_EXPORTER_OTLP_ENDPOINT)")?;
    let service_name = std::env::var(SERVICE_NAME_VARIABLE)
        .ok()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| env!("CARGO_PKG_NAME").to_string());
    let resource = Resource::builder()
        .with_service_name(service_name)
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// The W3C `traceparent` of the current span, when it belongs to a trace: what an outgoing
/// message or request carries so its consumer joins this trace.
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// Flushes what telemetry buffers before the process exits: exports the spans still queued.
pub fn shutdown() {
    if let Some(provider) = TRACER_PROVIDER.get()
        && let Err(error) = provider.shutdown()
    {
        tracing::error!(%error, "cannot flush the trace exporter");
    }
}
