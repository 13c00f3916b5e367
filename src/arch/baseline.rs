//! Baselines: today's violations written to a file, so that only new ones fail.
//!
//! A violation's key is a hash of its rule, file, source module and target path: it does not
//! change when lines move. Several identical violations in one file share a key and are
//! counted. The same key plus the occurrence number is the violation's fingerprint (SARIF
//! `partialFingerprints`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::analysis::Violation;
use super::rules::Rule;

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// The baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

/// Accepted violations that share one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub key: String,
    pub rule: Rule,
    pub file: String,
    pub from: String,
    pub to: Option<String>,
    pub count: usize,
}

/// A baseline entry that matches fewer violations than it accepts: the code was fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleEntry {
    pub key: String,
    pub rule: Rule,
    pub file: String,
    pub from: String,
    pub to: Option<String>,
    /// How many accepted violations no longer exist.
    pub missing: usize,
}

/// Violations split by the baseline.
#[derive(Debug, Clone, Default)]
pub struct Split {
    pub new: Vec<Violation>,
    pub baselined: Vec<Violation>,
    pub stale: Vec<StaleEntry>,
}

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum BaselineError {
    #[error("cannot read the baseline {}: {reason}", path.display())]
    #[diagnostic(
        code(axiomod::validate::baseline_unreadable),
        help("create it with `axiomod validate --baseline FILE --update-baseline`")
    )]
    Unreadable {
        path: PathBuf,
        reason: std::io::Error,
    },

    #[error("the baseline {} is not valid: {message}", path.display())]
    #[diagnostic(
        code(axiomod::validate::baseline_invalid),
        help("regenerate it with `axiomod validate --baseline FILE --update-baseline`")
    )]
    Invalid {
        path: PathBuf,
        message: String,
        #[source_code]
        source_code: Arc<NamedSource<String>>,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("cannot write the baseline {}: {reason}", path.display())]
    #[diagnostic(code(axiomod::validate::baseline_unwritable))]
    Unwritable {
        path: PathBuf,
        reason: std::io::Error,
    },
}

fn key(violation: &Violation) -> String {
    let mut hasher = Sha256::new();
    for part in [
        violation.rule.as_str(),
        violation.file.as_str(),
        violation.from.module.as_str(),
        violation.to.as_ref().map_or("", |to| to.path.as_str()),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest[..12]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Sets each violation's fingerprint: its key and its occurrence number among violations
/// with the same key, in report order.
pub fn assign_fingerprints(violations: &mut [Violation]) {
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    for violation in violations {
        let key = key(violation);
        let occurrence = occurrences.entry(key.clone()).or_insert(0);
        violation.fingerprint = format!("{key}:{occurrence}");
        *occurrence += 1;
    }
}

/// The baseline that accepts exactly `violations`.
pub fn from_violations(violations: &[Violation]) -> Baseline {
    let mut entries: BTreeMap<(String, String), BaselineEntry> = BTreeMap::new();
    for violation in violations {
        let key = key(violation);
        entries
            .entry((violation.file.clone(), key.clone()))
            .and_modify(|entry| entry.count += 1)
            .or_insert_with(|| BaselineEntry {
                key,
                rule: violation.rule,
                file: violation.file.clone(),
                from: violation.from.module.clone(),
                to: violation.to.as_ref().map(|to| to.path.clone()),
                count: 1,
            });
    }
    Baseline {
        version: BASELINE_VERSION,
        entries: entries.into_values().collect(),
    }
}

/// Splits `violations` into new and baselined ones; entries for files outside
/// `checked_file` are never stale (with `--changed-since`, those files were not checked).
pub fn split(
    baseline: &Baseline,
    violations: Vec<Violation>,
    checked_file: impl Fn(&str) -> bool,
) -> Split {
    let mut remaining: HashMap<&str, usize> = baseline
        .entries
        .iter()
        .map(|entry| (entry.key.as_str(), entry.count))
        .collect();
    let mut result = Split::default();
    for violation in violations {
        let key = key(&violation);
        match remaining.get_mut(key.as_str()) {
            Some(count) if *count > 0 => {
                *count -= 1;
                result.baselined.push(violation);
            }
            _ => result.new.push(violation),
        }
    }
    for entry in &baseline.entries {
        let missing = remaining.get(entry.key.as_str()).copied().unwrap_or(0);
        if missing > 0 && checked_file(&entry.file) {
            result.stale.push(StaleEntry {
                key: entry.key.clone(),
                rule: entry.rule,
                file: entry.file.clone(),
                from: entry.from.clone(),
                to: entry.to.clone(),
                missing,
            });
        }
    }
    result
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
    let text = std::fs::read_to_string(path).map_err(|reason| BaselineError::Unreadable {
        path: path.to_path_buf(),
        reason,
    })?;
    let baseline: Baseline = serde_json::from_str(&text).map_err(|error| {
        let offset = offset_of(&text, error.line(), error.column());
        BaselineError::Invalid {
            path: path.to_path_buf(),
            message: error.to_string(),
            source_code: Arc::new(NamedSource::new(path.display().to_string(), text.clone())),
            span: (offset, 0).into(),
        }
    })?;
    if baseline.version != BASELINE_VERSION {
        let offset = text.find("\"version\"").unwrap_or(0);
        return Err(BaselineError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "version {} is not supported (expected {BASELINE_VERSION})",
                baseline.version
            ),
            source_code: Arc::new(NamedSource::new(path.display().to_string(), text.clone())),
            span: (offset, "\"version\"".len()).into(),
        });
    }
    Ok(baseline)
}

/// Writes a baseline file whole (through a temporary file, so nothing is half-written).
pub fn write(path: &Path, baseline: &Baseline) -> Result<(), BaselineError> {
    let unwritable = |reason| BaselineError::Unwritable {
        path: path.to_path_buf(),
        reason,
    };
    let mut text = serde_json::to_string_pretty(baseline).expect("a baseline always serializes");
    text.push('\n');
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(directory).map_err(unwritable)?;
    let temporary = directory.join(format!(
        ".{}.tmp",
        path.file_name().map_or_else(
            || "baseline".into(),
            |name| name.to_string_lossy().into_owned()
        )
    ));
    std::fs::write(&temporary, text).map_err(unwritable)?;
    std::fs::rename(&temporary, path).map_err(unwritable)
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::analysis::{FromEnd, ToEnd};
    use crate::arch::rules::Severity;

    fn violation(line: usize, to: &str) -> Violation {
        Violation {
            rule: Rule::Layer,
            message: "domain must not use infrastructure".into(),
            file: "src/a.rs".into(),
            line,
            column: 5,
            from: FromEnd {
                module: "crate::a".into(),
                layer: Some("domain".into()),
            },
            to: Some(ToEnd {
                path: to.into(),
                layer: Some("infrastructure".into()),
                crate_name: None,
            }),
            severity: Severity::Error,
            chain: Vec::new(),
            end_line: line,
            end_column: 9,
            hint: String::new(),
            source_line: String::new(),
            fingerprint: String::new(),
        }
    }

    #[test]
    fn keys_survive_line_shifts_and_new_ones_fail() {
        let baseline = from_violations(&[violation(3, "crate::i::A"), violation(9, "crate::i::A")]);
        assert_eq!(baseline.entries.len(), 1);
        assert_eq!(baseline.entries[0].count, 2);
        let today = vec![
            violation(5, "crate::i::A"),
            violation(12, "crate::i::A"),
            violation(13, "crate::i::A"),
            violation(14, "crate::i::B"),
        ];
        let split = split(&baseline, today, |_| true);
        assert_eq!(split.baselined.len(), 2);
        assert_eq!(split.new.len(), 2);
        assert!(split.stale.is_empty());
    }

    #[test]
    fn fixed_violations_make_stale_entries() {
        let baseline = from_violations(&[violation(3, "crate::i::A"), violation(4, "crate::i::C")]);
        let split_result = split(&baseline, vec![violation(3, "crate::i::A")], |_| true);
        assert_eq!(split_result.stale.len(), 1);
        assert_eq!(split_result.stale[0].to.as_deref(), Some("crate::i::C"));
        let unchecked = split(&baseline, vec![violation(3, "crate::i::A")], |_| false);
        assert!(unchecked.stale.is_empty());
    }

    #[test]
    fn fingerprints_count_occurrences() {
        let mut violations = vec![violation(3, "crate::i::A"), violation(9, "crate::i::A")];
        assign_fingerprints(&mut violations);
        assert!(violations[0].fingerprint.ends_with(":0"));
        assert!(violations[1].fingerprint.ends_with(":1"));
        assert_eq!(
            violations[0].fingerprint.split(':').next(),
            violations[1].fingerprint.split(':').next()
        );
    }
}
