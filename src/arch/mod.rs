//! `axiomod validate`: architecture rules for Rust crates, checked from source without
//! compiling anything.
//!
//! The pipeline, one concern per module:
//! [`config`] (axiomod.toml and presets, errors with spans) → [`discovery`] (crates and
//! targets through `cargo metadata --no-deps`) → [`parse`] (syn, in parallel) with
//! [`modules`] (which file holds which module) → [`resolve`] (paths to absolute module
//! paths, re-export chains) → [`rules`] (layer, crate, isolation, unmapped) → [`analysis`]
//! (the run and its results, with [`cache`] skipping unchanged files) → [`baseline`]
//! (accepted violations) → [`report`] (printers). [`run`] is one invocation of
//! `axiomod validate`, [`changed`] its `--changed-since`.

pub mod analysis;
pub mod baseline;
pub mod cache;
pub mod changed;
pub mod config;
pub mod discovery;
pub mod modules;
pub mod parse;
pub mod pattern;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod run;

use std::path::PathBuf;

use miette::Diagnostic;

pub use analysis::{Analysis, Options, Violation, analyze};

/// Everything that stops a validation run (exit code 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ArchError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] config::ConfigError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Discovery(#[from] discovery::DiscoveryError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] baseline::BaselineError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Changed(#[from] changed::ChangedError),

    #[error("cannot open the project directory {}: {reason}", path.display())]
    #[diagnostic(
        code(axiomod::validate::no_project),
        help("pass the directory that holds axiomod.toml and Cargo.toml")
    )]
    Root {
        path: PathBuf,
        reason: std::io::Error,
    },
}
