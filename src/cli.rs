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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// The commands under `command` (itself when it has none) whose `--help` shows no example.
    fn without_example(command: &mut clap::Command, parent: &str, missing: &mut Vec<String>) {
        let path = format!("{parent} {}", command.get_name())
            .trim()
            .to_string();
        if !command.has_subcommands() {
            if !command.render_long_help().to_string().contains("Example") {
                missing.push(path);
            }
            return;
        }
        // clap's own `help` subcommands print the others' help.
        for sub in command
            .get_subcommands_mut()
            .filter(|sub| sub.get_name() != "help")
        {
            without_example(sub, &path, missing);
        }
    }

    #[test]
    fn every_command_has_an_example_in_its_help() {
        let mut root = Cli::command();
        root.build();
        let mut missing = Vec::new();
        without_example(&mut root, "", &mut missing);
        assert!(missing.is_empty(), "no example in the help of: {missing:?}");
    }
}
