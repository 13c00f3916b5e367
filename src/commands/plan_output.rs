//! Printing what a generator wrote or would write, for people or as JSON.

use std::path::Path;

use serde_json::json;

use crate::render::{ApplySummary, RenderedFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

/// A dry run: the files that would be created under `root`.
pub fn print_planned(root: &Path, files: &[RenderedFile], format: OutputFormat) {
    match format {
        OutputFormat::Human => {
            println!("Would create {} files in {}:", files.len(), root.display());
            for file in files {
                println!("  create  {}", file.path.display());
            }
            println!("(dry run: nothing was written)");
        }
        OutputFormat::Json => print_json(&json!({
            "root": root,
            "dry_run": true,
            "files": files.iter().map(|file| json!({"path": file.path, "action": "create"})).collect::<Vec<_>>(),
        })),
    }
}

/// What an apply wrote.
pub fn print_written(summary: &ApplySummary, format: OutputFormat) {
    match format {
        OutputFormat::Human => {
            println!(
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
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("a JSON value always serializes")
    );
}
