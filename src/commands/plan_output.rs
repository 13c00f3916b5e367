//! Printing what a generator wrote or would write, for people or as JSON.

use serde_json::json;

use crate::render::{Action, ApplySummary, Plan};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

/// A dry run: what writing `plan` would do to each file.
pub fn print_planned(plan: &Plan, format: OutputFormat) {
    match format {
        OutputFormat::Human => {
            let writes = plan
                .changes
                .iter()
                .filter(|change| change.action.writes(true))
                .count();
            out!("Would write {writes} files in {}:", plan.root.display());
            for change in &plan.changes {
                let note = match change.action {
                    Action::Conflict => "  (yours: overwritten by --force)",
                    _ => "",
                };
                out!(
                    "  {:<9} {}{note}",
                    change.action.label(),
                    change.file.path.display()
                );
            }
            out!("(dry run: nothing was written)");
        }
        OutputFormat::Json => print_json(&json!({
            "root": plan.root,
            "dry_run": true,
            "files": plan.changes.iter().map(|change| json!({"path": change.file.path, "action": change.action.label()})).collect::<Vec<_>>(),
        })),
    }
}

/// What an apply wrote.
pub fn print_written(summary: &ApplySummary, format: OutputFormat) {
    match format {
        OutputFormat::Human => {
            out!(
                "Created {} files in {}",
                summary.written.len(),
                summary.root.display()
            );
        }
        OutputFormat::Json => print_json(&json!({
            "root": summary.root,
            "dry_run": false,
            "files": summary.written.iter().map(|path| json!({"path": path, "action": "create"})).collect::<Vec<_>>(),
        })),
    }
}

fn print_json(value: &serde_json::Value) {
    out!(
        "{}",
        serde_json::to_string_pretty(value).expect("a JSON value always serializes")
    );
}
