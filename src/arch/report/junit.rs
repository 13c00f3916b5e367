//! JUnit XML: one test case per checked file, one failure per violation in it.

use std::collections::BTreeMap;

use super::Report;
use crate::arch::analysis::Violation;
use crate::arch::rules::Severity;

pub fn render(report: &Report) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Violation>> = report
        .files
        .iter()
        .map(|file| (file.as_str(), Vec::new()))
        .collect();
    for violation in &report.violations {
        if violation.severity == Severity::Error {
            by_file
                .entry(violation.file.as_str())
                .or_default()
                .push(violation);
        }
    }
    let mut errors_by_file: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for error in &report.file_errors {
        by_file.entry(error.file.as_str()).or_default();
        errors_by_file
            .entry(error.file.as_str())
            .or_default()
            .push(format!(
                "{}:{}: {}",
                error.line, error.column, error.message
            ));
    }
    let failures: usize = by_file.values().map(Vec::len).sum();
    let errors: usize = errors_by_file.values().map(Vec::len).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"axiomod validate\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">\n",
        by_file.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"architecture\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">\n",
        by_file.len()
    ));
    for (file, violations) in &by_file {
        out.push_str(&format!(
            "    <testcase classname=\"architecture\" name=\"{}\"",
            escape(file)
        ));
        let file_errors = errors_by_file.get(file);
        if violations.is_empty() && file_errors.is_none() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for violation in violations {
            let target = violation
                .to
                .as_ref()
                .map_or_else(String::new, |to| format!(" -> {}", to.path));
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}{}&#10;hint: {}</failure>\n",
                violation.rule.as_str(),
                escape(&violation.message),
                escape(&violation.file),
                violation.line,
                violation.column,
                escape(&violation.from.module),
                escape(&target),
                escape(&violation.hint)
            ));
        }
        for message in file_errors.into_iter().flatten() {
            out.push_str(&format!(
                "      <error type=\"file\" message=\"{}\"/>\n",
                escape(message)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
