//! The command line: clap definitions only. Each subcommand's options live beside its
//! implementation in `commands/<name>.rs`.

use clap::{Parser, Subcommand};

use crate::commands;

const EXAMPLES: &str = "\
Examples:
  axiomod new shop --db sqlite          # a new service in ./shop
  axiomod generate scaffold sales.toml  # entities, use cases, API, migration, tests
  axiomod doctor                        # check the toolchain and the database
  axiomod migrate up                    # apply pending database migrations
  axiomod dlq replay --dry-run          # what replaying the outbox's dead letters would move
  axiomod completions bash > /etc/bash_completion.d/axiomod
  axiomod validate --format sarif       # check the architecture rules of axiomod.toml

Exit codes: 0 ok, 1 the check found problems, 2 bad usage, bad input or unreachable dependency.";

/// Generate, migrate, replay and validate axum + sqlx modular-monolith services.
#[derive(Debug, Parser)]
#[command(name = "axiomod", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    New(commands::new::NewArgs),
    Generate(commands::generate::GenerateArgs),
    Doctor(commands::doctor::DoctorArgs),
    Completions(commands::completions::CompletionsArgs),
    Migrate(commands::migrate::MigrateArgs),
    Validate(commands::validate::ValidateArgs),
    Dlq(commands::dlq::DlqArgs),
}
