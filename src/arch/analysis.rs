//! One run of the validator: config, crates, files parsed in parallel, every path resolved
//! and checked, results as plain values for the printers.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::ArchError;
use super::cache::{self, Outline, ParseCache, ResultCache};
use super::config::{self, Config, TestCode, UnmappedPolicy, UnusedIgnore};
use super::discovery::{self, CrateTarget};
use super::modules::{ModuleFile, child_module_candidates};
use super::parse::{self, FileFacts, Location, ModuleFacts};
use super::resolve::{CrateScopes, ImportSource};
use super::rules::{Checker, DependencyKey, Finding, Rule, Severity};

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Options {
    /// The project directory: holds axiomod.toml and Cargo.toml.
    pub root: PathBuf,
    /// Only report problems in these files (absolute paths); all files are still read.
    pub only_files: Option<HashSet<PathBuf>>,
    /// Reuse the parse results of the previous run for unchanged files.
    pub use_cache: bool,
}

/// The module a violation starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FromEnd {
    pub module: String,
    pub layer: Option<String>,
}

/// What a violation reaches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ToEnd {
    pub path: String,
    pub layer: Option<String>,
    /// The package of the forbidden crate (rule `crate` only).
    #[serde(rename = "crate", skip_serializing_if = "Option::is_none")]
    pub crate_name: Option<String>,
}

/// One reported violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: Rule,
    pub message: String,
    /// Relative to the project root, with `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub from: FromEnd,
    /// None for `unmapped`.
    pub to: Option<ToEnd>,
    pub severity: Severity,
    /// Re-export hops from the path as named to where it ends; empty without re-exports.
    pub chain: Vec<String>,
    #[serde(skip)]
    pub end_line: usize,
    #[serde(skip)]
    pub end_column: usize,
    #[serde(skip)]
    pub hint: String,
    /// The text of the source line, for the human report.
    #[serde(skip)]
    pub source_line: String,
    /// Stable identity across runs (see `baseline::assign_fingerprints`).
    #[serde(skip)]
    pub fingerprint: String,
}

/// A path inside macro input that is not Rust syntax: listed, not guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unresolved {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub path: String,
    #[serde(rename = "macro")]
    pub macro_name: String,
    pub reason: String,
}

/// A file that could not be read or parsed; the rest is still checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Everything one run found.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub files_checked: usize,
    /// The checked files, relative to the root, sorted.
    pub files: Vec<String>,
    /// Sorted by file, line, column, rule.
    pub violations: Vec<Violation>,
    /// Violations accepted by `ignore` entries.
    pub ignored: usize,
    /// The user's `ignore` entries that accepted nothing (a full run only: with
    /// `--changed-since` the files an entry is for may not have been checked).
    pub unused_ignores: Vec<UnusedIgnore>,
    pub unresolved: Vec<Unresolved>,
    pub file_errors: Vec<FileError>,
}

struct ParsedFile {
    path: PathBuf,
    relative: String,
    text: Arc<str>,
    module: Vec<String>,
    is_test: bool,
    cache_key: String,
    outline: Outline,
    /// None while only the outline (from the result cache) is known.
    facts: Option<Arc<FileFacts>>,
}

impl ParsedFile {
    fn facts(&self) -> &FileFacts {
        self.facts
            .as_deref()
            .expect("facts are filled in before resolution starts")
    }
}

struct CrateFiles {
    target: CrateTarget,
    files: Vec<ParsedFile>,
    errors: Vec<FileError>,
}

/// Runs the whole analysis.
pub fn analyze(options: &Options) -> Result<Analysis, ArchError> {
    let root = options
        .root
        .canonicalize()
        .map_err(|reason| ArchError::Root {
            path: options.root.clone(),
            reason,
        })?;
    let config = config::load(&root)?;
    let include_tests = config.test_code == TestCode::Check;
    let crates = discovery::discover(&root, include_tests)?;
    let (parse_cache, result_cache) = if options.use_cache {
        (ParseCache::for_project(&root), ResultCache::load(&root))
    } else {
        (ParseCache::disabled(), ResultCache::disabled())
    };
    let caches = Caches {
        parse: &parse_cache,
        result: &result_cache,
    };
    let mut parsed: Vec<CrateFiles> = crates
        .into_iter()
        .map(|target| parse_crate(&root, target, include_tests, caches))
        .collect();

    // Same configuration, crates and files as the last full run: same result.
    let full_run = options.only_files.is_none();
    let crate_descriptions: Vec<String> = parsed
        .iter()
        .map(|crate_files| format!("{:?}", crate_files.target))
        .collect();
    let run_key = cache::result_key(
        config
            .sources
            .iter()
            .chain(&crate_descriptions)
            .map(String::as_str)
            .chain(parsed.iter().flat_map(|crate_files| {
                crate_files
                    .files
                    .iter()
                    .flat_map(|file| [file.relative.as_str(), file.cache_key.as_str()])
            })),
    );
    if full_run && let Some(analysis) = result_cache.result(&run_key) {
        return Ok(analysis);
    }
    for crate_files in &mut parsed {
        let doc_tests_crate = doc_tests_crate(&crate_files.target, include_tests);
        crate_files.files.par_iter_mut().for_each(|file| {
            if file.facts.is_none() {
                file.facts = Some(parse_cache.get(&file.cache_key).unwrap_or_else(|| {
                    Arc::new(parse::parse_file(
                        &file.text,
                        &file.module,
                        file.is_test,
                        include_tests,
                        doc_tests_crate,
                    ))
                }));
            }
        });
    }
    // Writing the parse cache overlaps with resolution.
    let parsed = parsed;
    let analysis = std::thread::scope(|scope| {
        scope.spawn(|| {
            parse_cache.store(parsed.iter().flat_map(|crate_files| {
                crate_files
                    .files
                    .iter()
                    .map(|file| (file.cache_key.as_str(), file.facts()))
            }))
        });
        check_crates(&root, options, &config, &parsed)
    })?;
    if full_run {
        let outlines = parsed
            .iter()
            .flat_map(|crate_files| &crate_files.files)
            .map(|file| (file.cache_key.clone(), file.outline.clone()))
            .collect();
        result_cache.store(outlines, run_key, &analysis);
    }
    Ok(analysis)
}

/// Resolves and checks every file of every crate.
fn check_crates(
    root: &Path,
    options: &Options,
    config: &Config,
    parsed: &[CrateFiles],
) -> Result<Analysis, ArchError> {
    let scopes: Vec<CrateScopes> = parsed
        .iter()
        .map(|crate_files| {
            CrateScopes::new(
                crate_files
                    .files
                    .iter()
                    .flat_map(|file| file.facts().modules.iter()),
                crate_files.target.externs.clone(),
            )
        })
        .collect();
    for scope in &scopes {
        scope.resolve_all_imports();
    }
    let module_paths: Vec<Vec<String>> = scopes
        .iter()
        .flat_map(|scope| scope.module_paths())
        .collect();
    config.check_patterns_match(&module_paths)?;

    let only = |path: &Path| {
        options
            .only_files
            .as_ref()
            .is_none_or(|files| files.contains(path))
    };
    let checker = Checker::new(config);
    let mut analysis = Analysis::default();
    let mut seen_files: BTreeSet<String> = BTreeSet::new();
    let mut seen_violations = HashSet::new();
    for (crate_files, scopes) in parsed.iter().zip(&scopes) {
        analysis.file_errors.extend(
            crate_files
                .errors
                .iter()
                .filter(|error| only(&root.join(&error.file)))
                .cloned(),
        );
        let results: Vec<(Vec<Violation>, Vec<Unresolved>)> = crate_files
            .files
            .par_iter()
            .filter(|file| only(&file.path))
            .map(|file| check_file(file, scopes, &checker, config))
            .collect();
        for file in crate_files.files.iter().filter(|file| only(&file.path)) {
            seen_files.insert(file.relative.clone());
        }
        for (violations, unresolved) in results {
            for violation in violations {
                let key = (
                    violation.file.clone(),
                    violation.line,
                    violation.column,
                    violation.rule,
                    violation.to.clone(),
                );
                if seen_violations.insert(key) {
                    analysis.violations.push(violation);
                }
            }
            analysis.unresolved.extend(unresolved);
        }
    }
    let before = analysis.violations.len();
    let mut used = vec![false; config.ignores.len()];
    analysis
        .violations
        .retain(|violation| !accept_by_ignores(config, violation, &mut used));
    analysis.ignored = before - analysis.violations.len();
    if options.only_files.is_none() {
        analysis.unused_ignores = config
            .ignores
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .filter_map(|(ignore, _)| ignore.report_if_unused.clone())
            .collect();
    }
    analysis.files_checked = seen_files.len();
    analysis.files = seen_files.into_iter().collect();
    analysis.violations.sort_by(|left, right| {
        (&left.file, left.line, left.column, left.rule, &left.to).cmp(&(
            &right.file,
            right.line,
            right.column,
            right.rule,
            &right.to,
        ))
    });
    super::baseline::assign_fingerprints(&mut analysis.violations);
    analysis.unresolved.sort_by(|left, right| {
        (&left.file, left.line, left.column).cmp(&(&right.file, right.line, right.column))
    });
    analysis.unresolved.dedup();
    analysis.file_errors.sort_by(|left, right| {
        (&left.file, left.line, left.column).cmp(&(&right.file, right.line, right.column))
    });
    analysis.file_errors.dedup();
    Ok(analysis)
}

/// Doc tests are test code of a library: read them, with the library's name, only when
/// test code is checked.
fn doc_tests_crate(target: &CrateTarget, include_tests: bool) -> Option<&str> {
    (include_tests && target.is_library).then_some(target.name.as_str())
}

#[derive(Clone, Copy)]
struct Caches<'a> {
    parse: &'a ParseCache,
    result: &'a ResultCache,
}

/// Relative path with `/` separators, or the absolute path for files outside the root.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    shown
        .components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

struct FileTask {
    file: ModuleFile,
    module: Vec<String>,
    is_test: bool,
}

/// Reads the files of one crate, wave after wave: the files of a wave are parsed in
/// parallel, and their `mod` declarations make the next wave.
fn parse_crate(
    root: &Path,
    target: CrateTarget,
    include_tests: bool,
    caches: Caches<'_>,
) -> CrateFiles {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    let mut wave = vec![FileTask {
        file: ModuleFile {
            path: target.root.clone(),
            is_mod_rs: true,
        },
        module: vec!["crate".to_string()],
        is_test: target.is_test,
    }];
    visited.insert(target.root.clone());
    while !wave.is_empty() {
        let results: Vec<(FileTask, Result<ParsedFile, FileError>)> = wave
            .into_par_iter()
            .map(|task| {
                let result = read_and_parse(
                    root,
                    &task,
                    include_tests,
                    doc_tests_crate(&target, include_tests),
                    caches,
                );
                (task, result)
            })
            .collect();
        let mut next = Vec::new();
        for (task, result) in results {
            let parsed = match result {
                Ok(parsed) => parsed,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            if let Some((location, message)) = &parsed.outline.syntax_error {
                errors.push(FileError {
                    file: parsed.relative.clone(),
                    line: location.line,
                    column: location.column,
                    message: format!("not valid Rust: {message}"),
                });
            }
            for child in &parsed.outline.children {
                let candidates = child_module_candidates(
                    &task.file,
                    &child.inline,
                    &child.name,
                    child.path_attribute.as_deref(),
                    &child.conditional_paths,
                );
                match candidates.iter().find(|candidate| candidate.path.is_file()) {
                    Some(found) => {
                        if visited.insert(found.path.clone()) {
                            next.push(FileTask {
                                file: found.clone(),
                                module: child.module.clone(),
                                is_test: child.is_test,
                            });
                        }
                    }
                    None => errors.push(FileError {
                        file: parsed.relative.clone(),
                        line: child.location.line,
                        column: child.location.column,
                        message: format!(
                            "file not found for module `{}`; looked for {}",
                            child.name,
                            candidates
                                .iter()
                                .map(|candidate| relative_path(root, &candidate.path))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                    }),
                }
            }
            files.push(parsed);
        }
        wave = next;
    }
    CrateFiles {
        target,
        files,
        errors,
    }
}

fn read_and_parse(
    root: &Path,
    task: &FileTask,
    include_tests: bool,
    doc_tests_crate: Option<&str>,
    caches: Caches<'_>,
) -> Result<ParsedFile, FileError> {
    let relative = relative_path(root, &task.file.path);
    let text = std::fs::read_to_string(&task.file.path).map_err(|error| FileError {
        file: relative.clone(),
        line: 1,
        column: 1,
        message: format!("cannot read the file: {error}"),
    })?;
    let cache_key = cache::key(
        &text,
        &task.module,
        task.is_test,
        include_tests,
        doc_tests_crate,
    );
    let (outline, facts) = match caches.result.outline(&cache_key) {
        Some(outline) => (outline.clone(), None),
        None => {
            let facts = caches.parse.get(&cache_key).unwrap_or_else(|| {
                Arc::new(parse::parse_file(
                    &text,
                    &task.module,
                    task.is_test,
                    include_tests,
                    doc_tests_crate,
                ))
            });
            (Outline::of(&facts), Some(facts))
        }
    };
    Ok(ParsedFile {
        path: task.file.path.clone(),
        relative,
        text: Arc::from(text),
        module: task.module.clone(),
        is_test: task.is_test,
        cache_key,
        outline,
        facts,
    })
}

fn check_file(
    file: &ParsedFile,
    scopes: &CrateScopes,
    checker: &Checker<'_>,
    config: &Config,
) -> (Vec<Violation>, Vec<Unresolved>) {
    let mut violations = Vec::new();
    let mut unresolved = Vec::new();
    let lines: Vec<&str> = file.text.lines().collect();
    let place = |location: &Location| Place {
        file: &file.relative,
        location: *location,
        source_line: lines
            .get(location.line.wrapping_sub(1))
            .copied()
            .unwrap_or_default(),
    };
    for module in &file.facts().modules {
        check_module(module, scopes, checker, &place, &mut violations);
        list_unresolved(module, scopes, &file.relative, &mut unresolved);
    }
    if config.unmapped != UnmappedPolicy::Allow
        && let Some(module) = file.facts().modules.first()
        && config.layer_of(&module.path).is_none()
    {
        let module_path = module.path.join("::");
        violations.push(Violation {
            rule: Rule::Unmapped,
            severity: if config.unmapped == UnmappedPolicy::Deny {
                Severity::Error
            } else {
                Severity::Warning
            },
            message: format!("`{module_path}` is not in any layer"),
            file: file.relative.clone(),
            line: 1,
            column: 1,
            from: FromEnd {
                module: module_path,
                layer: None,
            },
            to: None,
            chain: Vec::new(),
            end_line: 1,
            end_column: 1,
            hint: "add a pattern that covers it to a layer's `paths`, or set unmapped = \"allow\""
                .to_string(),
            source_line: lines.first().copied().unwrap_or_default().to_string(),
            fingerprint: String::new(),
        });
    }
    (violations, unresolved)
}

struct Place<'a> {
    file: &'a str,
    location: Location,
    source_line: &'a str,
}

fn check_module<'a>(
    module: &ModuleFacts,
    scopes: &CrateScopes,
    checker: &Checker<'_>,
    place: &impl Fn(&Location) -> Place<'a>,
    violations: &mut Vec<Violation>,
) {
    let module_path = module.path.join("::");
    // What each import of this module already reports, so that code paths going through
    // the import do not report the same dependency again.
    let mut reported_by_import: HashMap<ImportSource, Vec<DependencyKey>> = HashMap::new();
    let block_imports = module.blocks.iter().enumerate().flat_map(|(block, scope)| {
        scope
            .imports
            .iter()
            .map(move |import| (Some(block), import))
    });
    let imports = module
        .imports
        .iter()
        .map(|import| (None, import))
        .chain(block_imports);
    for (block, import) in imports {
        let Some(source) = scopes.import_source(&module.path, block, import) else {
            continue;
        };
        let Some(resolution) = scopes.resolve_import(&module.path, source) else {
            continue;
        };
        let findings = checker.check(&module.path, &resolution);
        reported_by_import.insert(
            source,
            findings.iter().map(Finding::dependency_key).collect(),
        );
        for finding in findings {
            violations.push(violation(
                finding,
                &module_path,
                place(&import.path.location),
            ));
        }
    }
    for reference in &module.references {
        let Some(resolution) = scopes.resolve(&module.path, &reference.path, reference.block)
        else {
            continue;
        };
        let already = resolution
            .via_import
            .and_then(|source| reported_by_import.get(&source));
        for finding in checker.check(&module.path, &resolution) {
            if already.is_some_and(|keys| keys.contains(&finding.dependency_key())) {
                continue;
            }
            violations.push(violation(
                finding,
                &module_path,
                place(&reference.path.location),
            ));
        }
    }
}

fn violation(finding: Finding, module: &str, place: Place<'_>) -> Violation {
    Violation {
        rule: finding.rule,
        severity: Severity::Error,
        message: finding.message,
        file: place.file.to_string(),
        line: place.location.line,
        column: place.location.column,
        from: FromEnd {
            module: module.to_string(),
            layer: finding.from_layer,
        },
        to: Some(ToEnd {
            path: finding.to_path,
            layer: finding.to_layer,
            crate_name: finding.to_crate,
        }),
        chain: finding.chain,
        end_line: place.location.end_line,
        end_column: place.location.end_column,
        hint: finding.hint,
        source_line: place.source_line.to_string(),
        fingerprint: String::new(),
    }
}

/// Lists macro paths that could name something of interest: this crate, or a dependency.
fn list_unresolved(
    module: &ModuleFacts,
    scopes: &CrateScopes,
    file: &str,
    unresolved: &mut Vec<Unresolved>,
) {
    for macro_path in &module.macro_paths {
        let Some(resolution) = scopes.resolve(&module.path, &macro_path.path, macro_path.block)
        else {
            continue;
        };
        let is_standard = resolution
            .hops
            .first()
            .is_some_and(|hop| matches!(hop.package.as_deref(), Some("std" | "core" | "alloc")));
        if is_standard {
            continue;
        }
        let reason = if macro_path.in_definition {
            format!("inside the definition of macro `{}`", macro_path.macro_name)
        } else {
            format!(
                "inside the input of macro `{}`, which is not Rust syntax axiomod can read",
                macro_path.macro_name
            )
        };
        unresolved.push(Unresolved {
            file: file.to_string(),
            line: macro_path.path.location.line,
            column: macro_path.path.location.column,
            path: macro_path.path.text(),
            macro_name: macro_path.macro_name.clone(),
            reason,
        });
    }
}

/// True when an `ignore` entry accepts `violation`; marks in `used` every entry that does.
fn accept_by_ignores(config: &Config, violation: &Violation, used: &mut [bool]) -> bool {
    let from: Vec<&str> = violation.from.module.split("::").collect();
    let to_text = violation
        .to
        .as_ref()
        .map_or(violation.from.module.as_str(), |to| to.path.as_str());
    let to: Vec<&str> = to_text.split("::").collect();
    let mut accepted = false;
    for (ignore, used) in config.ignores.iter().zip(used) {
        if ignore.rule.is_none_or(|rule| rule == violation.rule)
            && ignore.from.covers(&from)
            && ignore.to.covers(&to)
        {
            *used = true;
            accepted = true;
        }
    }
    accepted
}
