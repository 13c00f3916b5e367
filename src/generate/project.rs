//! `axiomod new`: a whole service project, production-shaped before its first entity.

use std::path::Path;

use miette::Diagnostic;
use serde::Serialize;
use thiserror::Error;

use crate::render::{self, PathVariables, RenderError, RenderedFile};

/// The database a generated service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Database {
    Postgres,
    Sqlite,
}

/// The message broker a generated service publishes through (the outbox relay's target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Broker {
    /// No broker: the service needs none at run time.
    None,
    /// NATS, through the `async-nats` client.
    Nats,
    /// RabbitMQ (AMQP 0-9-1), through the `lapin` client.
    Rabbitmq,
}

/// Everything `axiomod new` needs to render a project.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub name: String,
    pub database: Database,
    pub broker: Broker,
    /// Version of the first migration (`YYYYMMDDHHMMSS`), normally the current time.
    pub migration_version: String,
}

/// Crates the generated project depends on: a project named like one cannot build.
const DEPENDENCY_NAMES: &[&str] = &[
    "anyhow",
    "axum",
    "clap",
    "figment",
    "metrics",
    "metrics-exporter-prometheus",
    "serde",
    "serde_json",
    "sqlx",
    "tokio",
    "tower",
    "tower-http",
    "tracing",
    "tracing-subscriber",
    "utoipa",
    "utoipa-axum",
    "utoipa-scalar",
    "http-body-util",
    "uuid",
    "async-nats",
    "lapin",
];

/// Names Cargo or Rust reserve.
const RESERVED_NAMES: &[&str] = &[
    "alloc",
    "core",
    "proc-macro",
    "proc_macro",
    "std",
    "test",
    "build",
    "deps",
    "examples",
    "incremental",
    "con",
    "prn",
    "aux",
    "nul",
];

const MAX_NAME_LENGTH: usize = 40;

#[derive(Debug, Error, Diagnostic)]
pub enum NewError {
    #[error("`{name}` is not a valid service name: {reason}")]
    #[diagnostic(
        code(axiomod::new::invalid_name),
        help(
            "use lowercase letters, digits and single dashes, starting with a letter, e.g. `{suggestion}`"
        )
    )]
    InvalidName {
        name: String,
        reason: String,
        suggestion: String,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Render(#[from] RenderError),
}

impl NewProject {
    /// The Rust crate name: the service name with `-` as `_`.
    pub fn crate_name(&self) -> String {
        self.name.replace('-', "_")
    }

    fn default_database_url(&self) -> String {
        match self.database {
            Database::Postgres => {
                format!("postgres://postgres@localhost:5432/{}", self.crate_name())
            }
            Database::Sqlite => format!("sqlite://{}.db?mode=rwc", self.crate_name()),
        }
    }
}

/// Checks that `name` works everywhere it is used: as a Cargo package, a Rust crate, a binary,
/// a Kubernetes resource and a container image name.
pub fn validate_name(name: &str) -> Result<(), NewError> {
    let invalid = |reason: &str| NewError::InvalidName {
        name: name.to_string(),
        reason: reason.to_string(),
        suggestion: suggest_name(name),
    };
    let Some(first) = name.chars().next() else {
        return Err(invalid("it is empty"));
    };
    if !first.is_ascii_lowercase() {
        return Err(invalid("it must start with a lowercase letter"));
    }
    if let Some(bad) = name.chars().find(|character| {
        !(character.is_ascii_lowercase() || character.is_ascii_digit() || *character == '-')
    }) {
        return Err(invalid(&format!(
            "`{bad}` is not allowed (Kubernetes and container names take only a-z, 0-9 and -)"
        )));
    }
    if name.ends_with('-') || name.contains("--") {
        return Err(invalid("dashes must separate words"));
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(invalid(&format!(
            "it is longer than {MAX_NAME_LENGTH} characters"
        )));
    }
    let crate_name = name.replace('-', "_");
    if is_rust_keyword(&crate_name) {
        return Err(invalid("it is a Rust keyword"));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(invalid("Cargo or the standard library reserves it"));
    }
    if is_dependency_name(&crate_name) {
        return Err(invalid(
            "the generated service depends on a crate of that name",
        ));
    }
    Ok(())
}

/// Rust's strict and reserved keywords (edition 2024).
fn is_rust_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    KEYWORDS.contains(&word)
}

/// A valid name close to `name`, for the error's hint.
fn suggest_name(name: &str) -> String {
    let kebab = heck::AsKebabCase(name).to_string();
    let cleaned: String = kebab
        .chars()
        .filter(|character| {
            character.is_ascii_lowercase() || character.is_ascii_digit() || *character == '-'
        })
        .collect();
    // Dropped characters may leave dashes side by side or at the ends; a name starts with a
    // letter.
    let words: Vec<&str> = cleaned.split('-').filter(|word| !word.is_empty()).collect();
    let joined = words.join("-");
    let trimmed =
        joined.trim_start_matches(|character: char| character == '-' || character.is_ascii_digit());
    let candidate = if trimmed.is_empty() {
        "my-service"
    } else {
        trimmed
    };
    let candidate: String = candidate.chars().take(MAX_NAME_LENGTH).collect();
    // Cutting at the limit may leave a dash at the end.
    let candidate = candidate.trim_end_matches('-').to_string();
    if validate_name_shape_only(&candidate) {
        candidate
    } else {
        format!("{candidate}-service")
    }
}

/// The checks of [`validate_name`] that do not need a suggestion (avoids recursion).
fn validate_name_shape_only(name: &str) -> bool {
    !is_rust_keyword(&name.replace('-', "_"))
        && !RESERVED_NAMES.contains(&name)
        && !is_dependency_name(&name.replace('-', "_"))
}

/// True when a dependency of the generated project has this crate name (`serde-json` and
/// `serde_json` are the same crate to Rust).
fn is_dependency_name(crate_name: &str) -> bool {
    DEPENDENCY_NAMES
        .iter()
        .any(|dependency| dependency.replace('-', "_") == crate_name)
}

/// File name ending of the project's first migration (after its version).
const OUTBOX_MIGRATION_SUFFIX: &str = "_axiomod_outbox.up.sql";

/// The version of the outbox migration of a project already at `root`, if any.
pub fn existing_migration_version(root: &Path) -> Option<String> {
    let entries = std::fs::read_dir(root.join("migrations")).ok()?;
    entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| Some(name.strip_suffix(OUTBOX_MIGRATION_SUFFIX)?.to_string()))
        .filter(|version| version.len() == 14 && version.bytes().all(|byte| byte.is_ascii_digit()))
        .min()
}

/// Renders every file of the new project.
pub fn render_project(project: &NewProject) -> Result<Vec<RenderedFile>, NewError> {
    validate_name(&project.name)?;
    let mut context = tera::Context::new();
    context.insert(
        "project",
        &serde_json::json!({
            "name": project.name,
            "crate_name": project.crate_name(),
            "db": project.database,
            "broker": project.broker,
        }),
    );
    context.insert("axiomod_version", env!("CARGO_PKG_VERSION"));
    context.insert("modules", &Vec::<String>::new());
    context.insert("default_database_url", &project.default_database_url());
    let variables: &PathVariables = &[
        ("__name__", &project.name),
        ("__version__", &project.migration_version),
    ];
    let mut files = render::render_generator("new", &context, variables)?;
    render::format_rust_files(&mut files);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kebab_names() {
        for name in ["shop", "order-service", "a1", "billing-v2"] {
            assert!(validate_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn suggests_the_closest_valid_name() {
        for (name, expected) in [
            ("Shop", "shop"),
            ("OrderService", "order-service"),
            ("order_service", "order-service"),
            ("1shop", "shop"),
            ("shop-", "shop"),
            ("a--b", "a-b"),
            ("a-é-b", "a-b"),
            ("Billing-V2", "billing-v2"),
            ("", "my-service"),
            ("42", "my-service"),
            ("type", "type-service"),
            ("axum", "axum-service"),
            ("serde-json", "serde-json-service"),
        ] {
            assert_eq!(suggest_name(name), expected, "{name:?}");
        }
        let cut_at_a_dash = format!("{}-{}", "a".repeat(39), "b".repeat(5));
        assert_eq!(suggest_name(&cut_at_a_dash), "a".repeat(39));
    }

    #[test]
    fn dependency_names_are_refused_whatever_their_separator() {
        for name in [
            "serde-json",
            "tower-http",
            "tracing-subscriber",
            "http-body-util",
        ] {
            let Err(NewError::InvalidName { reason, .. }) = validate_name(name) else {
                panic!("{name:?} should be refused");
            };
            assert!(reason.contains("depends on a crate"), "{name}: {reason}");
        }
    }

    #[test]
    fn finds_the_version_of_an_existing_outbox_migration() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(existing_migration_version(root.path()), None);
        let migrations = root.path().join("migrations");
        std::fs::create_dir(&migrations).unwrap();
        for name in [
            "20250101000000_create_orders.up.sql",
            "2025_axiomod_outbox.up.sql",
            "20240202000000_axiomod_outbox.down.sql",
            "20240101000000_axiomod_outbox.up.sql",
        ] {
            std::fs::write(migrations.join(name), "").unwrap();
        }
        assert_eq!(
            existing_migration_version(root.path()).as_deref(),
            Some("20240101000000")
        );
    }

    #[test]
    fn refuses_bad_names_with_a_valid_suggestion() {
        for name in [
            "",
            "Shop",
            "order_service",
            "1shop",
            "shop-",
            "a--b",
            "type",
            "std",
            "axum",
            "serde-json",
            "tower_http",
            "my shop",
            &format!("{}-{}", "a".repeat(39), "b".repeat(5)),
            &"a".repeat(41),
            "a-é-b",
            "Billing-V2",
            "1-2-3",
        ] {
            let Err(NewError::InvalidName { suggestion, .. }) = validate_name(name) else {
                panic!("{name:?} should be refused");
            };
            assert!(
                validate_name(&suggestion).is_ok(),
                "{name:?} suggested {suggestion:?}"
            );
        }
    }
}
