//! Logs: JSON lines (LOG_FORMAT=json, the default) or human-readable (LOG_FORMAT=pretty),
//! filtered by RUST_LOG. Every line written while serving a request carries its request id.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::platform::config::{Config, LogFormat};

const DEFAULT_FILTER: &str = "info,tower_http=info,sqlx=warn";

/// Installs the global subscriber. Call once, before anything logs.
pub fn init(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let registry = tracing_subscriber::registry().with(filter);
    match config.log_format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .init(),
        LogFormat::Pretty => registry.with(tracing_subscriber::fmt::layer()).init(),
    }
}

/// Flushes what telemetry buffers before the process exits.
pub fn shutdown() {}
