use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use axiomod::cli::Cli;
use axiomod::outcome::EXIT_ERROR;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Off a terminal (CI logs, pipes) error reports keep each line whole: wrapping at 80
    // columns split ids and paths that people copy from the log.
    if !std::io::stderr().is_terminal() {
        let _ = miette::set_hook(Box::new(|_| {
            Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
        }));
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let code = if error.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let json = axiomod::commands::wants_json(&cli);
    match axiomod::commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(report) => {
            // A closed stderr leaves no one to tell; the exit code still says it failed.
            let mut stderr = std::io::stderr();
            let _ = if json {
                writeln!(stderr, "{}", axiomod::commands::error_json::render(&report))
            } else {
                writeln!(stderr, "{report:?}")
            };
            ExitCode::from(EXIT_ERROR)
        }
    }
}
