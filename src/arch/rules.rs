//! The rules: which resolved edges the configuration forbids, and which files belong to no
//! layer.
//!
//! For `layer` and `isolation`, the edge goes to the path as named; each layer answers for
//! what it re-exports, because its own `pub use` is checked where it is written. When the
//! named path lies outside every layer (or every isolated module), the re-export chain is
//! followed to its first hop that lies inside one, so unmapped glue cannot launder an edge.
//! For `crate`, the chain is followed to its end: a forbidden crate re-exported under
//! another name is still that crate.

use serde::{Deserialize, Serialize};

use super::config::{Config, Layer};
use super::resolve::{Resolution, Target};

/// The kinds of violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// An edge that the source layer's `may_use` does not allow.
    Layer,
    /// A crate in the source layer's `forbid_crates`.
    Crate,
    /// A sibling module reached other than through the allowed sub-modules.
    Isolation,
    /// A file outside every layer (with `unmapped = "warn"` or `"deny"`).
    Unmapped,
}

impl Rule {
    /// All rules, in report order.
    pub const ALL: [Rule; 4] = [Rule::Layer, Rule::Crate, Rule::Isolation, Rule::Unmapped];

    /// The rule's name in configs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Layer => "layer",
            Rule::Crate => "crate",
            Rule::Isolation => "isolation",
            Rule::Unmapped => "unmapped",
        }
    }

    /// Parses a rule name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.as_str() == name)
    }

    /// One sentence on what the rule checks.
    pub fn description(self) -> &'static str {
        match self {
            Rule::Layer => "A layer uses a layer that its `may_use` does not list.",
            Rule::Crate => "A layer uses a crate listed in its `forbid_crates`.",
            Rule::Isolation => {
                "A module reaches into a sibling module other than through the allowed sub-modules."
            }
            Rule::Unmapped => "A file belongs to no layer.",
        }
    }
}

/// Errors fail the check; warnings are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A forbidden edge found in one module, before it is placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub message: String,
    pub hint: String,
    pub from_layer: Option<String>,
    pub to_path: String,
    pub to_layer: Option<String>,
    pub to_crate: Option<String>,
    /// The re-export hops, when the path went through at least one `pub use`.
    pub chain: Vec<String>,
}

impl Finding {
    /// What makes two findings the same dependency (for de-duplicating a use statement and
    /// the code paths that go through it).
    pub fn dependency_key(&self) -> DependencyKey {
        match self.rule {
            Rule::Crate => (self.rule, None, self.to_crate.clone()),
            _ => (self.rule, self.to_layer.clone(), None),
        }
    }
}

/// Rule, target layer and target crate: what makes two findings the same dependency.
pub type DependencyKey = (Rule, Option<String>, Option<String>);

/// Checks the edges of one module against the configuration.
pub struct Checker<'a> {
    config: &'a Config,
}

impl<'a> Checker<'a> {
    pub fn new(config: &'a Config) -> Self {
        Self { config }
    }

    /// The forbidden edges in `resolution`, a path written in module `from`.
    pub fn check(&self, from: &[String], resolution: &Resolution) -> Vec<Finding> {
        let chain: Vec<String> = if resolution.hops.len() > 1 {
            resolution.hops.iter().map(Target::to_string).collect()
        } else {
            Vec::new()
        };
        let mut findings = Vec::new();
        let from_layer = self.config.layer_of(from);
        if let Some(layer) = from_layer {
            if let Some(finding) = self.check_layer(layer, resolution, &chain) {
                findings.push(finding);
            }
            if let Some(finding) = self.check_crate(layer, resolution, &chain) {
                findings.push(finding);
            }
        }
        if let Some(finding) = self.check_isolation(from, from_layer, resolution, &chain) {
            findings.push(finding);
        }
        findings
    }

    fn check_layer(
        &self,
        layer: &Layer,
        resolution: &Resolution,
        chain: &[String],
    ) -> Option<Finding> {
        let (hop, target) = resolution.hops.iter().find_map(|hop| {
            if hop.package.is_some() {
                return Some(None);
            }
            self.config
                .layer_of(&hop.segments)
                .map(|target| Some((hop, target)))
        })??;
        if layer.may_use(&target.name) {
            return None;
        }
        let allowed: Vec<&str> = layer
            .may_use
            .iter()
            .map(|name| name.value.as_str())
            .collect();
        let allowed = if allowed.is_empty() {
            "no other layer".to_string()
        } else {
            allowed.join(", ")
        };
        Some(Finding {
            rule: Rule::Layer,
            message: format!("{} must not use {}", layer.name, target.name),
            hint: format!(
                "{} may use: {allowed}; depend on an abstraction that {} owns, or move the code to a layer that may use {}",
                layer.name, layer.name, target.name
            ),
            from_layer: Some(layer.name.clone()),
            to_path: hop.to_string(),
            to_layer: Some(target.name.clone()),
            to_crate: None,
            chain: chain.to_vec(),
        })
    }

    fn check_crate(
        &self,
        layer: &Layer,
        resolution: &Resolution,
        chain: &[String],
    ) -> Option<Finding> {
        let hop = resolution.hops.iter().find(|hop| {
            hop.package
                .as_deref()
                .is_some_and(|package| layer.forbids_crate(package))
        })?;
        let package = hop.package.clone()?;
        let through = if chain.is_empty() {
            String::new()
        } else {
            " through a re-export".to_string()
        };
        Some(Finding {
            rule: Rule::Crate,
            message: format!("{} must not use crate `{package}`{through}", layer.name),
            hint: format!(
                "`{package}` is in forbid_crates of layer {}; keep it behind a trait that {} defines and another layer implements",
                layer.name, layer.name
            ),
            from_layer: Some(layer.name.clone()),
            to_path: hop.to_string(),
            to_layer: None,
            to_crate: Some(package),
            chain: chain.to_vec(),
        })
    }

    fn check_isolation(
        &self,
        from: &[String],
        from_layer: Option<&Layer>,
        resolution: &Resolution,
        chain: &[String],
    ) -> Option<Finding> {
        let isolation = self.config.isolation.as_ref()?;
        let pattern = &isolation.modules.value;
        let from_length = pattern.longest_prefix_match(from)?;
        let from_module = &from[..from_length];
        for hop in &resolution.hops {
            if hop.package.is_some() {
                return None;
            }
            let Some(length) = pattern.longest_prefix_match(&hop.segments) else {
                continue;
            };
            let target_module = &hop.segments[..length];
            if target_module == from_module {
                return None;
            }
            let entry = hop.segments.get(length)?;
            if isolation.through.iter().any(|through| through == entry) {
                return None;
            }
            let through = if isolation.through.is_empty() {
                "nowhere".to_string()
            } else {
                isolation.through.join(", ")
            };
            let target_name = target_module.last().cloned().unwrap_or_default();
            let from_name = from_module.last().cloned().unwrap_or_default();
            let entry_path = format!(
                "{}::{}",
                target_module.join("::"),
                isolation.through.first().map_or("…", String::as_str)
            );
            return Some(Finding {
                rule: Rule::Isolation,
                message: format!(
                    "module `{from_name}` must not reach into module `{target_name}` except through {through}"
                ),
                hint: format!(
                    "use what `{entry_path}` offers, or add it there; sibling modules stay replaceable that way"
                ),
                from_layer: from_layer.map(|layer| layer.name.clone()),
                to_path: hop.to_string(),
                to_layer: self
                    .config
                    .layer_of(&hop.segments)
                    .map(|layer| layer.name.clone()),
                to_crate: None,
                chain: chain.to_vec(),
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::arch::config::parse;

    fn target(path: &str, package: Option<&str>) -> Target {
        Target {
            segments: path.split("::").map(String::from).collect(),
            package: package.map(String::from),
        }
    }

    fn module(path: &str) -> Vec<String> {
        path.split("::").map(String::from).collect()
    }

    fn clean() -> Config {
        parse(
            "axiomod.toml",
            "[architecture]\npreset = \"clean\"\n",
            Path::new("."),
        )
        .unwrap()
    }

    fn rules(findings: &[Finding]) -> Vec<Rule> {
        findings.iter().map(|finding| finding.rule).collect()
    }

    #[test]
    fn domain_may_not_use_infrastructure_or_sqlx() {
        let config = clean();
        let checker = Checker::new(&config);
        let from = module("crate::modules::sales::domain::order");
        let infrastructure = Resolution {
            hops: vec![target("crate::modules::sales::infrastructure::Repo", None)],
            via_import: None,
        };
        let findings = checker.check(&from, &infrastructure);
        assert_eq!(rules(&findings), [Rule::Layer]);
        assert_eq!(findings[0].message, "domain must not use infrastructure");
        let sqlx = Resolution {
            hops: vec![target("db::PgPool", Some("sqlx"))],
            via_import: None,
        };
        assert_eq!(rules(&checker.check(&from, &sqlx)), [Rule::Crate]);
    }

    #[test]
    fn allowed_edges_give_nothing() {
        let config = clean();
        let checker = Checker::new(&config);
        let from = module("crate::modules::sales::api::handlers");
        for path in [
            "crate::modules::sales::application::Service",
            "crate::modules::sales::domain::Order",
            "crate::platform::problem::Problem",
            "crate::modules::billing::application::Invoices",
            "crate::modules::sales",
        ] {
            let resolution = Resolution {
                hops: vec![target(path, None)],
                via_import: None,
            };
            assert!(checker.check(&from, &resolution).is_empty(), "{path}");
        }
    }

    #[test]
    fn siblings_are_reached_only_through_application() {
        let config = clean();
        let checker = Checker::new(&config);
        let from = module("crate::modules::billing::application");
        let resolution = Resolution {
            hops: vec![target("crate::modules::sales::domain::Order", None)],
            via_import: None,
        };
        let findings = checker.check(&from, &resolution);
        assert_eq!(rules(&findings), [Rule::Isolation]);
        assert_eq!(
            findings[0].message,
            "module `billing` must not reach into module `sales` except through application"
        );
    }

    #[test]
    fn unmapped_hops_are_followed_to_the_first_mapped_one() {
        let config = clean();
        let checker = Checker::new(&config);
        let from = module("crate::modules::sales::domain");
        let resolution = Resolution {
            hops: vec![
                target("crate::shared::Pool", None),
                target("crate::platform::db::Pool", None),
                target("sqlx::PgPool", Some("sqlx")),
            ],
            via_import: None,
        };
        let findings = checker.check(&from, &resolution);
        assert_eq!(rules(&findings), [Rule::Layer, Rule::Crate]);
        assert_eq!(findings[0].to_path, "crate::platform::db::Pool");
        assert_eq!(findings[1].chain.len(), 3);
    }
}
