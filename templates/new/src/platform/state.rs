//! The state shared by every request handler.

use std::sync::Arc;
use std::time::Instant;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::platform::config::Config;
use crate::platform::db::DbPool;

#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
    pub config: Arc<Config>,
    pub metrics: PrometheusHandle,
    pub started_at: Instant,
}
