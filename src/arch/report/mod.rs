//! Printers: one per output format, each turning the same [`Report`] into text.

mod github;
mod human;
mod json;
mod junit;
mod sarif;

use serde::Serialize;

use super::analysis::{Analysis, FileError, Unresolved, Violation};
use super::baseline::{Split, StaleEntry};
use super::config::UnusedIgnore;
use super::rules::Severity;

/// Output formats of `axiomod validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Source line with a caret, rule, layers and a hint.
    Human,
    /// The stable JSON document of docs/validate.md.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub workflow annotations (`::error file=…`).
    Github,
    /// JUnit XML, one test case per checked file.
    Junit,
}

/// Everything the printers show.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub files_checked: usize,
    /// Violations not accepted by the baseline.
    pub violations: Vec<Violation>,
    /// Violations accepted by the baseline.
    pub baselined: Vec<Violation>,
    /// Baseline entries that no longer match.
    pub stale_baseline: Vec<StaleEntry>,
    /// Violations accepted by `ignore` entries of the configuration.
    pub ignored: usize,
    /// `ignore` entries of the configuration that accepted no violation.
    pub unused_ignores: Vec<UnusedIgnore>,
    pub unresolved: Vec<Unresolved>,
    pub file_errors: Vec<FileError>,
    /// Files that were analysed (for JUnit's one test case per file).
    #[serde(skip)]
    pub files: Vec<String>,
}

impl Report {
    /// A report without a baseline.
    pub fn new(mut analysis: Analysis) -> Self {
        let split = Split {
            new: std::mem::take(&mut analysis.violations),
            ..Split::default()
        };
        Self::with_split(analysis, split)
    }

    /// A report whose violations were split by a baseline.
    pub fn with_split(analysis: Analysis, split: Split) -> Self {
        Self {
            files_checked: analysis.files_checked,
            violations: split.new,
            baselined: split.baselined,
            stale_baseline: split.stale,
            ignored: analysis.ignored,
            unused_ignores: analysis.unused_ignores,
            unresolved: analysis.unresolved,
            file_errors: analysis.file_errors,
            files: analysis.files,
        }
    }

    /// Number of new violations that fail the check (warnings excluded).
    pub fn errors(&self) -> usize {
        self.violations
            .iter()
            .filter(|violation| violation.severity == Severity::Error)
            .count()
    }

    /// True when the check fails: new errors, unreadable files, or (when strict) stale
    /// baseline entries.
    pub fn fails(&self, strict_baseline: bool) -> bool {
        self.errors() > 0
            || !self.file_errors.is_empty()
            || (strict_baseline && !self.stale_baseline.is_empty())
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Human => human::render(self),
            Format::Json => json::render(self),
            Format::Sarif => sarif::render(self),
            Format::Github => github::render(self),
            Format::Junit => junit::render(self),
        }
    }
}
