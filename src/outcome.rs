//! How a command ended, and the process exit code that goes with it (DESIGN §1).
//!
//! Errors (bad usage, bad input, an unreachable dependency) travel as `miette::Report` and
//! always exit 2. A command that ran to the end reports an [`Outcome`]: either everything was
//! fine, or the check it performs found problems (violations, drift, failed replays).

/// Result of a command that ran to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report: exit 0.
    Success,
    /// The command's check found problems: exit 1.
    ProblemsFound,
}

/// Exit code for bad usage, bad input or an unreachable dependency.
pub const EXIT_ERROR: u8 = 2;

impl Outcome {
    /// The process exit code for this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::ProblemsFound => 1,
        }
    }
}
