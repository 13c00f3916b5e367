//! The engine behind `axiomod dlq`: inspect, replay and purge the dead letters a generated
//! service's outbox relay left in `axiomod_dead_letters` (DESIGN §6).
//!
//! [`database`] connects to PostgreSQL or SQLite and reads dead letters through one
//! [`filter::Filter`]; [`stats`] summarises them; [`jobs`] runs replay and purge jobs in
//! batches, one job per database at a time, each recorded in the `axiomod_dlq_jobs` audit table.
//! [`rabbitmq`] lists and replays the dead-letter queues of RabbitMQ; [`nats`] the messages
//! that hit a JetStream consumer's max deliveries.
//! Nothing here touches the terminal: `commands/dlq.rs` prints.

pub mod database;
pub mod error;
pub mod filter;
pub mod jobs;
pub mod location;
pub mod nats;
pub mod rabbitmq;
pub mod stats;
pub mod stop;

pub use database::{DeadLetter, DeadLetterStore};
pub use error::DlqError;
pub use filter::Filter;
