//! axiomod: generate, migrate, replay and validate axum + sqlx modular-monolith services.
//!
//! The binary in `src/main.rs` is a thin shell over this library: each subcommand in
//! [`commands`] parses its options and calls one of the engines below, which know nothing
//! about the terminal. Tests and benchmarks call the engines directly.

pub mod arch;
pub mod cli;
pub mod commands;
pub mod dlq;
pub mod doctor;
pub mod fuzzing;
pub mod generate;
pub mod migrate;
pub mod model;
pub mod openapi;
pub mod outcome;
pub mod render;
pub mod schema;
mod text_position;
pub mod ui;
