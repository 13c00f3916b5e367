//! GitHub workflow commands: one `::error` / `::warning` annotation per violation.

use super::Report;
use crate::arch::rules::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for violation in &report.violations {
        let command = match violation.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = violation.message.clone();
        if let Some(to) = &violation.to {
            message.push_str(&format!(" (`{}`)", to.path));
        }
        if !violation.hint.is_empty() {
            message.push_str(&format!("\nhint: {}", violation.hint));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&violation.file),
            violation.line,
            violation.column,
            violation.end_line,
            violation.end_column,
            escape_property(&format!("axiomod {}", violation.rule.as_str())),
            escape_data(&message)
        ));
    }
    for error in &report.file_errors {
        out.push_str(&annotation(
            "error",
            (&error.file, error.line, error.column),
            "axiomod file error",
            &error.message,
        ));
    }
    for stale in &report.stale_baseline {
        out.push_str(&format!(
            "::warning file={},title={}::{}\n",
            escape_property(&stale.file),
            escape_property("axiomod stale baseline entry"),
            escape_data(&format!(
                "{} baselined {} violation(s) from {} no longer exist; update the baseline",
                stale.missing,
                stale.rule.as_str(),
                stale.from
            ))
        ));
    }
    for unused in &report.unused_ignores {
        out.push_str(&annotation(
            "warning",
            (&unused.file, unused.line, unused.column),
            "axiomod unused ignore entry",
            &format!(
                "the ignore entry from {} to {} accepts no violation; remove it or correct its patterns",
                unused.from, unused.to
            ),
        ));
    }
    out
}

/// A workflow command that places `message` at a line and column of a file.
fn annotation(
    command: &str,
    (file, line, column): (&str, usize, usize),
    title: &str,
    message: &str,
) -> String {
    format!(
        "::{command} file={},line={line},col={column},title={}::{}\n",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_and_data_are_escaped() {
        assert_eq!(escape_property("a,b:c%"), "a%2Cb%3Ac%25");
        assert_eq!(escape_data("x\ny: z"), "x%0Ay: z");
    }
}
