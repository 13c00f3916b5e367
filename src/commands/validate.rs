//! `axiomod validate`: check the architecture rules of axiomod.toml on a Rust project.

use std::path::PathBuf;

use clap::Args;

use crate::arch::report::{Format, Report};
use crate::arch::{self, baseline, changed};
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
    #[arg(long, requires = "baseline")]
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
    let only_files = match &args.changed_since {
        Some(reference) => {
            Some(changed::changed_files(&args.path, reference).map_err(arch::ArchError::from)?)
        }
        None => None,
    };
    let analysis = arch::analyze(&arch::Options {
        root: args.path.clone(),
        only_files,
        use_cache: !args.no_cache,
    })?;
    let partial = args.changed_since.is_some();
    if let (Some(path), true) = (&args.baseline, args.update_baseline) {
        if partial {
            return Err(miette::miette!(
                help = "update the baseline from a full run, without --changed-since",
                "--update-baseline cannot be combined with --changed-since"
            ));
        }
        let written = baseline::from_violations(&analysis.violations);
        baseline::write(path, &written).map_err(arch::ArchError::from)?;
        eprintln!(
            "wrote {} accepted violation(s) to {}",
            analysis.violations.len(),
            path.display()
        );
        return Ok(Outcome::Success);
    }
    let report = match &args.baseline {
        Some(path) => {
            let accepted = baseline::read(path).map_err(arch::ArchError::from)?;
            let checked: std::collections::HashSet<String> =
                analysis.files.iter().cloned().collect();
            let split = baseline::split(&accepted, analysis.violations.clone(), |file| {
                !partial || checked.contains(file)
            });
            Report::with_split(analysis, split)
        }
        None => Report::new(analysis),
    };
    print!("{}", report.render(args.format.into()));
    Ok(if report.fails(args.strict_baseline) {
        Outcome::ProblemsFound
    } else {
        Outcome::Success
    })
}
