//! `axiomod validate`: check the architecture rules of axiomod.toml on a Rust project.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::arch::report::Format;
use crate::arch::run::{self, BaselineAction, Request, RunResult};
use crate::outcome::Outcome;

/// Check that the code follows the architecture rules of axiomod.toml.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod validate
  axiomod validate path/to/service --format json
  axiomod validate --format sarif > axiomod.sarif
  axiomod validate --baseline .axiomod/baseline.json --update-baseline
  axiomod validate --baseline .axiomod/baseline.json --changed-since origin/main

Exit codes: 0 no violations, 1 violations (or unreadable files, or stale baseline entries
with --strict-baseline), 2 bad configuration or usage.")]
pub struct ValidateArgs {
    /// Project directory (holds axiomod.toml and Cargo.toml).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Baseline file: violations it lists are accepted, only new ones fail.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write today's violations to the --baseline file and exit 0.
    #[arg(long, requires = "baseline", conflicts_with = "changed_since")]
    pub update_baseline: bool,
    /// Fail when baseline entries no longer match any violation.
    #[arg(long, requires = "baseline", conflicts_with = "update_baseline")]
    pub strict_baseline: bool,
    /// Report only files changed since this git ref (the whole crate is still resolved).
    #[arg(long, value_name = "GIT_REF")]
    pub changed_since: Option<String>,
    /// Parse every file again instead of reusing the results cached for unchanged files.
    #[arg(long)]
    pub no_cache: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutputFormat {
    /// Source line with a caret, rule, layers and a hint.
    Human,
    /// The stable JSON document of docs/validate.md.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub workflow annotations.
    Github,
    /// JUnit XML, one test case per checked file.
    Junit,
}

impl From<OutputFormat> for Format {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Github => Format::Github,
            OutputFormat::Junit => Format::Junit,
        }
    }
}

pub fn exec(args: ValidateArgs) -> miette::Result<Outcome> {
    let baseline = match (args.baseline, args.update_baseline) {
        (Some(path), true) => BaselineAction::Update(path),
        (Some(path), false) => BaselineAction::Compare(path),
        (None, _) => BaselineAction::None,
    };
    let result = run::run(&Request {
        root: args.path,
        changed_since: args.changed_since,
        baseline,
        use_cache: !args.no_cache,
    })?;
    match result {
        RunResult::BaselineWritten { path, accepted } => {
            errln!(
                "wrote {accepted} accepted violation(s) to {}",
                path.display()
            );
            Ok(Outcome::Success)
        }
        RunResult::Checked(report) => {
            let text = report.render(args.format.into());
            if let Err(error) = std::io::stdout().lock().write_all(text.as_bytes()) {
                // A reader that stopped early (`| head`) wanted no more: not a failure.
                if error.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(miette::miette!("cannot write the report: {error}"));
                }
            }
            Ok(if report.fails(args.strict_baseline) {
                Outcome::ProblemsFound
            } else {
                Outcome::Success
            })
        }
    }
}
