//! One file per subcommand: its clap options and an `exec` that calls the library and prints.

pub mod completions;
pub mod doctor;
pub mod validate;

use crate::cli::{Cli, Command};
use crate::outcome::Outcome;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> miette::Result<Outcome> {
    match cli.command {
        Command::Doctor(args) => doctor::exec(args),
        Command::Completions(args) => completions::exec(args),
        Command::Validate(args) => validate::exec(args),
    }
}
