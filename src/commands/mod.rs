//! One file per subcommand: its clap options and an `exec` that calls the library and prints.

pub mod completions;
pub mod dlq;
pub mod doctor;
pub mod generate;
pub mod migrate;
pub mod new;
mod plan_output;
pub mod validate;

use crate::cli::{Cli, Command};
use crate::outcome::Outcome;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> miette::Result<Outcome> {
    match cli.command {
        Command::New(args) => new::exec(args),
        Command::Generate(args) => generate::exec(args),
        Command::Doctor(args) => doctor::exec(args),
        Command::Completions(args) => completions::exec(args),
        Command::Migrate(args) => migrate::exec(args),
        Command::Validate(args) => validate::exec(args),
        Command::Dlq(args) => dlq::exec(args),
    }
}
