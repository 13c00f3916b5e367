//! One `axiomod validate` invocation: which files to report, the analysis, and what the
//! baseline does with its violations.

use std::collections::HashSet;
use std::path::PathBuf;

use super::analysis::{self, Options};
use super::report::Report;
use super::{ArchError, baseline, changed};

/// What to do with a baseline file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineAction {
    /// No baseline: every violation is new.
    None,
    /// Violations listed in the file are accepted.
    Compare(PathBuf),
    /// Write today's violations to the file.
    Update(PathBuf),
}

/// The inputs of one run.
#[derive(Debug, Clone)]
pub struct Request {
    /// The project directory.
    pub root: PathBuf,
    /// Report only the files changed since this git ref.
    pub changed_since: Option<String>,
    pub baseline: BaselineAction,
    pub use_cache: bool,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub enum RunResult {
    /// The report to print.
    Checked(Report),
    /// The baseline was written.
    BaselineWritten { path: PathBuf, accepted: usize },
}

/// Runs the analysis and applies the baseline.
pub fn run(request: &Request) -> Result<RunResult, ArchError> {
    let only_files = match &request.changed_since {
        Some(reference) => Some(changed::changed_files(&request.root, reference)?),
        None => None,
    };
    let partial = only_files.is_some();
    let mut analysis = analysis::analyze(&Options {
        root: request.root.clone(),
        only_files,
        use_cache: request.use_cache,
    })?;
    match &request.baseline {
        BaselineAction::None => Ok(RunResult::Checked(Report::new(analysis))),
        BaselineAction::Update(path) => {
            baseline::write(path, &baseline::from_violations(&analysis.violations))?;
            Ok(RunResult::BaselineWritten {
                path: path.clone(),
                accepted: analysis.violations.len(),
            })
        }
        BaselineAction::Compare(path) => {
            let accepted = baseline::read(path)?;
            let checked: HashSet<String> = analysis.files.iter().cloned().collect();
            let violations = std::mem::take(&mut analysis.violations);
            // With --changed-since, entries of files that were not checked cannot be stale.
            let split = baseline::split(&accepted, violations, |file| {
                !partial || checked.contains(file)
            });
            Ok(RunResult::Checked(Report::with_split(analysis, split)))
        }
    }
}
