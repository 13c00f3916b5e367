//! SARIF 2.1.0 for GitHub code scanning. Results carry `partialFingerprints` built from the
//! baseline key (stable across line shifts); baselined results carry `suppressions`.

use serde_json::{Value, json};

use super::Report;
use crate::arch::analysis::Violation;
use crate::arch::rules::{Rule, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const FILE_RULE: &str = "file";

pub fn render(report: &Report) -> String {
    let mut rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.as_str(),
                "shortDescription": {"text": rule.description()},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    rules.push(json!({
        "id": FILE_RULE,
        "shortDescription": {"text": "A source file could not be read or parsed, so it was not checked."},
        "defaultConfiguration": {"level": "error"},
    }));
    let mut results: Vec<Value> = Vec::new();
    for violation in &report.violations {
        results.push(result(violation, false));
    }
    for violation in &report.baselined {
        results.push(result(violation, true));
    }
    for error in &report.file_errors {
        results.push(json!({
            "ruleId": FILE_RULE,
            "ruleIndex": Rule::ALL.len(),
            "level": "error",
            "message": {"text": error.message},
            "locations": [location(&error.file, error.line, error.column, error.line, error.column)],
        }));
    }
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "axiomod",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).expect("SARIF always serializes");
    text.push('\n');
    text
}

fn result(violation: &Violation, baselined: bool) -> Value {
    let rule_index = Rule::ALL
        .iter()
        .position(|rule| *rule == violation.rule)
        .unwrap_or_default();
    let mut text = violation.message.clone();
    if let Some(to) = &violation.to {
        text.push_str(&format!(
            " (`{}` uses `{}`)",
            violation.from.module, to.path
        ));
    }
    if !violation.chain.is_empty() {
        text.push_str(&format!(" via {}", violation.chain.join(" -> ")));
    }
    let mut result = json!({
        "ruleId": violation.rule.as_str(),
        "ruleIndex": rule_index,
        "level": match violation.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": {"text": text},
        "locations": [location(
            &violation.file,
            violation.line,
            violation.column,
            violation.end_line,
            violation.end_column,
        )],
        "partialFingerprints": {"axiomodViolation/v1": violation.fingerprint},
    });
    if baselined {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "accepted in the axiomod baseline",
        }]);
    }
    result
}

/// A relative file path as a URI reference: `/` separates segments, every byte other than
/// letters, digits and `-._~` is percent-encoded (`my file.rs` is `my%20file.rs`).
fn uri_of(file: &str) -> String {
    let mut uri = String::with_capacity(file.len());
    for byte in file.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

fn location(file: &str, line: usize, column: usize, end_line: usize, end_column: usize) -> Value {
    let end_column = if end_line == line {
        end_column.max(column + 1)
    } else {
        end_column.max(1)
    };
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_of(file), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": line.max(1),
                "startColumn": column.max(1),
                "endLine": end_line.max(line).max(1),
                "endColumn": end_column,
            },
        },
    })
}
