//! The `[architecture]` table of `axiomod.toml`, merged over its preset.
//!
//! Every value keeps the place it was written (file and byte span), so a config error points
//! at the exact spot in the TOML file, like a compiler error.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::pattern::ModulePattern;
use super::rules::Rule;
use crate::text_position::line_column;

/// Name of the configuration file at the project root.
pub const CONFIG_FILE: &str = "axiomod.toml";

/// Presets shipped inside the binary: name and TOML text.
pub const PRESETS: &[(&str, &str)] = &[("clean", include_str!("../../lint-rules/clean.toml"))];

/// What to do with code under `#[cfg(test)]`, `#[test]` functions and `tests/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum TestCode {
    /// Test code is not analysed.
    Ignore,
    /// Test code follows the same rules as the rest.
    Check,
}

/// What to do with files that belong to no layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum UnmappedPolicy {
    /// Say nothing.
    Allow,
    /// Report each such file as a warning (does not fail the check).
    Warn,
    /// Report each such file as a violation.
    Deny,
}

// Read through a `String` rather than as serde enums: for a value of another type (`test_code =
// true`) the TOML reader's enum error says only "wanted string or table".
impl TryFrom<String> for TestCode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        one_of(
            &value,
            &[("ignore", TestCode::Ignore), ("check", TestCode::Check)],
        )
    }
}

impl TryFrom<String> for UnmappedPolicy {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        one_of(
            &value,
            &[
                ("allow", UnmappedPolicy::Allow),
                ("warn", UnmappedPolicy::Warn),
                ("deny", UnmappedPolicy::Deny),
            ],
        )
    }
}

/// The choice named `value`, or an error that lists the names.
fn one_of<T: Copy>(value: &str, choices: &[(&str, T)]) -> Result<T, String> {
    if let Some((_, choice)) = choices.iter().find(|(name, _)| *name == value) {
        return Ok(*choice);
    }
    let names: Vec<String> = choices
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect();
    Err(format!(
        "unknown value \"{value}\", expected one of {}",
        names.join(", ")
    ))
}

/// A TOML file that configuration came from, kept to point errors at it.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    name: String,
    text: Arc<String>,
    /// False for presets: their patterns may match nothing in a given project.
    written_by_user: bool,
}

/// A configuration value and the place it was written.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    source: ConfigSource,
    span: Range<usize>,
}

impl<T> Located<T> {
    fn new(value: T, source: &ConfigSource, span: Range<usize>) -> Self {
        Self {
            value,
            source: source.clone(),
            span,
        }
    }

    /// An error pointing at this value.
    pub fn error(
        &self,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> ConfigError {
        invalid(&self.source, self.span.clone(), message, label, help)
    }

    /// True when the value comes from the user's axiomod.toml rather than a preset.
    pub fn written_by_user(&self) -> bool {
        self.source.written_by_user
    }
}

/// One layer: which modules belong to it and what it may depend on.
#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    pub paths: Vec<Located<ModulePattern>>,
    pub may_use: Vec<Located<String>>,
    /// Package names, normalized with `-` replaced by `_`.
    pub forbid_crates: Vec<Located<String>>,
}

impl Layer {
    /// True when this layer may use `other` (a layer always may use itself).
    pub fn may_use(&self, other: &str) -> bool {
        self.name == other || self.may_use.iter().any(|name| name.value == other)
    }

    /// True when this layer must not use the package `package`.
    pub fn forbids_crate(&self, package: &str) -> bool {
        let package = normalize_crate_name(package);
        self.forbid_crates.iter().any(|name| name.value == package)
    }
}

/// Sibling modules may reach each other only through the listed sub-modules.
#[derive(Debug, Clone)]
pub struct Isolation {
    pub modules: Located<ModulePattern>,
    pub through: Vec<String>,
}

/// One accepted edge, with the reason it is accepted.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    pub from: ModulePattern,
    pub to: ModulePattern,
    pub rule: Option<Rule>,
    pub reason: String,
    /// What to report when the entry accepts no violation; `None` for a preset's entries,
    /// which may not apply to a given project.
    pub report_if_unused: Option<UnusedIgnore>,
}

/// An `ignore` entry of the user's configuration that accepted no violation: the edge it was
/// written for is gone, or its patterns never matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedIgnore {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub from: String,
    pub to: String,
    pub rule: Option<String>,
}

/// The merged, checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub test_code: TestCode,
    pub unmapped: UnmappedPolicy,
    pub layers: Vec<Layer>,
    pub isolation: Option<Isolation>,
    pub ignores: Vec<IgnoreRule>,
    /// The texts the configuration was read from (axiomod.toml, then the preset), for
    /// keying cached results.
    pub sources: Vec<String>,
}

/// A configuration that cannot be used, with the place to fix.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("no {CONFIG_FILE} in {}", directory.display())]
    #[diagnostic(
        code(axiomod::validate::no_config),
        help(
            "create {CONFIG_FILE} with an [architecture] table, for example:\n\n[architecture]\npreset = \"clean\""
        )
    )]
    Missing { directory: PathBuf },

    #[error("cannot read {}: {reason}", path.display())]
    #[diagnostic(code(axiomod::validate::config_unreadable))]
    Unreadable {
        path: PathBuf,
        reason: std::io::Error,
    },

    #[error("{message}")]
    #[diagnostic(code(axiomod::validate::config))]
    Invalid {
        message: String,
        #[source_code]
        source_code: Arc<NamedSource<String>>,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: String,
    },
}

fn invalid(
    source: &ConfigSource,
    span: Range<usize>,
    message: impl Into<String>,
    label: impl Into<String>,
    help: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        message: format!("{}: {}", source.name, message.into()),
        source_code: Arc::new(NamedSource::new(
            source.name.clone(),
            source.text.as_str().to_owned(),
        )),
        span: span.into(),
        label: label.into(),
        help: help.into(),
    }
}

/// Crate names compare with `-` and `_` taken as the same character, as cargo does.
pub fn normalize_crate_name(name: &str) -> String {
    name.replace('-', "_")
}

#[derive(Debug, Deserialize)]
struct RawFile {
    architecture: Option<Spanned<RawArchitecture>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArchitecture {
    preset: Option<Spanned<String>>,
    test_code: Option<Spanned<TestCode>>,
    unmapped: Option<Spanned<UnmappedPolicy>>,
    #[serde(default)]
    layers: BTreeMap<Spanned<String>, Spanned<RawLayer>>,
    isolation: Option<Spanned<RawIsolation>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    paths: Option<Vec<Spanned<String>>>,
    may_use: Option<Vec<Spanned<String>>>,
    forbid_crates: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIsolation {
    modules: Spanned<String>,
    through: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    from: Spanned<String>,
    to: Spanned<String>,
    rule: Option<Spanned<String>>,
    reason: Spanned<String>,
}

/// Reads `axiomod.toml` in `directory` and merges it over its preset.
pub fn load(directory: &Path) -> Result<Config, ConfigError> {
    let path = directory.join(CONFIG_FILE);
    if !path.is_file() {
        return Err(ConfigError::Missing {
            directory: directory.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(&path).map_err(|reason| ConfigError::Unreadable {
        path: path.clone(),
        reason,
    })?;
    parse(CONFIG_FILE, &text, directory)
}

/// Parses the text of an `axiomod.toml`; `directory` anchors preset paths.
pub fn parse(name: &str, text: &str, directory: &Path) -> Result<Config, ConfigError> {
    let source = ConfigSource {
        name: name.to_string(),
        text: Arc::new(text.to_string()),
        written_by_user: true,
    };
    let raw = read_architecture(&source)?;
    let mut builder = Builder::default();
    builder.sources.push(text.to_string());
    if let Some(preset) = &raw.preset {
        let preset_source = load_preset(preset, &source, directory)?;
        let preset_raw = read_architecture(&preset_source)?;
        if let Some(nested) = &preset_raw.preset {
            return Err(invalid(
                &preset_source,
                nested.span(),
                "a preset cannot name another preset",
                "remove this key",
                "presets are flat; copy the tables you need instead",
            ));
        }
        builder.apply(&preset_raw, &preset_source)?;
        builder.sources.push(preset_source.text.as_str().to_owned());
    }
    builder.apply(&raw, &source)?;
    builder.finish()
}

fn read_architecture(source: &ConfigSource) -> Result<RawArchitecture, ConfigError> {
    let file: RawFile = toml::from_str(&source.text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        invalid(
            source,
            span,
            error.message().trim_end().to_string(),
            "here",
            "see docs/validate.md for every key of [architecture]",
        )
    })?;
    match file.architecture {
        Some(architecture) => Ok(architecture.into_inner()),
        None => Err(invalid(
            source,
            0..0,
            "there is no [architecture] table",
            "expected [architecture] in this file",
            "add:\n\n[architecture]\npreset = \"clean\"",
        )),
    }
}

fn load_preset(
    preset: &Spanned<String>,
    source: &ConfigSource,
    directory: &Path,
) -> Result<ConfigSource, ConfigError> {
    let name = preset.get_ref();
    if let Some((_, text)) = PRESETS.iter().find(|(preset_name, _)| preset_name == name) {
        return Ok(ConfigSource {
            name: format!("preset `{name}` (lint-rules/{name}.toml)"),
            text: Arc::new((*text).to_string()),
            written_by_user: false,
        });
    }
    let names: Vec<&str> = PRESETS
        .iter()
        .map(|(preset_name, _)| *preset_name)
        .collect();
    let looks_like_path = name.ends_with(".toml") || name.contains('/') || name.contains('\\');
    if !looks_like_path {
        return Err(invalid(
            source,
            preset.span(),
            format!("unknown preset `{name}`"),
            "no preset has this name",
            format!(
                "built-in presets: {}; a preset can also be the path of a TOML file",
                names.join(", ")
            ),
        ));
    }
    let path = directory.join(name);
    let text = std::fs::read_to_string(&path).map_err(|error| {
        invalid(
            source,
            preset.span(),
            format!("cannot read preset file {}: {error}", path.display()),
            "this preset file",
            "the path is relative to the directory of axiomod.toml",
        )
    })?;
    Ok(ConfigSource {
        name: name.clone(),
        text: Arc::new(text),
        written_by_user: false,
    })
}

#[derive(Default)]
struct Builder {
    test_code: Option<TestCode>,
    unmapped: Option<UnmappedPolicy>,
    layers: Vec<Layer>,
    /// Span of each layer's name, for errors about the layer as a whole.
    layer_names: Vec<Located<String>>,
    isolation: Option<Isolation>,
    ignores: Vec<IgnoreRule>,
    sources: Vec<String>,
}

impl Builder {
    fn apply(&mut self, raw: &RawArchitecture, source: &ConfigSource) -> Result<(), ConfigError> {
        if let Some(test_code) = &raw.test_code {
            self.test_code = Some(*test_code.get_ref());
        }
        if let Some(unmapped) = &raw.unmapped {
            self.unmapped = Some(*unmapped.get_ref());
        }
        for (name, layer) in &raw.layers {
            self.apply_layer(name, layer.get_ref(), source)?;
        }
        if let Some(isolation) = &raw.isolation {
            let isolation = isolation.get_ref();
            self.isolation = Some(Isolation {
                modules: parse_pattern(&isolation.modules, source)?,
                through: isolation
                    .through
                    .iter()
                    .map(|name| name.get_ref().clone())
                    .collect(),
            });
        }
        for entry in &raw.ignore {
            self.ignores.push(parse_ignore(entry, source)?);
        }
        Ok(())
    }

    fn apply_layer(
        &mut self,
        name: &Spanned<String>,
        raw: &RawLayer,
        source: &ConfigSource,
    ) -> Result<(), ConfigError> {
        if !name
            .get_ref()
            .chars()
            .all(|character| character.is_alphanumeric() || character == '_' || character == '-')
        {
            return Err(invalid(
                source,
                name.span(),
                format!("`{}` is not a valid layer name", name.get_ref()),
                "layer name",
                "use letters, digits, `_` and `-`",
            ));
        }
        let index = match self
            .layers
            .iter()
            .position(|layer| layer.name == *name.get_ref())
        {
            Some(index) => {
                self.layer_names[index] = Located::new(name.get_ref().clone(), source, name.span());
                index
            }
            None => {
                self.layers.push(Layer {
                    name: name.get_ref().clone(),
                    paths: Vec::new(),
                    may_use: Vec::new(),
                    forbid_crates: Vec::new(),
                });
                self.layer_names
                    .push(Located::new(name.get_ref().clone(), source, name.span()));
                self.layers.len() - 1
            }
        };
        let layer = &mut self.layers[index];
        if let Some(paths) = &raw.paths {
            layer.paths = paths
                .iter()
                .map(|pattern| parse_pattern(pattern, source))
                .collect::<Result<_, _>>()?;
        }
        if let Some(may_use) = &raw.may_use {
            layer.may_use = may_use
                .iter()
                .map(|other| Located::new(other.get_ref().clone(), source, other.span()))
                .collect();
        }
        if let Some(forbid) = &raw.forbid_crates {
            layer.forbid_crates = forbid
                .iter()
                .map(|crate_name| {
                    Located::new(
                        normalize_crate_name(crate_name.get_ref()),
                        source,
                        crate_name.span(),
                    )
                })
                .collect();
        }
        Ok(())
    }

    fn finish(self) -> Result<Config, ConfigError> {
        let known: Vec<&str> = self
            .layers
            .iter()
            .map(|layer| layer.name.as_str())
            .collect();
        for (layer, name) in self.layers.iter().zip(&self.layer_names) {
            if layer.paths.is_empty() {
                return Err(name.error(
                    format!("layer `{}` has no `paths`", layer.name),
                    "this layer",
                    "add paths = [\"crate::…\"] with the module-path patterns of the layer",
                ));
            }
            for other in &layer.may_use {
                if !known.contains(&other.value.as_str()) {
                    return Err(other.error(
                        format!("`may_use` names `{}`, which is not a layer", other.value),
                        "unknown layer",
                        format!("known layers: {}", known.join(", ")),
                    ));
                }
            }
        }
        Ok(Config {
            test_code: self.test_code.unwrap_or(TestCode::Ignore),
            unmapped: self.unmapped.unwrap_or(UnmappedPolicy::Allow),
            layers: self.layers,
            isolation: self.isolation,
            ignores: self.ignores,
            sources: self.sources,
        })
    }
}

fn parse_pattern(
    pattern: &Spanned<String>,
    source: &ConfigSource,
) -> Result<Located<ModulePattern>, ConfigError> {
    match ModulePattern::parse(pattern.get_ref()) {
        Ok(parsed) => Ok(Located::new(parsed, source, pattern.span())),
        Err(error) => Err(invalid(
            source,
            pattern.span(),
            format!("invalid module-path pattern: {}", error.0),
            "this pattern",
            "write module paths like \"crate::modules::*::domain\" (`*` one segment, `**` any)",
        )),
    }
}

fn parse_ignore(
    entry: &Spanned<RawIgnore>,
    source: &ConfigSource,
) -> Result<IgnoreRule, ConfigError> {
    let raw = entry.get_ref();
    if raw.reason.get_ref().trim().is_empty() {
        return Err(invalid(
            source,
            raw.reason.span(),
            "an ignore entry needs a reason",
            "empty reason",
            "say why this edge is accepted, so the next reader knows when it can go",
        ));
    }
    let rule = match &raw.rule {
        None => None,
        Some(rule) => Some(Rule::from_name(rule.get_ref()).ok_or_else(|| {
            invalid(
                source,
                rule.span(),
                format!("unknown rule `{}`", rule.get_ref()),
                "this rule",
                "rules: layer, crate, isolation, unmapped",
            )
        })?),
    };
    let report_if_unused = source.written_by_user.then(|| {
        let (line, column) = line_column(&source.text, entry.span().start);
        UnusedIgnore {
            file: source.name.clone(),
            line,
            column,
            from: raw.from.get_ref().clone(),
            to: raw.to.get_ref().clone(),
            rule: rule.map(|rule| rule.as_str().to_string()),
        }
    });
    Ok(IgnoreRule {
        from: parse_pattern(&raw.from, source)?.value,
        to: parse_pattern(&raw.to, source)?.value,
        rule,
        reason: raw.reason.get_ref().clone(),
        report_if_unused,
    })
}

impl Config {
    /// The layer of a module path: the layer whose pattern matches the longest prefix.
    pub fn layer_of<S: AsRef<str>>(&self, path: &[S]) -> Option<&Layer> {
        let mut best: Option<(usize, &Layer)> = None;
        for layer in &self.layers {
            for pattern in &layer.paths {
                if let Some(length) = pattern.value.longest_prefix_match(path)
                    && best.is_none_or(|(best_length, _)| length > best_length)
                {
                    best = Some((length, layer));
                }
            }
        }
        best.map(|(_, layer)| layer)
    }

    /// Fails on a pattern written in axiomod.toml that matches none of `modules`.
    pub fn check_patterns_match(&self, modules: &[Vec<String>]) -> Result<(), ConfigError> {
        let user_patterns = self
            .layers
            .iter()
            .flat_map(|layer| layer.paths.iter())
            .chain(self.isolation.iter().map(|isolation| &isolation.modules))
            .filter(|pattern| pattern.written_by_user());
        for pattern in user_patterns {
            if !modules.iter().any(|module| pattern.value.covers(module)) {
                return Err(pattern.error(
                    format!("pattern `{}` matches no module of the project", pattern.value),
                    "matches nothing",
                    "module paths start with `crate::` and follow `mod` declarations, e.g. crate::modules::*::domain",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, ConfigError> {
        parse(CONFIG_FILE, text, Path::new("."))
    }

    fn span_of(error: &ConfigError) -> (usize, usize) {
        match error {
            ConfigError::Invalid { span, .. } => (span.offset(), span.len()),
            other => panic!("expected a spanned error, got {other:?}"),
        }
    }

    #[test]
    fn clean_preset_has_the_six_layers() {
        let config = parse_text("[architecture]\npreset = \"clean\"\n").unwrap();
        let names: Vec<&str> = config
            .layers
            .iter()
            .map(|layer| layer.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "api",
                "application",
                "domain",
                "infrastructure",
                "kernel",
                "platform"
            ]
        );
        let kernel = config.layer_of(&["crate", "kernel", "error"]);
        assert_eq!(kernel.unwrap().name, "kernel");
        let domain = config.layer_of(&["crate", "modules", "sales", "domain", "order"]);
        assert_eq!(domain.unwrap().name, "domain");
        assert!(domain.unwrap().forbids_crate("tower-http"));
        assert!(config.layer_of(&["crate", "app"]).is_none());
    }

    #[test]
    fn user_tables_override_preset_fields() {
        let config = parse_text(
            "[architecture]\npreset = \"clean\"\n[architecture.layers.application]\nmay_use = [\"domain\", \"platform\"]\n",
        )
        .unwrap();
        let application = config
            .layers
            .iter()
            .find(|l| l.name == "application")
            .unwrap();
        assert!(application.may_use("platform"));
        assert_eq!(
            application.paths[0].value.as_str(),
            "crate::modules::*::application"
        );
    }

    #[test]
    fn unknown_layer_in_may_use_points_at_the_name() {
        let text = "[architecture]\n[architecture.layers.domain]\npaths = [\"crate::domain\"]\nmay_use = [\"infra\"]\n";
        let error = parse_text(text).unwrap_err();
        let (offset, length) = span_of(&error);
        assert_eq!(&text[offset..offset + length], "\"infra\"");
    }

    #[test]
    fn unknown_preset_points_at_the_value() {
        let text = "[architecture]\npreset = \"hexagonal\"\n";
        let error = parse_text(text).unwrap_err();
        let (offset, length) = span_of(&error);
        assert_eq!(&text[offset..offset + length], "\"hexagonal\"");
        assert!(error.to_string().contains("unknown preset `hexagonal`"));
    }

    #[test]
    fn unknown_key_and_bad_value_point_at_the_key() {
        let text = "[architecture]\npreset = \"clean\"\ntest_code = \"sometimes\"\n";
        let error = parse_text(text).unwrap_err();
        let (offset, length) = span_of(&error);
        assert!(text[offset..offset + length].contains("sometimes"));
        let text = "[architecture]\nlayerz = 1\n";
        let error = parse_text(text).unwrap_err();
        let (offset, length) = span_of(&error);
        assert_eq!(&text[offset..offset + length], "layerz");
    }

    #[test]
    fn values_of_the_wrong_type_say_what_is_expected() {
        for (text, expected) in [
            (
                "[architecture]\ntest_code = true\n",
                "invalid type: boolean `true`, expected a string",
            ),
            (
                "[architecture]\ntest_code = \"yes\"\n",
                "unknown value \"yes\", expected one of \"ignore\", \"check\"",
            ),
            (
                "[architecture]\nunmapped = 1\n",
                "invalid type: integer `1`, expected a string",
            ),
            (
                "[architecture]\nunmapped = \"error\"\n",
                "unknown value \"error\", expected one of \"allow\", \"warn\", \"deny\"",
            ),
        ] {
            let error = parse_text(text).unwrap_err();
            assert!(error.to_string().contains(expected), "{text}: {error}");
            let (offset, length) = span_of(&error);
            assert_eq!(offset, text.find(" = ").unwrap() + 3, "{text}");
            assert_eq!(offset + length, text.len() - 1, "{text}");
        }
    }

    #[test]
    fn ignore_entries_need_a_reason() {
        let text = "[architecture]\npreset = \"clean\"\n[[architecture.ignore]]\nfrom = \"crate::a\"\nto = \"crate::b\"\nreason = \" \"\n";
        let error = parse_text(text).unwrap_err();
        assert!(error.to_string().contains("needs a reason"));
    }

    #[test]
    fn user_pattern_matching_nothing_is_an_error() {
        let text = "[architecture]\npreset = \"clean\"\n[architecture.layers.domain]\npaths = [\"crate::core\"]\n";
        let config = parse_text(text).unwrap();
        let modules = vec![vec!["crate".to_string(), "platform".to_string()]];
        let error = config.check_patterns_match(&modules).unwrap_err();
        let (offset, length) = span_of(&error);
        assert_eq!(&text[offset..offset + length], "\"crate::core\"");
    }
}
