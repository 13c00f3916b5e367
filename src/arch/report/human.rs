//! The report for people: each violation with its source line and a caret under the path,
//! the layers on both ends, the re-export chain and a hint.

use std::fmt::Write;

use super::Report;
use crate::arch::analysis::Violation;
use crate::arch::rules::Severity;

/// Paths inside macros listed one by one; the JSON report lists them all.
const UNRESOLVED_SHOWN: usize = 10;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for violation in &report.violations {
        render_violation(&mut out, violation);
    }
    for error in &report.file_errors {
        let _ = writeln!(
            out,
            "error[file]: {}\n  --> {}:{}:{}\n",
            error.message, error.file, error.line, error.column
        );
    }
    for unresolved in report.unresolved.iter().take(UNRESOLVED_SHOWN) {
        let _ = writeln!(
            out,
            "note[unresolved]: `{}` not checked: {}\n  --> {}:{}:{}\n",
            unresolved.path, unresolved.reason, unresolved.file, unresolved.line, unresolved.column
        );
    }
    if let Some(hidden) = report.unresolved.len().checked_sub(UNRESOLVED_SHOWN)
        && hidden > 0
    {
        let _ = writeln!(
            out,
            "note[unresolved]: {hidden} more paths inside macros not checked (all of them: --format json)\n"
        );
    }
    for stale in &report.stale_baseline {
        let target = stale.to.as_deref().unwrap_or(&stale.from);
        let _ = writeln!(
            out,
            "warning[stale-baseline]: {} baselined `{}` violation(s) from `{}` to `{}` no longer exist\n  --> {}\n   = hint: run with --update-baseline to drop them\n",
            stale.missing,
            stale.rule.as_str(),
            stale.from,
            target,
            stale.file
        );
    }
    for unused in &report.unused_ignores {
        let _ = writeln!(
            out,
            "warning[unused-ignore]: the ignore entry from `{}` to `{}`{} accepts no violation\n  --> {}:{}:{}\n   = hint: the edge it was written for is gone (remove the entry), or its patterns do not match it\n",
            unused.from,
            unused.to,
            unused
                .rule
                .as_ref()
                .map(|rule| format!(" (rule `{rule}`)"))
                .unwrap_or_default(),
            unused.file,
            unused.line,
            unused.column
        );
    }
    out.push_str(&summary(report));
    out
}

fn render_violation(out: &mut String, violation: &Violation) {
    let severity = match violation.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(
        out,
        "{severity}[{}]: {}",
        violation.rule.as_str(),
        violation.message
    );
    let number = violation.line.to_string();
    let gutter = " ".repeat(number.len());
    let _ = writeln!(
        out,
        "{gutter}--> {}:{}:{}",
        violation.file, violation.line, violation.column
    );
    if !violation.source_line.is_empty() {
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{number} | {}", violation.source_line);
        let _ = writeln!(out, "{gutter} | {}", caret_line(violation));
    }
    let layer = |name: &Option<String>| {
        name.as_ref()
            .map_or_else(|| "no layer".to_string(), |name| format!("layer {name}"))
    };
    let _ = writeln!(
        out,
        "{gutter} = from: {} ({})",
        violation.from.module,
        layer(&violation.from.layer)
    );
    if let Some(to) = &violation.to {
        let what = match &to.crate_name {
            Some(package) => format!("crate {package}"),
            None => layer(&to.layer),
        };
        let _ = writeln!(out, "{gutter} = to:   {} ({what})", to.path);
    }
    if !violation.chain.is_empty() {
        let _ = writeln!(out, "{gutter} = via:  {}", violation.chain.join(" -> "));
    }
    if !violation.hint.is_empty() {
        let _ = writeln!(out, "{gutter} = hint: {}", violation.hint);
    }
    out.push('\n');
}

/// Spaces (tabs kept) up to the column, then carets under the span on that line.
fn caret_line(violation: &Violation) -> String {
    let characters: Vec<char> = violation.source_line.chars().collect();
    let start = violation.column.saturating_sub(1).min(characters.len());
    let end = if violation.end_line == violation.line {
        violation.end_column.saturating_sub(1)
    } else {
        characters.len()
    };
    let width = end.saturating_sub(start).max(1);
    let indent: String = characters[..start]
        .iter()
        .map(|character| if *character == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{indent}{}", "^".repeat(width))
}

fn summary(report: &Report) -> String {
    let errors = report.errors();
    let warnings = report.violations.len() - errors;
    let plural = |count: usize, one: &str, many: &str| {
        if count == 1 {
            format!("{count} {one}")
        } else {
            format!("{count} {many}")
        }
    };
    let mut extras = Vec::new();
    if !report.baselined.is_empty() {
        extras.push(format!("{} baselined", report.baselined.len()));
    }
    if report.ignored > 0 {
        extras.push(format!("{} ignored by config", report.ignored));
    }
    if warnings > 0 {
        extras.push(plural(warnings, "warning", "warnings"));
    }
    if !report.unresolved.is_empty() {
        extras.push(format!(
            "{} unresolved macro paths",
            report.unresolved.len()
        ));
    }
    if !report.stale_baseline.is_empty() {
        extras.push(plural(
            report.stale_baseline.len(),
            "stale baseline entry",
            "stale baseline entries",
        ));
    }
    if !report.unused_ignores.is_empty() {
        extras.push(plural(
            report.unused_ignores.len(),
            "unused ignore entry",
            "unused ignore entries",
        ));
    }
    if !report.file_errors.is_empty() {
        extras.push(plural(
            report.file_errors.len(),
            "unreadable file",
            "unreadable files",
        ));
    }
    let extras = if extras.is_empty() {
        String::new()
    } else {
        format!(" ({})", extras.join(", "))
    };
    let files = plural(report.files_checked, "file", "files");
    if errors == 0 && report.file_errors.is_empty() {
        format!("ok: no violations in {files} checked{extras}\n")
    } else {
        format!(
            "error: {} in {files} checked{extras}\n",
            plural(errors, "violation", "violations")
        )
    }
}
