//! One file per subcommand: its clap options and an `exec` that calls the library and prints.

/// `println!` that ignores a closed stdout (`axiomod migrate status | head`) instead of
/// panicking: the reader has gone, so there is no one left to tell, and the exit code stays
/// the command's. Every command prints its output with it.
macro_rules! out {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($argument)*);
    }};
}

/// Like `eprintln!`, but a closed stderr is ignored instead of panicking: warnings and notes
/// must not turn a run into a crash when the reader of stderr has gone.
macro_rules! errln {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($argument)*);
    }};
}

/// Writes `bytes` to stdout as they are, ignoring a closed stdout as [`out!`] does: for text
/// that carries its own newlines (diffs, completion scripts).
fn write_stdout(bytes: &[u8]) {
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(bytes);
}

/// [`write_stdout`] for stderr.
fn write_stderr(bytes: &[u8]) {
    use std::io::Write as _;
    let _ = std::io::stderr().write_all(bytes);
}

pub mod completions;
pub mod dlq;
pub mod doctor;
pub mod error_json;
pub mod generate;
pub mod migrate;
pub mod new;
mod plan_output;
pub mod validate;

use crate::cli::{Cli, Command};
use crate::commands::plan_output::OutputFormat;
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

/// Whether the command line asked for JSON output (`--format json`); its errors are then
/// printed as JSON too ([`error_json`]).
pub fn wants_json(cli: &Cli) -> bool {
    match &cli.command {
        Command::New(args) => args.format == OutputFormat::Json,
        Command::Generate(args) => args.generator.write_options().format == OutputFormat::Json,
        Command::Doctor(args) => matches!(args.format, doctor::Format::Json),
        Command::Completions(_) => false,
        Command::Migrate(args) => args.format == migrate::Format::Json,
        Command::Validate(args) => matches!(args.format, validate::OutputFormat::Json),
        Command::Dlq(args) => args.format == dlq::Format::Json,
    }
}
