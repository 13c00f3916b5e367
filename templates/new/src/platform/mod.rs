//! What every module shares: configuration, the HTTP stack, the database, telemetry.

pub mod api;
pub mod config;
pub mod db;
pub mod health;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod outbox;
pub mod pagination;
pub mod problem;
pub mod server;
pub mod state;
pub mod telemetry;
