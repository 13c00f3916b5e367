//! `axiomod doctor`: is this machine ready to build and run a generated service?

use clap::Args;

use crate::doctor::{self, CheckStatus, Report};
use crate::outcome::Outcome;

/// Check the Rust toolchain and whether the database and broker are reachable.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod doctor
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test axiomod doctor --format json

Exit code 1 when a required check fails (a missing toolchain, or a DATABASE_URL / BROKER_URL
that is set but unreachable).")]
pub struct DoctorArgs {
    /// Database to check; defaults to the DATABASE_URL environment variable.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Broker to check (nats://… or amqp://…); defaults to BROKER_URL.
    #[arg(long, env = "BROKER_URL", hide_env_values = true)]
    pub broker_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn exec(args: DoctorArgs) -> miette::Result<Outcome> {
    let report = doctor::run_checks(args.database_url.as_deref(), args.broker_url.as_deref());
    match args.format {
        Format::Human => print_human(&report),
        Format::Json => out!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a doctor report always serializes")
        ),
    }
    Ok(if report.all_required_ok() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}

fn print_human(report: &Report) {
    for check in &report.checks {
        let mark = match check.status {
            CheckStatus::Ok => "ok  ",
            CheckStatus::Failed => "FAIL",
            CheckStatus::Skipped => "skip",
        };
        out!("[{mark}] {:<10} {}", check.name, check.detail);
        if let Some(hint) = &check.hint {
            out!("       hint: {hint}");
        }
    }
}
