//! The transactional outbox. Repositories [`enqueue`] events in the transaction that changes
//! the data; the [`relay`] publishes them afterwards, at least once and in order per
//! aggregate, retrying with backoff and moving a message that keeps failing to
//! `axiomod_dead_letters`. Consumers make redeliveries harmless with the [`inbox`].

mod backoff;
mod enqueue;
pub mod inbox;
pub mod publisher;
pub mod relay;
mod store;

pub use enqueue::{OutboxMessage, enqueue};
