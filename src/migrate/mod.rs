//! The migration engine behind `axiomod migrate`.
//!
//! Migrations are plain data read from a directory ([`source`]), compared with the history
//! table by pure functions ([`plan`]) and applied by one [`Migrator`] per database engine
//! ([`postgres`], [`mysql`], [`sqlite`]). File layout, checksums, the history table and the
//! locks are sqlx 0.8.6's, byte for byte, so sqlx-cli, `sqlx::migrate!()` and axiomod can
//! take turns on the same database.

pub mod checksum;
pub mod config;
pub mod connect;
pub mod create;
pub mod error;
pub mod history;
pub mod mysql;
pub mod plan;
pub mod postgres;
pub mod refinery;
pub mod runner;
pub mod source;
pub mod sqlite;
mod statements;
pub mod tenants;

pub use connect::{AnyMigrator, DatabaseUrl};
pub use error::MigrateError;
pub use history::{Engine, Migrator};
pub use source::{HistoryFormat, Migration, MigrationKind, MigrationSet, read_directory};
